package io.hiq.core.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** HIQ_FLUSH_TIMEOUT is bounded: a bad value is reported once, naming the variable, and the default is used. */
class FlushTimeoutTest {
    static Duration parse(String v, List<String> warnings) {
        return RuntimeOptions.flushTimeout(Settings.of(Map.of("HIQ_FLUSH_TIMEOUT", v)), warnings::add);
    }

    @Test
    void validValuesAreKept() {
        List<String> w = new ArrayList<>();
        assertThat(parse("30", w)).isEqualTo(Duration.ofSeconds(30));
        assertThat(parse("0.5", w)).isEqualTo(Duration.ofMillis(500));
        assertThat(parse("0", w)).isZero();
        assertThat(parse("3600", w)).isEqualTo(Duration.ofHours(1));
        assertThat(w).isEmpty();
    }

    @Test
    void infinityGarbageAndOutOfBoundsFallBackToTheDefaultWithOneClearLine() {
        for (String bad : List.of("Infinity", "NaN", "-1", "3601", "1e300", "soon", "5\n\u001b[31m")) {
            List<String> w = new ArrayList<>();
            assertThat(parse(bad, w)).as(bad).isEqualTo(Duration.ofSeconds(5));
            assertThat(w).as(bad).hasSize(1);
            assertThat(w.get(0)).startsWith("HIQ_FLUSH_TIMEOUT:").contains("using 5 s").doesNotContain("\n").doesNotContain("\u001b");
        }
    }

    @Test
    void theRuntimeStartsWithABadValue() {
        RuntimeOptions o = RuntimeOptions.fromSettings(Settings.of(Map.of("HIQ_FLUSH_TIMEOUT", "Infinity")));
        assertThat(o.flushTimeout()).isEqualTo(Duration.ofSeconds(5));
    }
}
