package io.tcpwatch.capture;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Path;

/** Classic libpcap files: 24-byte file header, then 16-byte record headers, µs or ns resolution. */
final class PcapReader extends CaptureFileReader {

    static final int MAGIC_MICROS = 0xA1B2C3D4;
    static final int MAGIC_NANOS = 0xA1B23C4D;
    static final int MAGIC_MICROS_SWAPPED = 0xD4C3B2A1;
    static final int MAGIC_NANOS_SWAPPED = 0x4D3CB2A1;

    private final boolean nanos;
    private final long unitNs;
    private CaptureInterface iface;

    PcapReader(Path path, ChunkedInput in, long size, int magicBe) {
        super(path, in, size);
        nanos = magicBe == MAGIC_NANOS || magicBe == MAGIC_NANOS_SWAPPED;
        unitNs = nanos ? 1 : 1000;
        boolean bigEndian = magicBe == MAGIC_MICROS || magicBe == MAGIC_NANOS;
        in.order(bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public String format() {
        return nanos ? "pcap (ns)" : "pcap (µs)";
    }

    @Override
    public boolean next(FrameHandler handler) throws CaptureFileException {
        if (damage != null) {
            return false;
        }
        try {
            if (iface == null) {
                if (!in.ensure(24)) {
                    throw new CaptureFileException(path + " ends inside its 24-byte pcap file header");
                }
                // link type: low 16 bits (the upper bits may hold an FCS length, per the pcap spec)
                iface = new CaptureInterface(in.int32(in.pos() + 20) & 0xFFFF, null);
                in.skip(24);
            }
            if (!in.ensure(16)) {
                if (in.available() > 0) {
                    damaged("truncated record header");
                }
                return false;
            }
            int p = in.pos();
            long sec = in.int32(p) & 0xFFFFFFFFL;
            long frac = in.int32(p + 4) & 0xFFFFFFFFL;
            int capLen = in.int32(p + 8);
            int origLen = in.int32(p + 12);
            if (capLen < 0 || capLen > MAX_FRAME) {
                damaged("record with an impossible captured length of " + Integer.toUnsignedString(capLen));
                return false;
            }
            if (frac >= 1_000_000_000L / unitNs) {
                damaged("record with an impossible sub-second timestamp of " + frac);
                return false;
            }
            if (!in.ensure(16 + capLen)) {
                damaged("truncated record (" + capLen + " bytes announced, " + (in.available() - 16) + " present)");
                return false;
            }
            p = in.pos();
            frames++;
            handler.onFrame(iface, sec * 1_000_000_000L + frac * unitNs, in.array(), p + 16, capLen, origLen);
            in.skip(16 + capLen);
            return true;
        } catch (IOException e) {
            throw ioError(e);
        }
    }
}
