package io.tcpwatch.capture;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * pcapng files: sections, interface description blocks (link type, {@code if_name},
 * {@code if_tsresol}, {@code if_tsoffset}), enhanced and obsolete packet blocks. Other blocks are
 * stepped over; simple packet blocks carry no timestamp and are counted instead of delivered.
 */
final class PcapNgReader extends CaptureFileReader {

    static final int SECTION_HEADER = 0x0A0D0D0A;
    private static final int BYTE_ORDER_MAGIC = 0x1A2B3C4D;
    private static final int INTERFACE_DESCRIPTION = 1;
    private static final int OBSOLETE_PACKET = 2;
    private static final int SIMPLE_PACKET = 3;
    private static final int ENHANCED_PACKET = 6;

    private static final int OPT_END = 0;
    private static final int OPT_IF_NAME = 2;
    private static final int OPT_IF_TSRESOL = 9;
    private static final int OPT_IF_TSOFFSET = 14;

    /** Interfaces of the current section, by id. */
    private final List<Interface> interfaces = new ArrayList<>();
    private long withoutTimestamp;

    /** An interface with its clock: timestamp units → ns. */
    private static final class Interface {
        final CaptureInterface iface;
        /** ns = units * mul / div (+ offset); div is 1 for decimal resolutions up to ns. */
        final long mul;
        final long div;
        final int shift; // for binary resolutions: ns = (units * 1e9) >> shift
        final long offsetNs;

        Interface(CaptureInterface iface, int tsresol, long offsetSeconds) {
            this.iface = iface;
            if ((tsresol & 0x80) == 0) {
                int exp = tsresol; // units of 10^-exp s
                mul = exp <= 9 ? pow10(9 - exp) : 1;
                div = exp <= 9 ? 1 : pow10(exp - 9);
                shift = -1;
            } else {
                mul = 1;
                div = 1;
                shift = tsresol & 0x7F; // units of 2^-shift s
            }
            offsetNs = offsetSeconds * 1_000_000_000L;
        }

        long toNanos(long units) {
            if (shift >= 0) {
                long whole = units >>> shift;
                long frac = units & ((1L << shift) - 1);
                long scaled = frac << (64 - shift); // frac / 2^shift as a 64-bit binary fraction
                long fracNs = Math.multiplyHigh(scaled, 1_000_000_000L) + ((scaled >> 63) & 1_000_000_000L);
                return whole * 1_000_000_000L + fracNs + offsetNs;
            }
            return (div == 1 ? units * mul : units / div) + offsetNs;
        }

        private static long pow10(int n) {
            long v = 1;
            for (int i = 0; i < n; i++) {
                v *= 10;
            }
            return v;
        }
    }

    PcapNgReader(Path path, ChunkedInput in, long size) {
        super(path, in, size);
    }

    @Override
    public String format() {
        return "pcapng";
    }

    @Override
    public long framesWithoutTimestamp() {
        return withoutTimestamp;
    }

    @Override
    public boolean next(FrameHandler handler) throws CaptureFileException {
        if (damage != null) {
            return false;
        }
        try {
            while (true) {
                if (!in.ensure(12)) {
                    if (in.available() > 0) {
                        damaged("truncated block header");
                    }
                    return false;
                }
                int p = in.pos();
                int type = in.int32(p);
                if (type == SECTION_HEADER && !sectionHeader(p)) {
                    return false;
                }
                int length = in.int32(p + 4);
                if (length < 12 || (length & 3) != 0 || length > ChunkedInput.CAPACITY) {
                    damaged("block with an impossible length of " + Integer.toUnsignedString(length));
                    return false;
                }
                if (!in.ensure(length)) {
                    damaged("truncated block (" + length + " bytes announced, " + in.available() + " present)");
                    return false;
                }
                p = in.pos();
                if (in.int32(p + length - 4) != length) {
                    damaged("block whose trailing length does not match its header");
                    return false;
                }
                boolean delivered = false;
                switch (type) {
                    case SECTION_HEADER:
                        interfaces.clear();
                        break;
                    case INTERFACE_DESCRIPTION:
                        if (!interfaceDescription(p, length)) {
                            return false;
                        }
                        break;
                    case ENHANCED_PACKET:
                    case OBSOLETE_PACKET:
                        int ifId = type == ENHANCED_PACKET ? in.int32(p + 8) : in.uint16(p + 8);
                        if (!packet(handler, p, length, ifId, p + 12, 28)) {
                            return false;
                        }
                        delivered = true;
                        break;
                    case SIMPLE_PACKET:
                        withoutTimestamp++;
                        break;
                    default:
                        break; // statistics, name resolution, custom …
                }
                in.skip(length);
                if (delivered) {
                    return true;
                }
            }
        } catch (IOException e) {
            throw ioError(e);
        }
    }

