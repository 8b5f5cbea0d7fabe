package io.hiq.core.conf;

/**
 * A conf that cannot be read or parsed. {@link #errorLine()} is the one line printed to stderr,
 * in the form of DESIGN B2: {@code hiq: FILE:LINE: field 'NAME': message} (LINE omitted when the
 * file cannot be read; the field part omitted when no one field is at fault).
 */
public final class ConfException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String file;
    private final int line;
    private final String field;
    private final String detail;

    /**
     * @param file   the conf's path (or {@code <list>})
     * @param line   the physical 1-based line, or 0 when unknown (unreadable file)
     * @param field  the field at fault ({@code module}, {@code class}, {@code method}, {@code tag},
     *               {@code extras}, …), or null
     * @param detail what is wrong, in words
     */
    public ConfException(String file, int line, String field, String detail) {
        super(format(file, line, field, detail));
        this.file = file;
        this.line = line;
        this.field = field;
        this.detail = detail;
    }

    private static String format(String file, int line, String field, String detail) {
        StringBuilder sb = new StringBuilder("hiq: ").append(file);
        if (line > 0) sb.append(':').append(line);
        sb.append(": ");
        if (field != null) sb.append("field '").append(field).append("': ");
        // a conf may hold anything: its echoed values must not break the one line or drive a terminal
        return io.hiq.core.redact.SafeText.line(sb.append(detail).toString());
    }

    /** The one error line of DESIGN B2. */
    public String errorLine() { return getMessage(); }

    public String file() { return file; }

    public int line() { return line; }

    public String field() { return field; }

    public String detail() { return detail; }
}
