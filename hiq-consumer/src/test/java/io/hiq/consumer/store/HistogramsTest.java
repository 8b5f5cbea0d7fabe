package io.hiq.consumer.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** The fast merge of serialized histograms gives exactly what decoding and adding gives. */
class HistogramsTest {
    @Test
    void addEncodedEqualsDecodeAndAdd() {
        Random rnd = new Random(17);
        for (int round = 0; round < 50; round++) {
            Histogram target = Histograms.empty();
            Histogram reference = Histograms.empty();
            for (int part = 0; part < 5; part++) {
                Histogram h = Histograms.empty();
                int n = rnd.nextInt(2000);
                long scale = (long) Math.pow(10, rnd.nextInt(12)); // 1 ns … 1000 s
                for (int i = 0; i < n; i++) h.recordValueWithCount((long) (rnd.nextDouble() * scale), 1 + rnd.nextInt(3));
                if (rnd.nextInt(10) == 0) h.recordValue(0);
                byte[] bytes = Histograms.encode(h);
                Histograms.addEncoded(target, bytes);
                reference.add(Histograms.decode(bytes));
                assertThat(Histograms.decode(bytes)).isEqualTo(h);
            }
            assertThat(target.getTotalCount()).isEqualTo(reference.getTotalCount());
            assertThat(target).isEqualTo(reference);
            for (double p : new double[] {0, 50, 95, 99, 99.9, 100}) {
                assertThat(target.getValueAtPercentile(p)).isEqualTo(reference.getValueAtPercentile(p));
            }
        }
    }

    @Test
    void valueOfEveryIndexMapsBackToItsIndex() {
        Histogram h = Histograms.empty();
        for (int index = 0; index < 40 * 1024; index++) {
            long v = Histograms.valueFromIndex(index);
            h.reset();
            h.recordValue(v);
            assertThat(h.lowestEquivalentValue(v)).isEqualTo(v);
            assertThat(h.getMaxValue()).isEqualTo(h.highestEquivalentValue(v));
        }
    }
}
