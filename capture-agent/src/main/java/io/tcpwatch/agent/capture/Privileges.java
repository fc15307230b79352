package io.tcpwatch.agent.capture;

import com.sun.jna.Library;
import com.sun.jna.Native;
import io.tcpwatch.common.TcpwatchException;
import io.tcpwatch.common.ExitCode;

/**
 * Gives up root once the capture handle is open: the open socket keeps capturing, nothing else the
 * agent does needs privileges. glibc applies setuid/setgid to every thread of the process, and a
 * process that leaves uid 0 loses all its capabilities (CAP_NET_RAW included).
 */
public final class Privileges {

    private interface LibC extends Library {
        int setgroups(long size, int[] list);

        int setgid(int gid);

        int setuid(int uid);

        int getuid();
    }

    private Privileges() {}

    /** Parses {@code UID[:GID]} (numbers; GID defaults to UID). */
    public static int[] parse(String spec) {
        String[] parts = spec.split(":");
        try {
            int uid = Integer.parseInt(parts[0]);
            int gid = parts.length > 1 ? Integer.parseInt(parts[1]) : uid;
            if (parts.length > 2 || uid <= 0 || gid < 0) {
                throw new NumberFormatException();
            }
            return new int[] {uid, gid};
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--run-as takes a non-root UID[:GID] as numbers, e.g. 65534:65534, not '" + spec + "'");
        }
    }

    /** Becomes {@code uid}/{@code gid} with no supplementary groups; fails with a sentence when it cannot. */
    public static void drop(int uid, int gid) throws TcpwatchException {
        LibC c = Native.load("c", LibC.class);
        if (c.getuid() != 0) {
            throw new TcpwatchException(ExitCode.USAGE, "--run-as needs the agent to start as root (it drops root after opening the capture).");
        }
        if (c.setgroups(0, null) != 0 || c.setgid(gid) != 0 || c.setuid(uid) != 0) {
            throw new TcpwatchException(ExitCode.CAPTURE_FAILED, "could not become uid " + uid + " / gid " + gid
                    + " (errno " + Native.getLastError() + ").");
        }
    }
}
