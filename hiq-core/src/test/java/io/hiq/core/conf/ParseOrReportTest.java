package io.hiq.core.conf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The agent's entry: a good conf is returned, a bad one costs exactly one stderr line. */
class ParseOrReportTest {
    @TempDir Path dir;

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    private String printed() { return bytes.toString(StandardCharsets.UTF_8); }

    @Test
    void goodConfPrintsNothing() throws Exception {
        Path file = ConfFiles.write(dir, "ok.conf", "p, K, work, w\n");
        Optional<HiQConf> conf = ConfParser.parseOrReport(file, err);
        assertThat(conf).isPresent();
        assertThat(conf.get().entries()).extracting(ConfEntry::tag).containsExactly("w");
        assertThat(printed()).isEmpty();
    }

    @Test
    void badConfPrintsExactlyTheErrorLine() throws Exception {
        Path file = ConfFiles.write(dir, "bad.conf", "p, K, work, w\np, K, other, a-b\n");
        Optional<HiQConf> conf = ConfParser.parseOrReport(file, err);
        assertThat(conf).isEmpty();
        assertThat(printed()).isEqualTo("hiq: " + file + ":2: field 'tag': 'a-b' is not a valid tag"
                + " (letters, digits and _ only)" + System.lineSeparator());
    }

    @Test
    void missingFilePrintsOneLineWithoutLineNumber() {
        Path file = dir.resolve("missing.json");
        assertThat(ConfParser.parseOrReport(file, err)).isEmpty();
        assertThat(printed()).isEqualTo("hiq: " + file + ": cannot read conf: no such file" + System.lineSeparator());
    }

    @Test
    void jsonSyntaxErrorIsOneLine() throws Exception {
        Path file = ConfFiles.write(dir, "bad.json", "[\n{\"module\": \"a\"\n\"function\": \"f\"}]");
        assertThat(ConfParser.parseOrReport(file, err)).isEmpty();
        String out = printed();
        assertThat(out).startsWith("hiq: " + file + ":3: field 'json': ").endsWith(System.lineSeparator());
        assertThat(out.lines()).hasSize(1);
    }
}
