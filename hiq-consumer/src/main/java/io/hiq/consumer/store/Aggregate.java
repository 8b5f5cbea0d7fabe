package io.hiq.consumer.store;

import org.HdrHistogram.Histogram;

/**
 * Count, sum, min, max and a histogram of span values in nanoseconds: one roll-up row, or the merge
 * of several. Counts, sums and extremes are exact; percentiles come from the histogram.
 *
 * <p>Sums and counts saturate at {@link Long#MAX_VALUE} instead of wrapping around: an overflowing
 * sum would turn a tag's mean negative. The ingest side bounds a single span (see
 * {@code TreeValidator.MAX_SPAN_NS}), so saturation needs about 290 maximal spans in one roll-up row.
 */
public final class Aggregate {
    private long count;
    private long sum;
    private long min = Long.MAX_VALUE;
    private long max = Long.MIN_VALUE;
    private final Histogram histogram;

    /** An empty aggregate. */
    public Aggregate() { this.histogram = Histograms.empty(); }

    /** An aggregate with the given values (read from a stored row). */
    public Aggregate(long count, long sum, long min, long max, Histogram histogram) {
        this.count = count;
        this.sum = sum;
        this.min = min;
        this.max = max;
        this.histogram = histogram;
    }

    /** Records one span. */
    public void record(long valueNs) {
        long v = Math.max(0, valueNs);
        count = saturatedAdd(count, 1);
        sum = saturatedAdd(sum, v);
        min = Math.min(min, v);
        max = Math.max(max, v);
        histogram.recordValue(v);
    }

    /** Adds a stored row (its histogram still serialized) into this aggregate. */
    public void mergeEncoded(long count, long sum, long min, long max, byte[] histogram) {
        if (count == 0) return;
        this.count = saturatedAdd(this.count, count);
        this.sum = saturatedAdd(this.sum, Math.max(0, sum));
        this.min = Math.min(this.min, min);
        this.max = Math.max(this.max, max);
        Histograms.addEncoded(this.histogram, histogram);
    }

    /** Adds another aggregate into this one. */
    public void merge(Aggregate o) {
        if (o.count == 0) return;
        count = saturatedAdd(count, o.count);
        sum = saturatedAdd(sum, o.sum);
        min = Math.min(min, o.min);
        max = Math.max(max, o.max);
        histogram.add(o.histogram);
    }

    /** {@code a + b} for non-negative values, {@link Long#MAX_VALUE} when that would overflow. */
    public static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? (r < 0 ? Long.MAX_VALUE : Long.MIN_VALUE) : r;
    }

    public long count() { return count; }
    public long sum() { return sum; }
    public long min() { return count == 0 ? 0 : min; }
    public long max() { return count == 0 ? 0 : max; }
    public Histogram histogram() { return histogram; }

    /**
     * The value at {@code percentile} (0–100) in nanoseconds, within [{@link #min()}, {@link #max()}];
     * 0 when empty. HdrHistogram answers with the highest value equivalent to the bucket's (within its
     * 0.1 %), which can lie above the largest value recorded: {@code /api/stats} showed p99 35.848 ms
     * beside a max of 35.844 ms. The exact min and max bound any percentile, so the answer is clamped.
     */
    public long percentile(double percentile) {
        if (count == 0) return 0;
        return Math.max(min, Math.min(max, histogram.getValueAtPercentile(percentile)));
    }

    /** Mean in nanoseconds; 0 when empty. */
    public double mean() { return count == 0 ? 0 : (double) sum / count; }
}
