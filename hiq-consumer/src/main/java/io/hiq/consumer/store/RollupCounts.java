package io.hiq.consumer.store;

import java.util.Arrays;
import org.HdrHistogram.HistogramIterationValue;

/**
 * One roll-up row as the ingest thread builds it: count, sum, min, max and the histogram's non-empty
 * buckets only, as sorted (bucket index, count) pairs — written in HdrHistogram's V2 encoding, the
 * same bytes a {@code Histogram} with those counts encodes to, so every reader ({@link Aggregate},
 * {@link Histograms#addEncoded}) is unchanged.
 *
 * <p>Why not a {@code Histogram}: a nanosecond histogram with 3 significant digits holds a dense
 * array of ~26 000 counts (213 KB) for spans up to a minute; the ingest thread made one per roll-up
 * key per batch, plus a buffer of the same size to encode it, while a key of a batch has at most a
 * few hundred non-empty buckets. Those two arrays were the largest share of the ingest thread's
 * allocations (docs/PERFORMANCE.md §18). Here a batch's spans of one key become bucket indices,
 * sorted and counted; a stored row is merged pair by pair.
 *
 * <p>The bucket layout and the encoding are {@link Histograms}' (HdrHistogram's for a lowest
 * discernible value of 1 and {@link Histograms#DIGITS} digits); {@code RollupCountsTest} checks
 * them against the library.
 */
final class RollupCounts {
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
        long s = 0;
        long lo = Long.MAX_VALUE;
        long hi = Long.MIN_VALUE;
        for (int i = 0; i < n; i++) {
            long v = Math.max(0, values[i]);
            idx[i] = Histograms.bucketIndex(v);
            s = Aggregate.saturatedAdd(s, v);
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        Arrays.sort(idx);
        Buckets out = new Buckets(Math.min(n, 16));
        for (int i = 0; i < n; ) {
            int j = i;
            while (j < n && idx[j] == idx[i]) j++;
            out.bucket(idx[i], j - i);
            i = j;
        }
        RollupCounts r = new RollupCounts(out.index, out.counts, out.size);
        r.count = n;
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
        Buckets stored = new Buckets(64);
        if (!Histograms.forEachBucket(histogram, stored)) { // not the usual shape: through the library
            for (HistogramIterationValue v : Histograms.decode(histogram).recordedValues()) {
                stored.bucket(Histograms.bucketIndex(v.getValueIteratedTo()), v.getCountAtValueIteratedTo());
            }
        }
        merge(stored.index, stored.counts, stored.size);
    }

    /** Sorted (index, count) pairs as they are appended. */
    private static final class Buckets implements Histograms.BucketSink {
        int[] index;
        long[] counts;
        int size;

        Buckets(int capacity) {
            index = new int[Math.max(1, capacity)];
            counts = new long[index.length];
        }

        @Override
        public void bucket(int i, long count) {
            if (size == index.length) {
                index = Arrays.copyOf(index, size * 2);
                counts = Arrays.copyOf(counts, size * 2);
            }
            index[size] = i;
            counts[size++] = count;
        }
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

    /** The histogram in HdrHistogram's V2 encoding ({@link Histograms#encodeBuckets}). */
    byte[] encode() { return Histograms.encodeBuckets(index, counts, size, max()); }
}
