package io.hiq.lmk;

import static org.assertj.core.api.Assertions.assertThat;

import io.hiq.HiQ;
import io.hiq.lmk.testapp.Guide;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The guide's LMK example through the driver with {@code LMK_PATH}: real file, every line parsed. */
class LmkPathTest {
    @TempDir Path home;

    @Test
    void guideExampleWritesOneStartAndOneEndLinePerCallInOrder() throws Exception {
        Path file = home.resolve("logs/deeper/lmk.log"); // directories are created
        try (HiQ hiq = Runs.start(home, Map.of("LMK_PATH", file.toString()))) {
            Guide.main(new String[0]);
        }
        List<LmkLine> lines = LmkLine.parseFile(file);
        assertThat(lines).extracting(l -> l.marker() + l.tag()).containsExactly(
                LmkLine.START + "main", LmkLine.START + "func1", LmkLine.START + "func2",
                LmkLine.END + "func2", LmkLine.END + "func1", LmkLine.END + "main");
        long pid = ProcessHandle.current().pid();
        assertThat(lines).allSatisfy(l -> {
            assertThat(l.pid()).isEqualTo(pid);
            assertThat(l.metric()).isEqualTo("time");
            assertThat(l.fields()).containsEntry("thread", Thread.currentThread().getName());
        });
        // start lines of time carry no value (their timestamp is the reading); end lines the span in ms
        assertThat(lines.subList(0, 3)).allSatisfy(l -> assertThat(l.fields()).doesNotContainKey("value"));
        double func2 = Double.parseDouble(lines.get(3).fields().get("value"));
        double func1 = Double.parseDouble(lines.get(4).fields().get("value"));
        double main = Double.parseDouble(lines.get(5).fields().get("value"));
        assertThat(func2).isGreaterThanOrEqualTo(2.5);
        assertThat(func1).isGreaterThanOrEqualTo(4.0).isGreaterThanOrEqualTo(func2);
        assertThat(main).isGreaterThanOrEqualTo(func1);
        assertThat(lines.get(3).fields().get("value")).matches("\\d+\\.\\d{3}");
        // timestamps are wall-clock, in order, and the end of func2 is ≥ 2.5 ms after its start
        DateTimeFormatter f = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");
        List<LocalDateTime> ts = lines.stream().map(l -> LocalDateTime.parse(l.ts(), f)).toList();
        for (int i = 1; i < ts.size(); i++) assertThat(ts.get(i)).isAfterOrEqualTo(ts.get(i - 1));
        assertThat(java.time.Duration.between(ts.get(2), ts.get(3)).toNanos()).isGreaterThanOrEqualTo(2_400_000);
        assertThat(java.time.Duration.between(ts.get(0), LocalDateTime.now()).abs().toMinutes()).isLessThan(5);
    }

    @Test
    void appendsToAnExistingFile() throws Exception {
        Path file = home.resolve("lmk.log");
        Files.writeString(file, "kept\n");
        try (HiQ hiq = Runs.start(home, Map.of("LMK_PATH", file.toString()))) {
            Guide.call(1);
        }
        try (HiQ hiq = Runs.start(home, Map.of("LMK_PATH", file.toString()))) {
            Guide.call(2);
        }
        List<String> raw = Files.readAllLines(file, StandardCharsets.UTF_8);
        assertThat(raw).hasSize(5);
        assertThat(raw.get(0)).isEqualTo("kept");
        assertThat(raw.subList(1, 5).stream().map(LmkLine::parse).map(l -> l.fields().get("n")))
                .containsExactly(null, "1", null, "2");
    }

    @Test
    void exceptionEndLinesNameTheExceptionAndInternalTagsLoseTheirUnderscores() throws Exception {
        Path file = home.resolve("lmk.log");
        try (HiQ hiq = Runs.start(home, Map.of("LMK_PATH", file.toString()))) {
            Guide.catching();
        }
        List<String> raw = Files.readAllLines(file, StandardCharsets.UTF_8);
        // the exception's message has a line break: it is escaped, so the line stays one line
        assertThat(raw).hasSize(6);
        List<LmkLine> lines = raw.stream().map(LmkLine::parse).toList();
        assertThat(lines).extracting(l -> l.marker() + l.tag()).containsExactly(
                LmkLine.START + "catching", LmkLine.START + "failing", LmkLine.START + "func2",
                LmkLine.END + "func2", LmkLine.END + "failing", LmkLine.END + "catching");
        assertThat(lines.get(4).fields()).containsEntry("exception", "java.lang.IllegalStateException: boom\\nsecond line");
        assertThat(lines.get(4).extra()).endsWith(", exception=java.lang.IllegalStateException: boom\\nsecond line");
        assertThat(lines.get(3).fields()).doesNotContainKey("exception");
        assertThat(lines.get(5).fields()).doesNotContainKey("exception"); // caught inside: a normal return
    }

    @Test
    void withTheMemoryMetricStartLinesCarryTheReadingAndEndLinesTheBytesAllocated() throws Exception {
        Path file = home.resolve("lmk.log");
        try (HiQ hiq = Runs.builder(home, Map.of("LMK_PATH", file.toString()))
                .metrics(io.hiq.core.metric.Metric.MEMORY, io.hiq.core.metric.Metric.TIME).start()) {
            Guide.allocate(1 << 20);
        }
        List<LmkLine> lines = LmkLine.parseFile(file);
        assertThat(lines).hasSize(2);
        assertThat(lines).allSatisfy(l -> assertThat(l.metric()).isEqualTo("memory"));
        assertThat(lines.get(0).fields().get("value")).matches("\\d+"); // bytes the thread had allocated so far
        long span = Long.parseLong(lines.get(1).fields().get("value"));
        assertThat(span).isBetween(1L << 20, 2L << 20);
    }

    @Test
    void extrasRecordedDuringACallAreOnItsEndLine() throws Exception {
        Path file = home.resolve("lmk.log");
        try (HiQ hiq = Runs.start(home, Map.of("LMK_PATH", file.toString()))) {
            Guide.call(41);
        }
        List<LmkLine> lines = LmkLine.parseFile(file);
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0).fields()).doesNotContainKey("n");
        assertThat(lines.get(1).fields().keySet()).containsExactly("value", "thread", "n");
        assertThat(lines.get(1).fields()).containsEntry("n", "41");
    }
}
