package io.hiq.lmk.format;

import static org.assertj.core.api.Assertions.assertThat;

import io.hiq.core.event.ExtraValue;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The pieces of a line: timestamps, values, escaping. */
class FormatTest {
    @Test
    void wallClockAgreesWithJavaTimeAcrossZonesMinutesAndDaylightSaving() {
        for (String zone : new String[] {"UTC", "Asia/Kolkata", "America/New_York", "Europe/Paris"}) {
            ZoneId z = ZoneId.of(zone);
            WallClock clock = new WallClock(z, ' ');
            DateTimeFormatter f = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS").withZone(z);
            SplittableRandom r = new SplittableRandom(42);
            long t = Instant.parse("2026-03-08T06:58:00Z").toEpochMilli() * 1000; // around a US DST switch
            for (int i = 0; i < 20_000; i++) {
                t += r.nextLong(50_000_000L); // up to 50 s forward: crosses minutes, hours, the switch
                StringBuilder sb = new StringBuilder();
                clock.append(sb, t);
                Instant in = Instant.ofEpochSecond(Math.floorDiv(t, 1_000_000L), Math.floorMod(t, 1_000_000L) * 1000);
                assertThat(sb.toString()).as(zone).isEqualTo(f.format(in));
            }
        }
    }

    @Test
    void timeValuesAreMillisecondsWithThreeDecimalsOthersIntegers() {
        MetricValue time = MetricValue.of("time");
        assertThat(render(time, 1_234_567)).isEqualTo("1.235");
        assertThat(render(time, 499)).isEqualTo("0.000");
        assertThat(render(time, 500)).isEqualTo("0.001");
        assertThat(render(time, 4_000_000_000L)).isEqualTo("4000.000");
        assertThat(render(time, -2_500_000)).isEqualTo("-2.500");
        assertThat(render(MetricValue.of("memory"), 4096)).isEqualTo("4096");
        assertThat(MetricValue.of("memory").unit()).isEqualTo("bytes");
    }

    @Test
    void textLinesEscapeControlCharactersAndMatchTheRegex() {
        TextLineFormat f = new TextLineFormat(MetricValue.of("memory"), 99);
        SpanLine l = new SpanLine();
        l.epochMicros = 1_700_000_000_123_456L;
        l.start = false;
        l.tag = "load";
        l.thread = "pool-1 [worker]";
        l.hasValue = true;
        l.value = 2048;
        l.extras = new ExtraValue[] {new ExtraValue("path", "/tmp/a\tb"), new ExtraValue("rows", 3)};
        l.extraCount = 2;
        l.thrown = new IllegalArgumentException("bad\r\nrow \u0001");
        StringBuilder sb = new StringBuilder();
        f.span(sb, l);
        String line = sb.toString();
        assertThat(line).doesNotContain("\n", "\r", "\t", "\u0001");
        var m = Pattern.compile(TextLineFormat.REGEX).matcher(line);
        assertThat(m.matches()).as(line).isTrue();
        assertThat(m.group("metric")).isEqualTo("memory");
        assertThat(m.group("pid")).isEqualTo("99");
        assertThat(m.group("marker")).isEqualTo(TextLineFormat.END);
        assertThat(m.group("tag")).isEqualTo("load");
        assertThat(m.group("extra")).isEqualTo("value=2048, thread=pool-1 [worker], path=/tmp/a\\tb, rows=3, "
                + "exception=java.lang.IllegalArgumentException: bad\\r\\nrow \\u0001");
    }

    @Test
    void theRegexDocumentedInFormatsMdIsTheOneInTheCode() throws Exception {
        String doc = java.nio.file.Files.readString(java.nio.file.Path.of("../docs/FORMATS.md"));
        String section = doc.substring(doc.indexOf("<!-- LMK:BEGIN -->"), doc.indexOf("<!-- LMK:END -->"));
        int start = section.indexOf("```regex\n") + "```regex\n".length();
        String documented = section.substring(start, section.indexOf("\n```", start));
        assertThat(documented).isEqualTo(TextLineFormat.REGEX);
    }

    private static String render(MetricValue v, long raw) {
        StringBuilder sb = new StringBuilder();
        v.append(sb, raw);
        return sb.toString();
    }
}
