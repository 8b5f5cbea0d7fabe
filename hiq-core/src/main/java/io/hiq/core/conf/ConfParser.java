package io.hiq.core.conf;

import java.nio.file.Path;
import java.util.List;

/**
 * Reads HiQ confs (DESIGN B3): CSV ({@code .csv}, {@code .conf}, any other name), JSON
 * ({@code .json}), and programmatic lists of four (or five) strings.
 */
public final class ConfParser {
    private ConfParser() {}

    /** Parses a conf file; the format follows the file name. */
    public static HiQConf parse(Path file) throws ConfException {
        throw new UnsupportedOperationException("TODO conf parser");
    }

    /** Parses a programmatic conf: each inner list is {@code module, class, method, tag[, extras]}. */
    public static HiQConf parse(List<List<String>> rows) throws ConfException {
        // temporary minimal form until the full parser lands
        java.util.List<ConfEntry> out = new java.util.ArrayList<>();
        int line = 0;
        for (List<String> r : rows) {
            line++;
            if (r.size() != 4) throw new ConfException("<list>", line, "columns", "expected 4 fields, found " + r.size());
            String tag = r.get(3).isEmpty() ? r.get(2) : r.get(3);
            out.add(new ConfEntry(r.get(0), r.get(1), r.get(2), null, tag, java.util.Set.of(), "<list>", line));
        }
        return new HiQConf("<list>", out);
    }

    /** Parses, or prints the one error line and returns empty (the application then runs untraced). */
    public static java.util.Optional<HiQConf> parseOrReport(Path file, java.io.PrintStream err) {
        try {
            return java.util.Optional.of(parse(file));
        } catch (ConfException e) {
            err.println(e.errorLine());
            return java.util.Optional.empty();
        }
    }
}
