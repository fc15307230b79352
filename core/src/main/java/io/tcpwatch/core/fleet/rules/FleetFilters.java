package io.tcpwatch.core.fleet.rules;

import io.tcpwatch.core.record.Endpoints;
import io.tcpwatch.core.fleet.FleetWindow;
import java.util.Locale;

/** Wireshark display filters for fleet detections: the server (and client), the window, and what to look at. */
final class FleetFilters {
    private FleetFilters() {}

    static String of(FleetWindow w, String extra) {
        StringBuilder f = new StringBuilder(Endpoints.endpointFilter(w.serverEndpoint()));
        if (w.clientHost() != null) {
            f.append(" && ").append(Endpoints.addrFilter(w.clientHost()));
        }
        f.append(String.format(Locale.ROOT, " && frame.time_epoch >= %.3f && frame.time_epoch < %.3f",
                w.startNs() / 1e9, w.endNs() / 1e9));
        if (extra != null) {
            f.append(" && ").append(extra);
        }
        return f.toString();
    }
}
