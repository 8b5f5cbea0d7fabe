package io.hiq.consumer.store;

import java.nio.ByteBuffer;
import org.HdrHistogram.Histogram;

/**
 * HdrHistograms as the store keeps them: nanoseconds, 3 significant digits (values within 0.1 %,
 * well inside the 1 % of DESIGN B6), auto-resizing so any span fits. Serialized with HdrHistogram's V2
 * encoding, which already run-length encodes the empty buckets; its Deflate-compressed form is about
 * as small for these sparse histograms but costs far more CPU on every roll-up update.
 *
 * <p>{@link #addEncoded} merges a serialized histogram straight into another, touching only its
 * non-empty buckets: decoding each stored row into a histogram of its own first (tens of thousands of
 * counts for nanosecond spans) and adding it made {@code /api/stats} over an hour of data several
 * times slower.
 */
public final class Histograms {
    /** Significant decimal digits of every stored histogram. */
    public static final int DIGITS = 3;
    private static final int V2_COOKIE_BASE = 0x1c849303;
    /** log2 of half the sub-bucket count for 3 digits (2048 sub-buckets). */
    private static final int SUB_BUCKET_HALF_COUNT_MAGNITUDE = 10;
    private static final int SUB_BUCKET_HALF_COUNT = 1 << SUB_BUCKET_HALF_COUNT_MAGNITUDE;

    private Histograms() {}

    /** A new, empty, auto-resizing histogram. */
    public static Histogram empty() {
        Histogram h = new Histogram(DIGITS);
        h.setAutoResize(true);
        return h;
    }

    /**
     * A new, empty, auto-resizing histogram already large enough for values up to {@code highest}:
     * recording them costs no resize (each resize copies the counts array).
     */
    public static Histogram sized(long highest) {
        Histogram h = new Histogram(1, Math.max(2, highest), DIGITS);
        h.setAutoResize(true);
        return h;
    }

    /** Serializes. */
    public static byte[] encode(Histogram h) {
        ByteBuffer buf = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
        int len = h.encodeIntoByteBuffer(buf);
        byte[] out = new byte[len];
        buf.flip();
        buf.get(out);
        return out;
    }

    /** Reads back what {@link #encode} wrote. */
    public static Histogram decode(byte[] bytes) {
        try {
            Histogram h = Histogram.decodeFromByteBuffer(ByteBuffer.wrap(bytes), 0);
            h.setAutoResize(true);
            return h;
        } catch (RuntimeException e) {
            throw new IllegalStateException("corrupt histogram in store: " + e.getMessage(), e);
        }
    }

    /** Adds the histogram serialized in {@code bytes} (by {@link #encode}) to {@code target}. */
    public static void addEncoded(Histogram target, byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        try {
            int cookie = b.getInt();
            int payloadLength = b.getInt();
            int normalizingIndexOffset = b.getInt();
            int digits = b.getInt();
            long lowest = b.getLong();
            b.getLong(); // highest trackable value: the target resizes itself
            b.getDouble(); // integer to double conversion ratio: 1 for these histograms
            if ((cookie & ~0xf0) != V2_COOKIE_BASE || normalizingIndexOffset != 0 || digits != DIGITS || lowest != 1
                    || target.getLowestDiscernibleValue() != 1 || target.getNumberOfSignificantValueDigits() != DIGITS) {
                target.add(decode(bytes)); // not our usual shape: the general (slower) path
                return;
            }
            int end = b.position() + payloadLength;
            int index = 0;
            while (b.position() < end) {
                long count = zigZagLong(b);
                if (count < 0) {
                    index += (int) -count; // a run of empty buckets
                } else {
                    if (count > 0) target.recordValueWithCount(valueFromIndex(index), count);
                    index++;
                }
            }
        } catch (RuntimeException e) {
            throw new IllegalStateException("corrupt histogram in store: " + e.getMessage(), e);
        }
    }

    /** HdrHistogram's ZigZag LEB128-64b9B variable-length long (its own reader is package-private). */
    static long zigZagLong(ByteBuffer b) {
        long value = 0;
        for (int shift = 0; shift < 56; shift += 7) {
            long v = b.get();
            value |= (v & 0x7F) << shift;
            if ((v & 0x80) == 0) return (value >>> 1) ^ -(value & 1);
        }
        value |= ((long) b.get()) << 56; // the ninth byte carries 8 bits
        return (value >>> 1) ^ -(value & 1);
    }

    /** The lowest value of bucket {@code index} (HdrHistogram's layout with lowest value 1, 3 digits). */
    static long valueFromIndex(int index) {
        int bucketIndex = (index >> SUB_BUCKET_HALF_COUNT_MAGNITUDE) - 1;
        int subBucketIndex = (index & (SUB_BUCKET_HALF_COUNT - 1)) + SUB_BUCKET_HALF_COUNT;
        if (bucketIndex < 0) {
            subBucketIndex -= SUB_BUCKET_HALF_COUNT;
            bucketIndex = 0;
        }
        return (long) subBucketIndex << bucketIndex;
    }
}
