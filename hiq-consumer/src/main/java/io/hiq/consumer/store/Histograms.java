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
        boolean usual = target.getLowestDiscernibleValue() == 1 && target.getNumberOfSignificantValueDigits() == DIGITS
                && forEachBucket(bytes, (index, count) -> target.recordValueWithCount(valueFromIndex(index), count));
        if (!usual) target.add(decode(bytes)); // not our usual shape: the general (slower) path
    }

    /** Receives the non-empty buckets of a serialized histogram, in index order. */
    @FunctionalInterface
    interface BucketSink { void bucket(int index, long count); }

    /**
     * Walks the non-empty buckets of a histogram serialized in the V2 encoding with the store's layout
     * (lowest discernible value 1, {@link #DIGITS} digits, no index offset): the one loop that reads
     * that format, for {@link #addEncoded} and {@link RollupCounts}. False, having walked nothing, for
     * any other shape ({@link #decode} reads those); a corrupt row is an {@link IllegalStateException}.
     */
    static boolean forEachBucket(byte[] bytes, BucketSink sink) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        try {
            int cookie = b.getInt();
            int payloadLength = b.getInt();
            int normalizingIndexOffset = b.getInt();
            int digits = b.getInt();
            long lowest = b.getLong();
            b.getLong(); // highest trackable value: the reader sizes itself
            b.getDouble(); // integer to double conversion ratio: 1 for these histograms
            if ((cookie & ~0xf0) != V2_COOKIE_BASE || normalizingIndexOffset != 0 || digits != DIGITS || lowest != 1) return false;
            int end = b.position() + payloadLength;
            int index = 0;
            while (b.position() < end) {
                long count = zigZagLong(b);
                if (count < 0) {
                    index += (int) -count; // a run of empty buckets
                } else {
                    if (count > 0) sink.bucket(index, count);
                    index++;
                }
            }
            return true;
        } catch (RuntimeException e) {
            throw new IllegalStateException("corrupt histogram in store: " + e.getMessage(), e);
        }
    }

    /**
     * Serializes sorted non-empty buckets ({@code size} of them) in the V2 encoding, as
     * {@code AbstractHistogram.encodeIntoByteBuffer} writes a histogram with those counts: counts
     * from bucket 0 to the last non-empty one, a run of empty buckets as its negated length (a single
     * empty bucket as 0). {@code max} is the largest value recorded (a decoder sizes itself from it).
     */
    static byte[] encodeBuckets(int[] index, long[] counts, int size, long max) {
        ByteBuffer b = ByteBuffer.allocate(40 + size * 18); // header; at most two 9-byte varints per bucket
        b.putInt(V2_COOKIE_BASE | 0x10);
        b.putInt(0); // payload length, below
        b.putInt(0); // normalizing index offset
        b.putInt(DIGITS);
        b.putLong(1); // lowest discernible value
        b.putLong(Math.max(2, max)); // highest trackable value
        b.putDouble(1.0); // integer to double conversion ratio
        int start = b.position();
        int next = 0;
        for (int i = 0; i < size; i++) {
            int gap = index[i] - next;
            if (gap == 1) putZigZag(b, 0);
            else if (gap > 1) putZigZag(b, -gap);
            putZigZag(b, counts[i]);
            next = index[i] + 1;
        }
        b.putInt(4, b.position() - start);
        return java.util.Arrays.copyOf(b.array(), b.position());
    }

    /** The index of {@code value}'s bucket in HdrHistogram's counts array (lowest value 1, 3 digits); see {@link #valueFromIndex}. */
    static int bucketIndex(long value) {
        int bucket = 64 - SUB_BUCKET_HALF_COUNT_MAGNITUDE - 1 - Long.numberOfLeadingZeros(value | (2L * SUB_BUCKET_HALF_COUNT - 1));
        int subBucket = (int) (value >>> bucket);
        return ((bucket + 1) << SUB_BUCKET_HALF_COUNT_MAGNITUDE) + (subBucket - SUB_BUCKET_HALF_COUNT);
    }

    /** HdrHistogram's ZigZag LEB128-64b9B variable-length long, written (the inverse of {@link #zigZagLong}). */
    private static void putZigZag(ByteBuffer b, long value) {
        long v = (value << 1) ^ (value >> 63);
        for (int i = 0; i < 8; i++) {
            if ((v >>> 7) == 0) {
                b.put((byte) v);
                return;
            }
            b.put((byte) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        b.put((byte) v); // the ninth byte carries 8 bits
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
