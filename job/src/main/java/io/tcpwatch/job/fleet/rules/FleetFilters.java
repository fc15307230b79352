package io.tcpwatch.job.fleet.rules;

import io.tcpwatch.job.fleet.FleetWindow;
import java.util.Locale;

/** Wireshark display filters for fleet detections: the server (and client), the window, and what to look at. */
final class FleetFilters {
    private FleetFilters() {}

    static String of(FleetWindow w, String extra) {
        String server = w.serverEndpoint();
        int colon = server.lastIndexOf(':');
        String host = server.substring(0, colon);
        boolean v6 = host.startsWith("[");
        if (v6) {
            host = host.substring(1, host.length() - 1);
        }
        String ip = v6 ? "ipv6" : "ip";
        StringBuilder f = new StringBuilder();
        f.append(ip).append(".addr == ").append(host).append(" && tcp.port == ").append(server.substring(colon + 1));
        if (w.clientHost() != null) {
            f.append(" && ").append(ip).append(".addr == ").append(w.clientHost());
        }
        f.append(String.format(Locale.ROOT, " && frame.time_epoch >= %.3f && frame.time_epoch < %.3f",
                w.startNs() / 1e9, w.endNs() / 1e9));
        if (extra != null) {
            f.append(" && ").append(extra);
        }
        return f.toString();
    }
}
