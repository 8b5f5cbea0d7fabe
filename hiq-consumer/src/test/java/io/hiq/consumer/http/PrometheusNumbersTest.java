package io.hiq.consumer.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.hiq.consumer.store.TagStats;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Numbers in {@code /metrics}: seconds as whole nanoseconds, other values without binary noise. */
class PrometheusNumbersTest {
    @Test
    void secondsHaveAtMostNineDecimals() {
        // 2 529 279 ns went through ms: printed as 0.0025292789999999997 before
        double ms = 2_529_279 / 1e6;
        assertThat(Double.toString(ms / 1000.0)).isEqualTo("0.0025292789999999997");
        assertThat(PrometheusText.seconds(ms)).isEqualTo("0.002529279");
        assertThat(PrometheusText.seconds(0)).isEqualTo("0");
        assertThat(PrometheusText.seconds(1000)).isEqualTo("1");
        assertThat(PrometheusText.seconds(0.000_001)).isEqualTo("0.000000001");
        assertThat(PrometheusText.seconds(Double.NaN)).isEqualTo("NaN");
        assertThat(PrometheusText.seconds(9.2e12)).isEqualTo("9200000000");
    }

    @Test
    void otherValuesAreRoundedToTwelveDigits() {
        assertThat(PrometheusText.number(0.1 + 0.2)).isEqualTo("0.3");
        assertThat(PrometheusText.number(42)).isEqualTo("42");
        assertThat(PrometheusText.number(1.5e-7)).isEqualTo("1.5E-7");
        assertThat(PrometheusText.number(Double.POSITIVE_INFINITY)).isEqualTo("+Inf");
        assertThat(PrometheusText.number(2.0 / 3)).isEqualTo("0.666666666667");
    }

    @Test
    void summariesPrintRoundedSeconds() {
        TagStats s = new TagStats("svc", "work", 3, 3 * 2_529_279 / 1e6, 2_529_279 / 1e6,
                2_529_279 / 1e6, 2_529_279 / 1e6, 2_529_279 / 1e6, 2_529_279 / 1e6);
        String text = new PrometheusText().summaries(List.of(s), Set.of()).toString();
        assertThat(text).contains("hiq_work{service=\"svc\",quantile=\"0.99\"} 0.002529279\n")
                .contains("hiq_work_sum{service=\"svc\"} 0.007587837\n")
                .doesNotContain("99999");
    }
}