    /** Reads the byte-order magic; the block length is read after, in the section's order. */
    private boolean sectionHeader(int p) {
        ByteOrder current = in.order();
        in.order(ByteOrder.LITTLE_ENDIAN);
        if (in.int32(p + 8) == BYTE_ORDER_MAGIC) {
            return true;
        }
        in.order(ByteOrder.BIG_ENDIAN);
        if (in.int32(p + 8) == BYTE_ORDER_MAGIC) {
            return true;
        }
        in.order(current);
        damaged("section header without a valid byte-order magic");
        return false;
    }

    private boolean interfaceDescription(int p, int length) {
        if (length < 20) {
            damaged("interface description block of " + length + " bytes");
            return false;
        }
        int linkType = in.uint16(p + 8);
        String name = null;
        int tsresol = 6;
        long tsoffset = 0;
        int o = p + 16;
        int end = p + length - 4;
        while (o + 4 <= end) {
            int code = in.uint16(o);
            int len = in.uint16(o + 2);
            if (code == OPT_END || o + 4 + len > end) {
                break;
            }
            if (code == OPT_IF_NAME) {
                name = new String(in.array(), o + 4, len, StandardCharsets.UTF_8).replace("\0", "");
            } else if (code == OPT_IF_TSRESOL && len >= 1) {
                tsresol = in.array()[o + 4] & 0xFF;
            } else if (code == OPT_IF_TSOFFSET && len == 8) {
                tsoffset = in.int64(o + 4);
            }
            o += 4 + ((len + 3) & ~3);
        }
        if ((tsresol & 0x80) == 0 ? tsresol > 18 : (tsresol & 0x7F) > 63) {
            damaged("interface with an impossible timestamp resolution 0x" + Integer.toHexString(tsresol));
            return false;
        }
        interfaces.add(new Interface(new CaptureInterface(linkType, name), tsresol, tsoffset));
        return true;
    }

    private boolean packet(FrameHandler handler, int p, int length, int ifId, int tsAt, int headerLength) {
        if (length < headerLength + 4) {
            damaged("packet block of " + length + " bytes");
            return false;
        }
        if (ifId < 0 || ifId >= interfaces.size()) {
            damaged("packet block for undeclared interface " + Integer.toUnsignedString(ifId));
            return false;
        }
        long units = ((in.int32(tsAt) & 0xFFFFFFFFL) << 32) | (in.int32(tsAt + 4) & 0xFFFFFFFFL);
        int capLen = in.int32(p + 20);
        int origLen = in.int32(p + 24);
        if (capLen < 0 || capLen > MAX_FRAME || headerLength + capLen + 4 > length) {
            damaged("packet block with an impossible captured length of " + Integer.toUnsignedString(capLen));
            return false;
        }
        Interface itf = interfaces.get(ifId);
        frames++;
        handler.onFrame(itf.iface, itf.toNanos(units), in.array(), p + headerLength, capLen, origLen);
        return true;
    }
}
