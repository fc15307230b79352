package io.tcpwatch.core.fleet;

import java.util.Arrays;
import java.util.TreeSet;

/** A set of vantage points kept as a sorted, comma-separated string (a handful per server). */
public final class Observers {
    private Observers() {}

    public static String add(String observers, String observer) {
        if (observer == null || observer.isEmpty()) {
            return observers;
        }
        if (observers.isEmpty()) {
            return observer;
        }
        if (contains(observers, observer)) { // the common case, without allocating
            return observers;
        }
        TreeSet<String> set = new TreeSet<>(Arrays.asList(observers.split(",")));
        return set.add(observer) ? String.join(",", set) : observers;
    }

    private static boolean contains(String observers, String observer) {
        int from = 0;
        while (true) {
            int i = observers.indexOf(observer, from);
            if (i < 0) {
                return false;
            }
            int end = i + observer.length();
            if ((i == 0 || observers.charAt(i - 1) == ',') && (end == observers.length() || observers.charAt(end) == ',')) {
                return true;
            }
            from = i + 1;
        }
    }
}
