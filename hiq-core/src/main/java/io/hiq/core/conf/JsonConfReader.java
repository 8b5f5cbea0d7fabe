package io.hiq.core.conf;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a JSON conf (DESIGN B3, the user guide's form): an array of objects with the keys
 * {@code module}, {@code class}, {@code function} (or {@code method}), {@code name} (or
 * {@code tag}) and optionally {@code extras} ({@code "args+file"} or {@code ["args","file"]}).
 * Streams tokens rather than binding a tree so every entry keeps the physical line where its
 * object starts, and every structural error the line of the offending token.
 */
final class JsonConfReader {
    private JsonConfReader() {}

    private static final JsonFactory FACTORY = new JsonFactory();

    /** Each accepted key and the column it fills. */
    private static final Map<String, Integer> KEYS = Map.of(
            "module", RawEntry.MODULE, "class", RawEntry.CLASS,
            "function", RawEntry.METHOD, "method", RawEntry.METHOD,
            "name", RawEntry.TAG, "tag", RawEntry.TAG,
            "extras", RawEntry.EXTRAS);

    static List<RawEntry> read(String source, String text) throws ConfException {
        try (JsonParser p = FACTORY.createParser(text)) {
            JsonToken first = p.nextToken();
            if (first == null) return List.of(); // blank file: the caller reports "no entries"
            if (first != JsonToken.START_ARRAY) {
                throw new ConfException(source, line(p), "json",
                        "expected an array of entries ([{...}, ...]), found " + describe(first));
            }
            List<RawEntry> out = new ArrayList<>();
            JsonToken t;
            while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                if (t != JsonToken.START_OBJECT) {
                    throw new ConfException(source, line(p), "json",
                            "entry " + (out.size() + 1) + " must be an object, found " + describe(t));
                }
                out.add(readObject(source, p));
            }
            JsonToken after = p.nextToken();
            if (after != null) {
                throw new ConfException(source, line(p), "json",
                        "more content (" + describe(after) + ") after the array of entries; a conf is one array");
            }
            return out;
        } catch (JsonProcessingException e) {
            JsonLocation where = e.getLocation();
            int line = where == null ? 0 : Math.max(where.getLineNr(), 0);
            throw new ConfException(source, line, "json", oneLine(e.getOriginalMessage()));
        } catch (IOException e) {
            // reading from a String cannot fail; kept so a surprise still becomes a conf error
            throw new ConfException(source, 0, "json", oneLine(String.valueOf(e.getMessage())));
        }
    }

    /** Reads one object; the parser stands on its START_OBJECT. */
    private static RawEntry readObject(String source, JsonParser p) throws IOException, ConfException {
        int start = line(p);
        String[] values = new String[5];
        String[] fields = RawEntry.COLUMNS.toArray(new String[0]);
        Map<Integer, String> seen = new LinkedHashMap<>();
        while (p.nextToken() != JsonToken.END_OBJECT) {
            String key = p.currentName();
            int keyLine = line(p);
            Integer column = KEYS.get(key);
            if (column == null) {
                throw new ConfException(source, keyLine, key, "unknown key (known: module, class, function or method,"
                        + " name or tag, extras)");
            }
            String earlier = seen.putIfAbsent(column, key);
            if (earlier != null) {
                throw new ConfException(source, keyLine, key, earlier.equals(key)
                        ? "given twice in one entry" : "given together with '" + earlier + "'; give one of them");
            }
            fields[column] = key;
            JsonToken v = p.nextToken();
            if (v == JsonToken.VALUE_STRING) {
                values[column] = p.getText();
            } else if (column == RawEntry.EXTRAS && v == JsonToken.START_ARRAY) {
                values[column] = readExtrasArray(source, p, key);
            } else {
                throw new ConfException(source, line(p), key, "must be a string"
                        + (column == RawEntry.EXTRAS ? " or an array of strings" : "") + ", found " + describe(v));
            }
        }
        if (values[RawEntry.MODULE] == null) {
            throw new ConfException(source, start, "module", "missing key in the entry starting on this line");
        }
        if (values[RawEntry.METHOD] == null) {
            throw new ConfException(source, start, "function",
                    "missing key in the entry starting on this line (give \"function\" or \"method\")");
        }
        for (int i = 0; i < values.length; i++) if (values[i] == null) values[i] = "";
        return new RawEntry(Arrays.asList(values), Arrays.asList(fields), start);
    }

    /** An extras array, joined with {@code +} so it is validated like the CSV column. */
    private static String readExtrasArray(String source, JsonParser p, String key) throws IOException, ConfException {
        List<String> items = new ArrayList<>();
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t != JsonToken.VALUE_STRING) {
                throw new ConfException(source, line(p), key, "array items must be strings, found " + describe(t));
            }
            items.add(p.getText());
        }
        if (items.isEmpty()) return "";
        return String.join("+", items);
    }

    private static int line(JsonParser p) {
        return Math.max(p.currentTokenLocation().getLineNr(), 0);
    }

    private static String describe(JsonToken t) {
        if (t == null) return "the end of the file";
        return switch (t) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> t.asString() == null ? t.name() : "'" + t.asString() + "'";
        };
    }

    /** Jackson messages may span lines; the B2 error is exactly one line. */
    static String oneLine(String s) {
        return s.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
    }
}
