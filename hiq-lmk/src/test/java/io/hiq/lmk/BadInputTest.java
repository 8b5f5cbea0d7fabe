package io.hiq.lmk;

import static org.assertj.core.api.Assertions.assertThat;

import io.hiq.HiQ;
import io.hiq.lmk.testapp.Guide;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad settings: one clear line on stderr, tracing and the application go on with the default. */
class BadInputTest {
    @TempDir Path home;

    private final PrintStream originalOut = System.out, originalErr = System.err;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();

    @BeforeEach
    void capture() {
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setOut(originalOut);
        System.setErr(originalErr);
    }

    /** LMK's default destination: stderr, and nothing at all on the application's stdout. */
    private List<String> lmkLines() {
        org.assertj.core.api.Assertions.assertThat(out.toString(StandardCharsets.UTF_8)).as("the application's stdout").isEmpty();
        return Arrays.stream(err.toString(StandardCharsets.UTF_8).split("\n")).filter(l -> !l.isEmpty() && !l.startsWith("hiq:")).toList();
    }

    private List<String> stderrLines() {
        return Arrays.stream(err.toString(StandardCharsets.UTF_8).split("\n")).filter(l -> l.startsWith("hiq: lmk:")).toList();
    }

    @Test
    void unwritableLmkPathFallsBackToStderrWithOneError() throws Exception {
        Path notADirectory = home.resolve("plain-file");
        Files.writeString(notADirectory, "x");
        Path bad = notADirectory.resolve("sub/lmk.log");
        int result;
        try (HiQ hiq = Runs.start(home, Map.of("LMK_PATH", bad.toString()))) {
            result = Guide.call(1);
        }
        assertThat(result).isEqualTo(2); // the application went on
        assertThat(stderrLines()).hasSize(1);
        assertThat(stderrLines().get(0)).startsWith("hiq: lmk: LMK_PATH " + bad + ": cannot open for appending (")
                .endsWith("); LMK lines go to stderr instead");
        assertThat(lmkLines()).hasSize(2).allSatisfy(LmkLine::parse);
    }

    @Test
    void unknownFormatIsReportedAndTheTextFormatUsed() {
        try (HiQ hiq = Runs.start(home, Map.of("LMK_FORMAT", "xml"))) {
            Guide.call(1);
        }
        assertThat(stderrLines()).containsExactly(
                "hiq: lmk: LMK_FORMAT: unknown format 'xml' (expected text or json); using text");
        assertThat(lmkLines()).hasSize(2).allSatisfy(LmkLine::parse);
    }

    @Test
    void brokenLmkConfigIsReportedAndTheDefaultOutputUsed() throws Exception {
        Path config = home.resolve("broken.xml");
        Files.writeString(config, "<configuration><appender name=\"X\" class=\"no.such.Appender\"/><root level=\"INFO\"><appender-ref ref=\"X\"/></root>");
        Path file = home.resolve("lmk.log");
        try (HiQ hiq = Runs.start(home, Map.of("HIQ_AGENT", "1", "HIQ_LMK_CONFIG", config.toString(), "LMK_PATH", file.toString()))) {
            Guide.call(1);
        }
        assertThat(stderrLines()).hasSize(1);
        assertThat(stderrLines().get(0)).startsWith("hiq: lmk: HIQ_LMK_CONFIG " + config + ": invalid logback configuration (")
                .endsWith("); using the default LMK output");
        assertThat(LmkLine.parseFile(file)).hasSize(2);
    }

    @Test
    void missingLmkConfigIsReportedAndTheDefaultOutputUsed() {
        Path config = home.resolve("absent.xml");
        try (HiQ hiq = Runs.start(home, Map.of("HIQ_AGENT", "1", "HIQ_LMK_CONFIG", config.toString()))) {
            Guide.call(1);
        }
        assertThat(stderrLines()).containsExactly(
                "hiq: lmk: HIQ_LMK_CONFIG " + config + ": no such readable file; using the default LMK output");
        assertThat(lmkLines()).hasSize(2).allSatisfy(LmkLine::parse);
    }
}
