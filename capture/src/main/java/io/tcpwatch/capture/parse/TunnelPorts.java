package io.tcpwatch.capture.parse;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The UDP ports on which the parser looks for a tunnel inside UDP. VXLAN is recognised on the
 * destination port (the source port is a flow hash); GTP-U, Teredo and AYIYA on either port.
 * Defaults: the IANA ports, plus 8472 for VXLAN (the Linux kernel's and flannel's default).
 */
public record TunnelPorts(int[] vxlan, int[] geneve, int[] gtpu, int[] teredo, int[] ayiya) implements Serializable {

    public static final TunnelPorts DEFAULTS = new TunnelPorts(
            new int[] {4789, 8472}, new int[] {6081}, new int[] {2152}, new int[] {3544}, new int[] {5072});

    /** The tunnels carried in UDP, by the names {@link #with} takes. */
    public enum Kind { VXLAN, GENEVE, GTPU, TEREDO, AYIYA }

    /** These ports with {@code kind}'s replaced by {@code ports} (an empty array turns it off). */
    public TunnelPorts with(Kind kind, int... ports) {
        for (int p : ports) {
            if (p < 1 || p > 65535) {
                throw new IllegalArgumentException("UDP port " + p + " is outside 1-65535");
            }
        }
        int[] copy = ports.clone();
        return switch (kind) {
            case VXLAN -> new TunnelPorts(copy, geneve, gtpu, teredo, ayiya);
            case GENEVE -> new TunnelPorts(vxlan, copy, gtpu, teredo, ayiya);
            case GTPU -> new TunnelPorts(vxlan, geneve, copy, teredo, ayiya);
            case TEREDO -> new TunnelPorts(vxlan, geneve, gtpu, copy, ayiya);
            case AYIYA -> new TunnelPorts(vxlan, geneve, gtpu, teredo, copy);
        };
    }

    /**
     * Applies {@code KIND=PORT[,PORT…]} ("vxlan=4789,8472", "geneve=", "gtpu=2152") to these ports.
     *
     * @throws IllegalArgumentException with a sentence for the user when the spec is not one
     */
    public TunnelPorts with(String spec) {
        int eq = spec.indexOf('=');
        if (eq < 0) {
            throw new IllegalArgumentException("'" + spec + "' is not KIND=PORT[,PORT…] (KIND: vxlan, geneve, gtpu, teredo, ayiya)");
        }
        Kind kind;
        try {
            kind = Kind.valueOf(spec.substring(0, eq).trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + spec.substring(0, eq) + "' is not a UDP tunnel (vxlan, geneve, gtpu, teredo, ayiya)");
        }
        String list = spec.substring(eq + 1).trim();
        try {
            int[] ports = list.isEmpty() ? new int[0]
                    : Arrays.stream(list.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
            return with(kind, ports);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + list + "' is not a list of UDP ports");
        }
    }

    /** The defaults with every {@code KIND=PORT[,PORT…]} of a command line's {@code --tunnel-port} applied. */
    public static TunnelPorts of(List<String> specs) {
        TunnelPorts ports = DEFAULTS;
        for (String spec : specs == null ? List.<String>of() : specs) {
            ports = ports.with(spec);
        }
        return ports;
    }

    static boolean contains(int[] ports, int port) {
        for (int p : ports) {
            if (p == port) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "vxlan=" + Arrays.toString(vxlan) + " geneve=" + Arrays.toString(geneve) + " gtpu=" + Arrays.toString(gtpu)
                + " teredo=" + Arrays.toString(teredo) + " ayiya=" + Arrays.toString(ayiya);
    }
}
