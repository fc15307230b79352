package io.tcpwatch.capture;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Streams the frames of a pcap or pcapng file, exactly: nanosecond and microsecond pcap, and
 * pcapng with any {@code if_tsresol} and {@code if_tsoffset}, all become nanoseconds.
 *
 * <p>The formats are small and fully specified (draft-ietf-opsawg-pcap, draft-ietf-opsawg-pcapng),
 * so they are read here, in large chunks and in place, rather than one JNA call per packet. A file
 * that goes bad part-way (truncated, an absurd length) is read up to the damage, which is then
 * reported by {@link #damage()}, never thrown.
 */
public abstract class CaptureFileReader implements AutoCloseable {

    /** Largest frame accepted (libpcap's own MAXIMUM_SNAPLEN). */
    static final int MAX_FRAME = 262_144;

    final Path path;
    final ChunkedInput in;
    private final long size;
    String damage;
    long frames;
    volatile boolean stopped;

    CaptureFileReader(Path path, ChunkedInput in, long size) {
        this.path = path;
        this.in = in;
        this.size = size;
    }

    /** Opens a capture file, telling pcap from pcapng by its first bytes. */
    public static CaptureFileReader open(Path path) throws CaptureFileException {
        FileChannel ch;
        long size;
        try {
            if (Files.isDirectory(path)) {
                throw new CaptureFileException(path + " is a directory, not a capture file");
            }
            ch = FileChannel.open(path, StandardOpenOption.READ);
            size = ch.size();
        } catch (NoSuchFileException e) {
            throw new CaptureFileException(path + " does not exist");
        } catch (AccessDeniedException e) {
            throw new CaptureFileException(path + " is not readable (permission denied)");
        } catch (IOException e) {
            throw new CaptureFileException(path + " cannot be read: " + e.getMessage());
        }
        return open(ch, size, path);
    }

    /** Reads a capture from a stream ({@code path} names it in messages); the reader closes it. */
    public static CaptureFileReader open(InputStream in, long size, Path path) throws CaptureFileException {
        return open(Channels.newChannel(in), size, path);
    }

    private static CaptureFileReader open(ReadableByteChannel ch, long size, Path path) throws CaptureFileException {
        ChunkedInput in = new ChunkedInput(ch, size);
        try {
            if (!in.ensure(4)) {
                in.close();
                throw new CaptureFileException(path + " is too short to be a pcap or pcapng file (" + size + " bytes)");
            }
            int magicBe = ByteBuffer.wrap(in.array(), in.pos(), 4).order(ByteOrder.BIG_ENDIAN).getInt();
            switch (magicBe) {
                case PcapReader.MAGIC_MICROS: case PcapReader.MAGIC_NANOS:
                case PcapReader.MAGIC_MICROS_SWAPPED: case PcapReader.MAGIC_NANOS_SWAPPED:
                    return new PcapReader(path, in, size, magicBe);
                case PcapNgReader.SECTION_HEADER:
                    return new PcapNgReader(path, in, size);
                default:
                    in.close();
                    throw new CaptureFileException(String.format(
                            "%s is not a pcap or pcapng file (it starts with 0x%08x)", path, magicBe));
            }
        } catch (IOException e) {
            throw new CaptureFileException(path + " cannot be read: " + e.getMessage());
        }
    }

    /**
     * Hands every readable frame to {@code handler}, in file order, until the end of the file,
     * damage, or {@link #stop()}.
     *
     * @return frames delivered by this call
     * @throws CaptureFileException when the file cannot be read at all (I/O error, bad header)
     */
    public long read(FrameHandler handler) throws CaptureFileException {
        long before = frames;
        while (!stopped && next(handler)) {
            // one frame per call
        }
        return frames - before;
    }

    /**
     * Hands the next frame to {@code handler}: false at the end of the file or at damage (see
     * {@link #damage()}), with nothing delivered.
     */
    public abstract boolean next(FrameHandler handler) throws CaptureFileException;

    /** Makes {@link #read} return after the current frame; callable from any thread. */
    public void stop() {
        stopped = true;
    }

    /** Why reading stopped before the end of the file, or null when it did not. */
    public String damage() {
        return damage;
    }

    /** Frames delivered so far. */
    public long frames() {
        return frames;
    }

    /** Bytes of the file consumed so far (for progress). */
    public long position() {
        return in.filePosition();
    }

    public long size() {
        return size;
    }

    public Path path() {
        return path;
    }

    /** pcap or pcapng. */
    public abstract String format();

    /** Blocks that held frames without a timestamp (pcapng simple packet blocks): counted, not delivered. */
    public long framesWithoutTimestamp() {
        return 0;
    }

    void damaged(String what) {
        damage = String.format("%s: %s at byte %,d after %,d frames; the rest of the file was not read",
                path.getFileName(), what, in.filePosition(), frames);
    }

    CaptureFileException ioError(IOException e) {
        return new CaptureFileException(path + " cannot be read: " + e.getMessage());
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException ignored) {
            // read-only file: nothing to lose
        }
    }
}
