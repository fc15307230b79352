package io.tcpwatch.core.local;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tcpwatch.core.record.SegmentHeader;
import io.tcpwatch.schema.TcpFlags;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PackedHeadersTest {

    @Test
    void everyFieldComesBackAtItsExtremes() {
        List<SegmentHeader> headers = new ArrayList<>();
        for (int i = 0; i < 21; i++) {
            SegmentHeader h = new SegmentHeader();
            h.n = i == 0 ? Integer.MAX_VALUE : i;
            h.tsNs = i == 1 ? Long.MAX_VALUE : 1_763_463_600_000_000_000L + i;
            h.fromClient = i % 2 == 0;
            h.flags = i == 2 ? 0xFFF : TcpFlags.SYN | (i % 3 == 0 ? TcpFlags.ACK : 0);
            h.seq = i == 3 ? 0xFFFF_FFFFL : 1_000L * i;
            h.ack = i == 4 ? 0xFFFF_FFFFL : 7L * i;
            h.window = i == 5 ? 0xFFFF : i;
            h.len = i == 6 ? Integer.MAX_VALUE : 100 * i;
            h.previous = i % 5 == 0;
            headers.add(h);
        }
        long[] packed = null;
        for (SegmentHeader h : headers) {
            packed = PackedHeaders.add(packed, h);
        }
        assertEquals(text(headers), text(PackedHeaders.unpack(packed)));
        assertEquals(text(headers), text(PackedHeaders.unpack(PackedHeaders.of(headers))));
        assertEquals(List.of(), PackedHeaders.unpack(null));
    }

    @Test
    void theLocalStateKeepsAListOfHeadersPacked() {
        LocalKeyedState<String> state = new LocalKeyedState<>();
        var list = state.list("packets", SegmentHeader.class);
        state.at("a");
        SegmentHeader h = new SegmentHeader();
        h.n = 1;
        h.seq = 42;
        list.add(h);
        list.add(h.asPrevious());
        assertEquals(text(List.of(h, h.asPrevious())), text(list.get()));
        list.update(List.of(h));
        assertEquals(text(List.of(h)), text(list.get()));
        list.clear();
        assertEquals(List.of(), list.get());
        assertEquals(0, state.keysHeld());
    }

    private static List<String> text(List<SegmentHeader> headers) {
        return headers.stream().map(h -> h.n + " " + h.tsNs + " " + h + " prev=" + h.previous).toList();
    }
}
