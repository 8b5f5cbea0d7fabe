package io.hiq.lmk;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hiq.HiQ;
import io.hiq.lmk.testapp.Guide;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code LMK_FORMAT=json}: one JSON object per line, parsed with Jackson. */
class JsonFormatTest {
    @TempDir Path home;

    @Test
    void everyLineIsOneJsonObjectWithTheDocumentedFields() throws Exception {
        Path file = home.resolve("lmk.json");
        try (HiQ hiq = Runs.start(home, Map.of("LMK_PATH", file.toString(), "LMK_FORMAT", "JSON"))) {
            Guide.main(new String[0]);
            Guide.call(5);
            Guide.catching();
        }
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> lines = new ArrayList<>();
        for (String l : Files.readAllLines(file, StandardCharsets.UTF_8)) lines.add(json.readTree(l));
        assertThat(lines).hasSize(6 + 2 + 6);
        assertThat(lines).extracting(n -> n.get("event").asText() + " " + n.get("tag").asText()).containsExactly(
                "start main", "start func1", "start func2", "end func2", "end func1", "end main",
                "start call", "end call",
                "start catching", "start failing", "start func2", "end func2", "end failing", "end catching");
        long pid = ProcessHandle.current().pid();
        for (JsonNode n : lines) {
            assertThat(n.fieldNames()).toIterable()
                    .containsExactly("ts", "metric", "pid", "thread", "event", "tag", "value", "unit", "extra");
            assertThat(n.get("pid").asLong()).isEqualTo(pid);
            assertThat(n.get("metric").asText()).isEqualTo("time");
            assertThat(n.get("unit").asText()).isEqualTo("ms");
            assertThat(n.get("thread").asText()).isEqualTo(Thread.currentThread().getName());
            Instant ts = Instant.parse(n.get("ts").asText());
            assertThat(Duration.between(ts, Instant.now()).abs().toMinutes()).isLessThan(5);
            assertThat(n.get("ts").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z");
            if (n.get("event").asText().equals("start")) assertThat(n.get("value").isNull()).isTrue();
            else assertThat(n.get("value").isNumber()).isTrue();
        }
        assertThat(lines.get(3).get("value").asDouble()).isGreaterThanOrEqualTo(2.5);
        assertThat(lines.get(7).get("extra").get("n").isInt()).isTrue();
        assertThat(lines.get(7).get("extra").get("n").asInt()).isEqualTo(5);
        assertThat(lines.get(12).get("extra").get("exception").asText())
                .isEqualTo("java.lang.IllegalStateException: boom\nsecond line");
        assertThat(lines.get(13).get("extra").size()).isZero();
    }
}
