package io.hiq.lmk;

import io.hiq.lmk.format.TextLineFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One parsed LMK text line, parsed with the regular expression documented in docs/FORMATS.md. */
record LmkLine(String ts, String metric, long pid, String marker, String tag, String extra) {
    static final Pattern PATTERN = Pattern.compile(TextLineFormat.REGEX);
    static final String START = "\uD83D\uDC35", END = "\uD83D\uDE48", WARN = "\u26A0";

    /** Parses a line; fails the test with the line when it does not match. */
    static LmkLine parse(String line) {
        Matcher m = PATTERN.matcher(line);
        if (!m.matches()) throw new AssertionError("not an LMK line: <" + line + ">");
        return new LmkLine(m.group("ts"), m.group("metric"), Long.parseLong(m.group("pid")), m.group("marker"),
                m.group("tag"), m.group("extra"));
    }

    /** Every line of a file, each parsed. */
    static List<LmkLine> parseFile(Path file) throws IOException {
        List<LmkLine> out = new ArrayList<>();
        for (String l : Files.readAllLines(file, StandardCharsets.UTF_8)) out.add(parse(l));
        return out;
    }

    boolean isStart() { return marker.equals(START); }

    boolean isEnd() { return marker.equals(END); }

    /** The extra's key=value pairs (split as docs/FORMATS.md says: on ", " before a key). */
    Map<String, String> fields() {
        Map<String, String> m = new LinkedHashMap<>();
        if (extra.isEmpty()) return m;
        for (String kv : extra.split(", (?=[\\w.-]+=)")) {
            int eq = kv.indexOf('=');
            m.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        return m;
    }
}
