package io.hiq.consumer.store;

import java.nio.ByteBuffer;
import java.util.zip.DataFormatException;
import org.HdrHistogram.Histogram;

/**
 * HdrHistograms as the store keeps them: nanoseconds, 3 significant digits (values within 0.1 %,
 * well inside the 1 % of DESIGN B6), auto-resizing so any span fits, serialized compressed.
 */
public final class Histograms {
    /** Significant decimal digits of every stored histogram. */
    public static final int DIGITS = 3;

    private Histograms() {}

    /** A new, empty, auto-resizing histogram. */
    public static Histogram empty() {
        Histogram h = new Histogram(DIGITS);
        h.setAutoResize(true);
        return h;
    }

    /** Serializes compressed. */
    public static byte[] encode(Histogram h) {
        ByteBuffer buf = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
        int len = h.encodeIntoCompressedByteBuffer(buf);
        byte[] out = new byte[len];
        buf.flip();
        buf.get(out);
        return out;
    }

    /** Reads back what {@link #encode} wrote. */
    public static Histogram decode(byte[] bytes) {
        try {
            Histogram h = Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(bytes), 0);
            h.setAutoResize(true);
            return h;
        } catch (DataFormatException e) {
            throw new IllegalStateException("corrupt histogram in store: " + e.getMessage(), e);
        }
    }
}
