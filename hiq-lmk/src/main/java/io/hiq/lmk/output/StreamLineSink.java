package io.hiq.lmk.output;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes lines to stderr or to a file (the defaults of DESIGN A3: no logging configuration, or
 * {@code LMK_PATH}), encoded as UTF-8 into one reused byte buffer.
 *
 * <p>Whole lines only: lines are collected in the buffer and written with a single
 * {@code write(byte[], off, len)} call, which {@link PrintStream} performs under its own lock, so an
 * application's {@code System.out.println} can never land inside an LMK line (nor the reverse). For
 * a file, the stream is opened in append mode ({@code O_APPEND}), so each write lands at the end even
 * when another process appends too.
 *
 * <p>Performance: encoding is a plain loop into a preallocated array (no encoder objects, no
 * String per line); the buffer is written when it holds 64 KiB or at the end of a ring batch.
 */
public final class StreamLineSink implements LineSink {
    private static final int FLUSH_AT = 64 * 1024;

    private final PrintStream err;
    private byte[] buf = new byte[FLUSH_AT + 4096];
    private char[] chars = new char[512];
    private int len;
    private Target target;
    private boolean failed;

    private interface Target {
        void write(byte[] b, int len) throws IOException;

        void close() throws IOException;

        String description();
    }

    private StreamLineSink(Target target, PrintStream err) {
        this.target = target;
        this.err = err;
    }

    /** Lines to the process's current {@code System.err} (LMK's default: never the application's stdout). */
    public static StreamLineSink stdout(PrintStream err) { return new StreamLineSink(new Stdout(), err); }

    /**
     * Lines appended to {@code file}, its directories created. When the file cannot be opened, one
     * error line goes to {@code err} and the lines go to stderr instead.
     */
    public static StreamLineSink file(Path file, PrintStream err) {
        try {
            Path abs = file.toAbsolutePath();
            if (abs.getParent() != null) Files.createDirectories(abs.getParent());
            return new StreamLineSink(new FileTarget(abs, new FileOutputStream(abs.toFile(), true)), err);
        } catch (IOException | RuntimeException e) {
            err.println("hiq: lmk: LMK_PATH " + file + ": cannot open for appending (" + reason(e)
                    + "); LMK lines go to stderr instead");
            return stdout(err);
        }
    }

    @Override
    public void line(StringBuilder line) {
        append(line);
        if (len >= FLUSH_AT) drain();
    }

    @Override
    public void warn(StringBuilder line) { line(line); }

    @Override
    public void endOfBatch() { drain(); }

    @Override
    public void flush() { drain(); }

    @Override
    public void close() {
        drain();
        try {
            target.close();
        } catch (IOException e) {
            err.println("hiq: lmk: closing " + target.description() + " failed: " + reason(e));
        }
    }

    @Override
    public String description() { return target.description(); }

    private void drain() {
        if (len == 0) return;
        try {
            target.write(buf, len);
        } catch (IOException | RuntimeException e) {
            if (!failed) {
                failed = true;
                err.println("hiq: lmk: writing to " + target.description() + " failed (" + reason(e)
                        + "); LMK lines go to stderr from now on");
            }
            target = new Stdout();
            try {
                target.write(buf, len);
            } catch (IOException ignored) {
                // stdout reports its own errors through PrintStream.checkError
            }
        }
        len = 0;
    }

    /** Encodes the line and a '\n' as UTF-8 at the end of the buffer. */
    private void append(StringBuilder s) {
        int n = s.length();
        if (buf.length - len < n * 3 + 1) {
            byte[] grown = new byte[Math.max(buf.length * 2, len + n * 3 + 1)];
            System.arraycopy(buf, 0, grown, 0, len);
            buf = grown;
        }
        if (chars.length < n) chars = new char[Math.max(n, chars.length * 2)];
        // one bulk copy out of the builder, then plain array loops (an ASCII run is the common case)
        char[] c = chars;
        s.getChars(0, n, c, 0);
        byte[] b = buf;
        int p = len;
        int i = 0;
        while (i < n) {
            char ch = c[i];
            if (ch < 0x80) {
                b[p++] = (byte) ch;
                i++;
            } else if (ch < 0x800) {
                b[p++] = (byte) (0xC0 | (ch >> 6));
                b[p++] = (byte) (0x80 | (ch & 0x3F));
                i++;
            } else if (Character.isHighSurrogate(ch) && i + 1 < n && Character.isLowSurrogate(c[i + 1])) {
                int cp = Character.toCodePoint(ch, c[i + 1]);
                b[p++] = (byte) (0xF0 | (cp >> 18));
                b[p++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                b[p++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                b[p++] = (byte) (0x80 | (cp & 0x3F));
                i += 2;
            } else {
                if (Character.isSurrogate(ch)) {
                    b[p++] = '?'; // a lone surrogate has no UTF-8 form
                } else {
                    b[p++] = (byte) (0xE0 | (ch >> 12));
                    b[p++] = (byte) (0x80 | ((ch >> 6) & 0x3F));
                    b[p++] = (byte) (0x80 | (ch & 0x3F));
                }
                i++;
            }
        }
        b[p++] = '\n';
        len = p;
    }

    private static String reason(Throwable e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    /**
     * The current {@code System.err} (looked up at every write: the application may replace it).
     * stderr, not stdout: LMK's default must never change what the application writes to its stdout
     * (a program piped into another, a test comparing output).
     */
    private static final class Stdout implements Target {
        @Override
        public void write(byte[] b, int len) {
            PrintStream out = System.err;
            // one write call = one lock hold inside PrintStream; the synchronized block also keeps
            // write and flush together against code that synchronizes on System.out itself
            synchronized (out) {
                out.write(b, 0, len);
                out.flush();
            }
        }

        @Override
        public void close() { System.err.flush(); }

        @Override
        public String description() { return "stderr"; }
    }

    private record FileTarget(Path path, OutputStream out) implements Target {
        @Override
        public void write(byte[] b, int len) throws IOException { out.write(b, 0, len); }

        @Override
        public void close() throws IOException { out.close(); }

        @Override
        public String description() { return "file " + path; }
    }
}
