package io.hiq.consumer.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.hiq.tree.HiQTree;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.assertj.core.data.Offset;

/**
 * Checks an {@code /api/stats} answer against an exact recount from trees: counts and max exact,
 * mean to floating-point precision, percentiles within 1 % of the exact rank value (DESIGN B6).
 */
public final class StatsCheck {
    private StatsCheck() {}

    /** The exact value HdrHistogram's percentile stands for: rank max(1, ceil(p·n)) of the sorted spans. */
    public static long exactPercentile(List<Long> spans, double p) {
        List<Long> sorted = new ArrayList<>(spans);
        Collections.sort(sorted);
        long rank = Math.max(1, (long) Math.ceil(Math.nextDown(p) / 100.0 * sorted.size()));
        return Math.max(0, sorted.get((int) Math.min(sorted.size(), rank) - 1));
    }

    /** Asserts that {@code stats} (the /api/stats JSON) matches the trees exactly. */
    public static void assertMatches(JsonNode stats, Iterable<HiQTree> trees) {
        Map<String, List<Long>> expected = TestTrees.spansByTag(trees);
        Map<String, JsonNode> actual = new TreeMap<>();
        stats.get("tags").forEach(t -> actual.put(t.get("tag").asText(), t));
        assertThat(actual.keySet()).containsExactlyElementsOf(expected.keySet());
        expected.forEach((tag, spans) -> {
            JsonNode t = actual.get(tag);
            assertThat(t.get("count").asLong()).as("count of %s", tag).isEqualTo(spans.size());
            long max = spans.stream().mapToLong(v -> Math.max(0, v)).max().orElseThrow();
            assertThat(t.get("max_ms").asDouble()).as("max of %s", tag).isCloseTo(max / 1e6, within(1e-9));
            double mean = spans.stream().mapToLong(v -> Math.max(0, v)).sum() / (double) spans.size() / 1e6;
            assertThat(t.get("mean_ms").asDouble()).as("mean of %s", tag).isCloseTo(mean, within(1e-6));
            for (double p : new double[] {50, 95, 99}) {
                double exact = exactPercentile(spans, p) / 1e6;
                String field = "p" + (int) p + "_ms";
                assertThat(t.get(field).asDouble()).as("%s of %s", field, tag)
                        .isCloseTo(exact, Offset.offset(exact * 0.01 + 1e-6));
            }
        });
    }
}
