package io.tcpwatch.schema;

import java.util.Arrays;

/** A growing column of longs, reused from one record to the next. */
final class LongColumn {

    long[] values = new long[64];
    int size;

    void clear() {
        size = 0;
    }

    void add(long v) {
        if (size == values.length) {
            values = Arrays.copyOf(values, 2 * size);
        }
        values[size++] = v;
    }

    long get(int i) {
        return values[i];
    }
}
