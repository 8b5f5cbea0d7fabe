package io.hiq.consumer.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/**
 * {@link RollupCounts} against HdrHistogram itself: the same bucket of every value, and encoded
 * roll-ups that decode to exactly the histogram the library builds from the same spans — alone and
 * merged with stored rows written by the library (rows of earlier versions) or by itself.
 */
class RollupCountsTest {
    private static long span(SplittableRandom rnd) {
        return switch (rnd.nextInt(6)) {
            case 0 -> rnd.nextLong(0, 4_096);                 // the exact sub-buckets, 0 included
            case 1 -> rnd.nextLong(0, 10_000_000);            // up to 10 ms
            case 2 -> rnd.nextLong(0, 60_000_000_000L);       // up to a minute
            case 3 -> TreeValidatorMax.MAX;                   // the largest span accepted
            case 4 -> (1L << rnd.nextInt(0, 45)) + rnd.nextInt(-1, 2); // powers of two and their neighbours
            default -> rnd.nextLong(0, TreeValidatorMax.MAX);
        };
    }

    /** io.hiq.consumer.ingest.TreeValidator.MAX_SPAN_NS, without depending on the ingest package here. */
    private static final class TreeValidatorMax {
        static final long MAX = 366L * 24 * 3600 * 1_000_000_000L;
    }

    @Test
    void everyValueFallsInTheLibrarysBucket() {
        Histogram h = Histograms.empty();
        SplittableRandom rnd = new SplittableRandom(1);
        for (int i = 0; i < 200_000; i++) {
            long v = span(rnd);
            h.recordValue(v);
            // the library's index of v: the lowest value of the bucket maps back to the same index
            long lowest = h.lowestEquivalentValue(v);
            assertThat(Histograms.valueFromIndex(Histograms.bucketIndex(v))).as("bucket of %d", v).isEqualTo(lowest);
        }
    }

    @Test
    void encodedRollupsDecodeToTheLibrarysHistogramAloneAndMerged() {
        SplittableRandom rnd = new SplittableRandom(2);
        for (int round = 0; round < 300; round++) {
            int n = 1 + rnd.nextInt(round % 10 == 0 ? 5_000 : 60);
            long[] values = new long[n];
            Histogram expected = Histograms.empty();
            long sum = 0;
            for (int i = 0; i < n; i++) {
                values[i] = span(rnd);
                expected.recordValue(values[i]);
                sum = Aggregate.saturatedAdd(sum, values[i]);
            }
            RollupCounts r = RollupCounts.of(values.clone(), n);
            assertThat(r.count()).isEqualTo(n);
            assertThat(r.sum()).isEqualTo(sum);
            assertThat(Histograms.decode(r.encode())).as("round %d alone", round).isEqualTo(expected);
            // merged with stored rows: one encoded by the library, one by RollupCounts, one empty
            List<byte[]> stored = new ArrayList<>();
            for (int k = 0; k < 3; k++) {
                Histogram row = Histograms.empty();
                long rowSum = 0;
                int m = k == 2 ? 0 : 1 + rnd.nextInt(100);
                long[] rowValues = new long[m];
                for (int i = 0; i < m; i++) {
                    rowValues[i] = span(rnd);
                    row.recordValue(rowValues[i]);
                    expected.recordValue(rowValues[i]);
                    rowSum = Aggregate.saturatedAdd(rowSum, rowValues[i]);
                }
                byte[] bytes = k == 0 ? Histograms.encode(row) : RollupCounts.of(rowValues, m).encode();
                r.mergeEncoded(m, rowSum, m == 0 ? 0 : row.getMinValue(), m == 0 ? 0 : row.getMaxValue(), bytes);
                sum = Aggregate.saturatedAdd(sum, rowSum);
            }
            assertThat(Histograms.decode(r.encode())).as("round %d merged", round).isEqualTo(expected);
            assertThat(r.count()).isEqualTo(expected.getTotalCount());
            assertThat(r.sum()).isEqualTo(sum);
            // the readers' fast path takes the new rows in as the library's own
            Histogram target = Histograms.empty();
            Histograms.addEncoded(target, r.encode());
            assertThat(target).isEqualTo(expected);
        }
    }
}
