package io.tcpwatch.job.fleet;

import java.util.Arrays;
import java.util.TreeSet;

/** A set of vantage points kept as a sorted, comma-separated string (a handful per server). */
final class Observers {
    private Observers() {}

    static String add(String observers, String observer) {
        if (observer == null || observer.isEmpty()) {
            return observers;
        }
        if (observers.isEmpty()) {
            return observer;
        }
        TreeSet<String> set = new TreeSet<>(Arrays.asList(observers.split(",")));
        return set.add(observer) ? String.join(",", set) : observers;
    }
}
