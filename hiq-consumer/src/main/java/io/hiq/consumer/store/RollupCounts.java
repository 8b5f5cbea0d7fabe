package io.hiq.consumer.store;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * One roll-up row as the ingest thread builds it: count, sum, min, max and the histogram's non-empty
 * buckets only, as sorted (bucket index, count) pairs — written in HdrHistogram's V2 encoding, the
 * same bytes a {@link Histogram} with those counts encodes to, so every reader ({@link Aggregate},
 * {@link Histograms#addEncoded}) is unchanged.
 *
 * <p>Why not a {@link Histogram}: a nanosecond histogram with 3 significant digits holds a dense
 * array of ~26 000 counts (213 KB) for spans up to a minute; the ingest thread made one per roll-up
 * key per batch, plus a buffer of the same size to encode it, while a key of a batch has at most a
 * few hundred non-empty buckets. Those two arrays were the largest share of the ingest thread's
 * allocations (docs/PERFORMANCE.md §18). Here a batch's spans of one key become bucket indices,
 * sorted and counted; a stored row is merged pair by pair.
 *
 * <p>The bucket layout is HdrHistogram's for a lowest discernible value of 1 and 3 significant
 * digits ({@link Histograms#DIGITS}); {@code RollupCountsTest} checks it against the library.
 */
final class RollupCounts {
    private static final int V2_COOKIE = 0x1c849303 | 0x10;
    /** log2 of half the sub-bucket count (3 digits: 2048 sub-buckets). */
    private static final int HALF_MAGNITUDE = 10;
    private static final long SUB_BUCKET_MASK = (1L << (HALF_MAGNITUDE + 1)) - 1;
    private static final int LEADING_ZERO_BASE = 64 - HALF_MAGNITUDE - 1;

    private long count;
    private long sum;
    private long min = Long.MAX_VALUE;
    private long max = Long.MIN_VALUE;
    /** Sorted distinct bucket indices and their counts, {@code size} of them. */
    private int[] index;
    private long[] counts;
    private int size;

    private RollupCounts(int[] index, long[] counts, int size) {
        this.index = index;
        this.counts = counts;
        this.size = size;
    }

    /** The roll-up of {@code n} spans (ns, negative ones taken as 0); {@code values} is reordered. */
    static RollupCounts of(long[] values, int n) {
        int[] idx = new int[n];
        long c = 0;
        long s = 0;
        long lo = Long.MAX_VALUE;
        long hi = Long.MIN_VALUE;
        for (int i = 0; i < n; i++) {
            long v = Math.max(0, values[i]);
            idx[i] = bucketIndex(v);
            c++;
            s = Aggregate.saturatedAdd(s, v);
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        Arrays.sort(idx);
        int[] outIdx = new int[Math.min(n, 16)];
        long[] outCounts = new long[outIdx.length];
        int size = 0;
        for (int i = 0; i < n; ) {
            int j = i;
            while (j < n && idx[j] == idx[i]) j++;
            if (size == outIdx.length) {
                outIdx = Arrays.copyOf(outIdx, Math.min(n, size * 2));
                outCounts = Arrays.copyOf(outCounts, outIdx.length);
            }
            outIdx[size] = idx[i];
            outCounts[size++] = j - i;
            i = j;
        }
        RollupCounts r = new RollupCounts(outIdx, outCounts, size);
        r.count = c;
        r.sum = s;
        r.min = lo;
        r.max = hi;
        return r;
    }

    /** Adds a stored row whose histogram is still serialized (V2, or anything {@link Histograms#decode} reads). */
    void mergeEncoded(long count, long sum, long min, long max, byte[] histogram) {
        if (count == 0) return;
        this.count = Aggregate.saturatedAdd(this.count, count);
        this.sum = Aggregate.saturatedAdd(this.sum, Math.max(0, sum));
        this.min = Math.min(this.min, min);
        this.max = Math.max(this.max, max);
        int[] oIdx = new int[64];
        long[] oCounts = new long[64];
        int n = 0;
        ByteBuffer b = ByteBuffer.wrap(histogram);
        int cookie = b.getInt();
        int payloadLength = b.getInt();
        int normalizingIndexOffset = b.getInt();
        int digits = b.getInt();
        long lowest = b.getLong();
        if ((cookie & ~0xf0) == (V2_COOKIE & ~0xf0) && normalizingIndexOffset == 0 && digits == Histograms.DIGITS && lowest == 1) {
            b.getLong(); // highest trackable value
            b.getDouble(); // conversion ratio
            int end = b.position() + payloadLength;
            int at = 0;
            while (b.position() < end) {
                long c = Histograms.zigZagLong(b);
                if (c < 0) {
                    at += (int) -c;
                } else {
                    if (c > 0) {
                        if (n == oIdx.length) {
                            oIdx = Arrays.copyOf(oIdx, n * 2);
                            oCounts = Arrays.copyOf(oCounts, n * 2);
                        }
                        oIdx[n] = at;
                        oCounts[n++] = c;
                    }
                    at++;
                }
            }
        } else { // not the usual shape: through the library
            for (HistogramIterationValue v : Histograms.decode(histogram).recordedValues()) {
                if (n == oIdx.length) {
                    oIdx = Arrays.copyOf(oIdx, n * 2);
                    oCounts = Arrays.copyOf(oCounts, n * 2);
                }
                oIdx[n] = bucketIndex(v.getValueIteratedTo());
                oCounts[n++] = v.getCountAtValueIteratedTo();
            }
        }
        merge(oIdx, oCounts, n);
    }

    /** Merges sorted pairs into this one's. */
    private void merge(int[] oIdx, long[] oCounts, int n) {
        int[] mIdx = new int[size + n];
        long[] mCounts = new long[size + n];
        int i = 0;
        int j = 0;
        int m = 0;
        while (i < size || j < n) {
            if (j >= n || (i < size && index[i] < oIdx[j])) {
                mIdx[m] = index[i];
                mCounts[m++] = counts[i++];
            } else if (i >= size || oIdx[j] < index[i]) {
                mIdx[m] = oIdx[j];
                mCounts[m++] = oCounts[j++];
            } else {
                mIdx[m] = index[i];
                mCounts[m++] = Aggregate.saturatedAdd(counts[i++], oCounts[j++]);
            }
        }
        index = mIdx;
        counts = mCounts;
        size = m;
    }

    long count() { return count; }
    long sum() { return sum; }
    long min() { return count == 0 ? 0 : min; }
    long max() { return count == 0 ? 0 : max; }

    /**
     * The histogram in HdrHistogram's V2 encoding: the counts from bucket 0 to the last non-empty one,
     * a run of empty buckets written as its negated length (a single empty bucket as 0), as
     * {@code AbstractHistogram.encodeIntoByteBuffer} writes them.
     */
    byte[] encode() {
        // header 40 bytes; each pair at most two varints of 9 bytes
        ByteBuffer b = ByteBuffer.allocate(40 + size * 18);
        b.putInt(V2_COOKIE);
        b.putInt(0); // payload length, below
        b.putInt(0); // normalizing index offset
        b.putInt(Histograms.DIGITS);
        b.putLong(1); // lowest discernible value
        b.putLong(Math.max(2, max())); // highest trackable value: a decoder sizes its array from it
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
        return Arrays.copyOf(b.array(), b.position());
    }

    /** HdrHistogram's ZigZag LEB128-64b9B variable-length long (the inverse of {@link Histograms#zigZagLong}). */
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

    /** The index of {@code value}'s bucket in HdrHistogram's counts array (lowest value 1, 3 digits). */
    static int bucketIndex(long value) {
        int bucket = LEADING_ZERO_BASE - Long.numberOfLeadingZeros(value | SUB_BUCKET_MASK);
        int subBucket = (int) (value >>> bucket);
        return ((bucket + 1) << HALF_MAGNITUDE) + (subBucket - (1 << HALF_MAGNITUDE));
    }
}
