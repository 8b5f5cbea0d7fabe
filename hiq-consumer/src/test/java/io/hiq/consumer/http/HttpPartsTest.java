package io.hiq.consumer.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hiq.consumer.store.TagStats;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Parameter parsing and the Prometheus exposition text. */
class HttpPartsTest {
    @Test
    void timeParameters() {
        assertThat(TimeParam.parse("from", null)).isNull();
        assertThat(TimeParam.parse("from", "1700000000000")).isEqualTo(1_700_000_000_000L);
        assertThat(TimeParam.parse("from", "2023-11-14T22:13:20Z")).isEqualTo(1_700_000_000_000L);
        assertThat(TimeParam.parse("from", "2023-11-14T23:13:20+01:00")).isEqualTo(1_700_000_000_000L);
        assertThatThrownBy(() -> TimeParam.parse("to", "soon")).isInstanceOf(BadRequestException.class).hasMessageContaining("'to'");
    }

    @Test
    void prometheusNamesAndLabelsAreSafe() {
        String text = new PrometheusText()
                .metric("hiq_consumer_lag", "gauge", "lag", 3)
                .summaries(List.of(new TagStats("we\"b\n", "<script>x", 2, 3.0, 1.5, 1.0, 2.0, 2.0, 2.0),
                        new TagStats("s", "consumer_lag", 1, 1, 1, 1, 1, 1, 1),
                        new TagStats("s", "old", 4, 8, 2, Double.NaN, Double.NaN, Double.NaN, 3)), Set.of("hiq_consumer_lag"))
                .toString();
        assertThat(text).contains("hiq_consumer_lag 3\n");
        assertThat(text).contains("# TYPE hiq__script_x summary\n");
        assertThat(text).contains("hiq__script_x{service=\"we\\\"b\\n\",quantile=\"0.5\"} 0.001\n");
        assertThat(text).contains("hiq__script_x_count{service=\"we\\\"b\\n\"} 2\n");
        assertThat(text).contains("hiq__script_x_sum{service=\"we\\\"b\\n\"} 0.003\n");
        assertThat(text).contains("hiq_old{service=\"s\",quantile=\"0.95\"} NaN\n").contains("hiq_old_count{service=\"s\"} 4\n");
        assertThat(text).as("a tag may not shadow the service's own metrics").doesNotContain("hiq_consumer_lag{");
        for (String line : text.split("\n")) {
            assertThat(line).matches("# (HELP|TYPE) .*|[a-zA-Z_][a-zA-Z0-9_]*(\\{.*\\})? ([0-9.E-]+|NaN)");
        }
    }

    @Test
    void bearerTokenComparison() {
        BearerAuth off = new BearerAuth(null);
        assertThat(off.enabled()).isFalse();
        BearerAuth on = new BearerAuth("abc");
        assertThat(on.matches("abc")).isTrue();
        assertThat(on.matches("abcd")).isFalse();
        assertThat(on.matches(null)).isFalse();
    }
}
