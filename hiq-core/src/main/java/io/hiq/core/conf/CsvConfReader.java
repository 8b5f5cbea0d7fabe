package io.hiq.core.conf;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Splits a CSV conf (DESIGN B3) into raw entries: one entry per physical line, {@code #} starts a
 * comment outside quotes, blank lines are skipped, fields are trimmed, and a double quote after
 * leading blanks opens a quoted field in which {@code ""} stands for one quote. Quoting is what
 * lets a parameter list hold commas: {@code a, B, "work(int,java.lang.String)", w}.
 */
final class CsvConfReader {
    private CsvConfReader() {}

    static List<RawEntry> read(String source, String text) throws ConfException {
        List<RawEntry> out = new ArrayList<>();
        // the same line breaks as Jackson counts, so both formats agree on "physical line"
        String[] lines = text.split("\r\n|\r|\n", -1);
        for (int i = 0; i < lines.length; i++) {
            int line = i + 1;
            String trimmed = lines[i].strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) continue;
            List<String> fields = split(source, line, lines[i]);
            if (fields.size() != 4 && fields.size() != 5) {
                throw new ConfException(source, line, "columns", "expected 4 fields (module, class, method, tag)"
                        + " and an optional fifth (extras), found " + fields.size());
            }
            List<String> values = new ArrayList<>(fields);
            if (values.size() == 4) values.add("");
            out.add(new RawEntry(values, RawEntry.COLUMNS, line));
        }
        return out;
    }

    /** Splits one line into trimmed fields, dropping a trailing comment. */
    static List<String> split(String source, int line, String text) throws ConfException {
        List<String> fields = new ArrayList<>();
        int n = text.length();
        int i = 0;
        while (true) {
            while (i < n && isBlank(text.charAt(i))) i++;
            StringBuilder field = new StringBuilder();
            if (i < n && text.charAt(i) == '"') {
                int open = i++;
                boolean closed = false;
                while (i < n) {
                    char c = text.charAt(i++);
                    if (c != '"') {
                        field.append(c);
                    } else if (i < n && text.charAt(i) == '"') {
                        field.append('"');
                        i++;
                    } else {
                        closed = true;
                        break;
                    }
                }
                if (!closed) {
                    throw new ConfException(source, line, columnName(fields.size()),
                            "unterminated quoted field (the quote at column " + (open + 1) + " is never closed)");
                }
                while (i < n && isBlank(text.charAt(i))) i++;
                if (i < n && text.charAt(i) != ',' && text.charAt(i) != '#') {
                    throw new ConfException(source, line, columnName(fields.size()),
                            "unexpected text after the closing quote at column " + (i + 1)
                                    + " (a quoted field must be followed by ',' or the end of the line)");
                }
            } else {
                while (i < n && text.charAt(i) != ',' && text.charAt(i) != '#') field.append(text.charAt(i++));
            }
            fields.add(field.toString().strip());
            if (i < n && text.charAt(i) == ',') {
                i++;
                continue;
            }
            return Collections.unmodifiableList(fields); // end of line or start of a comment
        }
    }

    private static boolean isBlank(char c) { return c == ' ' || c == '\t'; }

    private static String columnName(int index) {
        return index < RawEntry.COLUMNS.size() ? RawEntry.COLUMNS.get(index) : "columns";
    }
}
