package io.hiq.core.conf;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Reads HiQ confs (DESIGN B3): CSV ({@code .csv}, {@code .conf}, any other name), JSON
 * ({@code .json}), and programmatic lists of four (or five) strings. Every problem is a
 * {@link ConfException} naming the file, the physical line and the field (DESIGN B2).
 */
public final class ConfParser {
    private ConfParser() {}

    /** The source name of a programmatic conf. */
    public static final String LIST_SOURCE = "<list>";

    /**
     * Parses a conf file; the format follows the file name ({@code .json}: JSON, else CSV). The
     * file must be UTF-8 (a leading byte order mark is ignored).
     */
    public static HiQConf parse(Path file) throws ConfException {
        String source = file.toString();
        String text = read(source, file);
        List<RawEntry> raws = isJson(file) ? JsonConfReader.read(source, text) : CsvConfReader.read(source, text);
        return new HiQConf(source, EntryValidator.validate(source, raws));
    }

    /**
     * Parses a programmatic conf: each inner list is {@code module, class, method, tag[, extras]};
     * the line of an entry in messages is its 1-based index.
     */
    public static HiQConf parse(List<List<String>> rows) throws ConfException {
        if (rows == null) throw new ConfException(LIST_SOURCE, 0, null, "no entries (the list is null)");
        List<RawEntry> raws = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            int line = i + 1;
            List<String> row = rows.get(i);
            if (row == null) throw new ConfException(LIST_SOURCE, line, "columns", "the entry is null");
            if (row.size() != 4 && row.size() != 5) {
                throw new ConfException(LIST_SOURCE, line, "columns", "expected 4 fields (module, class, method, tag)"
                        + " and an optional fifth (extras), found " + row.size());
            }
            List<String> values = new ArrayList<>(5);
            for (int c = 0; c < row.size(); c++) {
                String v = row.get(c);
                if (v == null) {
                    throw new ConfException(LIST_SOURCE, line, RawEntry.COLUMNS.get(c), "null; use \"\" for an empty field");
                }
                values.add(v);
            }
            if (values.size() == 4) values.add("");
            raws.add(new RawEntry(values, RawEntry.COLUMNS, line));
        }
        return new HiQConf(LIST_SOURCE, EntryValidator.validate(LIST_SOURCE, raws));
    }

    /**
     * Parses {@code file}, or prints the one B2 error line to {@code err} and returns empty, so
     * the caller (the agent) lets the application run untraced. Never throws.
     */
    public static Optional<HiQConf> parseOrReport(Path file, PrintStream err) {
        try {
            return Optional.of(parse(file));
        } catch (ConfException e) {
            err.println(io.hiq.core.redact.SafeText.line(e.errorLine()));
        } catch (RuntimeException e) {
            // a parser bug must not stop the application either; still one line
            err.println(io.hiq.core.redact.SafeText.line(new ConfException(String.valueOf(file), 0, null,
                    "cannot parse conf: " + JsonConfReader.oneLine(String.valueOf(e))).errorLine()));
        }
        return Optional.empty();
    }

    private static boolean isJson(Path file) {
        Path name = file.getFileName();
        return name != null && name.toString().toLowerCase(Locale.ROOT).endsWith(".json");
    }

    /** The file's text; unreadable files are reported without a line, bad bytes with theirs. */
    private static String read(String source, Path file) throws ConfException {
        if (Files.isDirectory(file)) throw new ConfException(source, 0, null, "cannot read conf: is a directory");
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ConfException(source, 0, null, "cannot read conf: no such file");
        } catch (AccessDeniedException e) {
            throw new ConfException(source, 0, null, "cannot read conf: permission denied");
        } catch (IOException | SecurityException e) {
            throw new ConfException(source, 0, null, "cannot read conf: "
                    + JsonConfReader.oneLine(String.valueOf(e.getMessage())));
        }
        return decode(source, bytes);
    }

    /** Strict UTF-8: a wrong byte is reported at its line rather than silently replaced. */
    static String decode(String source, byte[] bytes) throws ConfException {
        int skip = bytes.length >= 3 && (bytes[0] & 0xff) == 0xef && (bytes[1] & 0xff) == 0xbb
                && (bytes[2] & 0xff) == 0xbf ? 3 : 0;
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes, skip, bytes.length - skip);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult r = decoder.decode(in, out, true);
        if (!r.isError()) r = decoder.flush(out);
        if (r.isError()) {
            int at = in.position();
            int line = 1;
            // count breaks as the CSV reader and Jackson do: \r\n, \r and \n each end one line
            for (int i = 0; i < at; i++) {
                if (bytes[i] == '\n' || (bytes[i] == '\r' && (i + 1 >= bytes.length || bytes[i + 1] != '\n'))) line++;
            }
            throw new ConfException(source, line, null, String.format(Locale.ROOT,
                    "not UTF-8 text (byte 0x%02x); save the conf as UTF-8", bytes[at] & 0xff));
        }
        out.flip();
        return out.toString();
    }
}
