package io.hiq.consumer.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Percentiles stay within the recorded [min, max]: HdrHistogram reports a bucket's highest equivalent
 * value, which for 35.844 ms lies 16 µs higher (the {@code /api/stats} report of p99 above max).
 */
class PercentileClampTest {
    private static final long V = 35_844_000L;

    @Test
    void aSingleValueIsEveryPercentile() {
        Aggregate a = new Aggregate();
        a.record(V);
        assertThat(a.histogram().getValueAtPercentile(99)).as("the raw histogram overshoots").isGreaterThan(V);
        assertThat(a.percentile(50)).isEqualTo(V);
        assertThat(a.percentile(95)).isEqualTo(V);
        assertThat(a.percentile(99)).isEqualTo(V);
        assertThat(a.percentile(100)).isEqualTo(a.max());
    }

    @Test
    void mergedRowsAreClampedToTheirExactExtremes() {
        Aggregate row = new Aggregate();
        for (long v = 35_000_000L; v <= V; v += 4_000L) row.record(v);
        Aggregate merged = new Aggregate();
        merged.mergeEncoded(row.count(), row.sum(), row.min(), row.max(), Histograms.encode(row.histogram()));
        for (double p : new double[] {0, 1, 50, 95, 99, 99.9, 100}) {
            assertThat(merged.percentile(p)).as("p%s", p).isBetween(merged.min(), merged.max());
        }
        assertThat(merged.percentile(99)).isLessThanOrEqualTo(V);
        assertThat(merged.percentile(0)).isEqualTo(35_000_000L);
    }

    @Test
    void emptyIsZero() {
        assertThat(new Aggregate().percentile(99)).isZero();
    }
}
