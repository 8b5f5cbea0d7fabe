package io.hiq.jack.support;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/** Captures what is printed on System.err while it is open (and still passes it through). */
public final class StderrCapture implements AutoCloseable {
    private final PrintStream original = System.err;
    private final ByteArrayOutputStream buf = new ByteArrayOutputStream();

    public StderrCapture() {
        PrintStream tee = new PrintStream(new java.io.OutputStream() {
            @Override
            public synchronized void write(int b) {
                buf.write(b);
                original.write(b);
            }

            @Override
            public synchronized void write(byte[] b, int off, int len) {
                buf.write(b, off, len);
                original.write(b, off, len);
            }
        }, true, StandardCharsets.UTF_8);
        System.setErr(tee);
    }

    /** Lines printed so far that start with {@code prefix}. */
    public synchronized List<String> lines(String prefix) {
        return Arrays.stream(buf.toString(StandardCharsets.UTF_8).split("\n")).filter(l -> l.startsWith(prefix)).toList();
    }

    public synchronized String text() { return buf.toString(StandardCharsets.UTF_8); }

    @Override
    public void close() { System.setErr(original); }
}
