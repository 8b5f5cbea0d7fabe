package io.hiq.core.conf;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Conf errors echo conf values: raw newlines and ANSI escapes must come out escaped, on one line. */
class ConfControlCharactersTest {
    @TempDir Path dir;

    @ParameterizedTest
    @ValueSource(strings = {
        "[{\"module\":\"a.b\",\"class\":\"Sh\\nop\",\"method\":\"m\",\"tag\":\"t\"}]",
        "[{\"module\":\"a.b\",\"class\":\"Shop\",\"method\":\"m\\u001b[31mred\",\"tag\":\"t\"}]",
        "[{\"module\":\"a.b\",\"class\":\"Shop\",\"method\":\"m\",\"tag\":\"t\\nhiq: forged\\u001b[31m\"}]",
        "[{\"module\":\"a.\\r\\nb\",\"class\":\"Shop\",\"method\":\"m\",\"tag\":\"t\"}]"})
    void errorLinesStayOneLineWithoutEscapes(String json) throws Exception {
        Path conf = dir.resolve("c.json");
        Files.writeString(conf, json);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        assertThat(ConfParser.parseOrReport(conf, new PrintStream(bytes, true, StandardCharsets.UTF_8))).isEmpty();
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(out).endsWith("\n");
        String line = out.substring(0, out.length() - 1);
        assertThat(line).startsWith("hiq: ").doesNotContain("\n", "\r", "\u001b");
        assertThat(line).containsAnyOf("\\n", "\\u001b", "\\r");
    }
}
