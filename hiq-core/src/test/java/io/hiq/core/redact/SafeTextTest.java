package io.hiq.core.redact;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SafeTextTest {
    @Test
    void controlCharactersAreEscapedOtherTextKept() {
        assertThat(SafeText.line("plain C:\\dir é")).isEqualTo("plain C:\\dir é");
        assertThat(SafeText.line("a\nb\rc\td")).isEqualTo("a\\nb\\rc\\td");
        assertThat(SafeText.line("\u001b[31mred")).isEqualTo("\\u001b[31mred");
        assertThat(SafeText.line("x\u0085y\u2028z\u007f")).isEqualTo("x\\u0085y\\u2028z\\u007f");
        assertThat(SafeText.line(null)).isEqualTo("null");
    }
}
