package io.hiq.core.metric;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.LongSupplier;

/**
 * Reads a number out of a Linux {@code /proc} file on the hot path without allocating: each thread
 * keeps the file open and a buffer, re-reads it from offset 0 (procfs regenerates the content on
 * every read) and parses the bytes in place. Still a system call per reading (a few microseconds):
 * the reason these metrics are opt-in.
 */
final class ProcReader implements LongSupplier {
    /** Extracts the metric from the file's bytes, {@code [0, length)} of {@code buf}. */
    interface Parser {
        long parse(ByteBuffer buf, int length);
    }

    private final Path file;
    private final Parser parser;
    private final ThreadLocal<State> state = ThreadLocal.withInitial(State::new);

    private final class State {
        FileChannel channel;
        ByteBuffer buf = ByteBuffer.allocateDirect(8192); // direct: the read needs no temporary copy
    }

    ProcReader(Path file, Parser parser) {
        this.file = file;
        this.parser = parser;
    }

    @Override
    public long getAsLong() {
        State s = state.get();
        try {
            if (s.channel == null) s.channel = FileChannel.open(file, StandardOpenOption.READ);
            s.buf.clear();
            int n = 0;
            while (s.buf.hasRemaining()) {
                int r = s.channel.read(s.buf, n);
                if (r <= 0) break;
                n += r;
            }
            return parser.parse(s.buf, n);
        } catch (IOException | RuntimeException e) {
            return 0L;
        }
    }

    /** The {@code index}-th (0-based) whitespace-separated number of a line-less file (statm). */
    static long field(ByteBuffer b, int length, int index) {
        int i = 0, f = 0;
        while (i < length) {
            while (i < length && b.get(i) == ' ') i++;
            if (f == index) return number(b, i, length);
            while (i < length && b.get(i) != ' ') i++;
            f++;
        }
        return 0;
    }

    /** The number after {@code key} at the start of a line ({@code read_bytes: 123}). */
    static long keyed(ByteBuffer b, int length, byte[] key) {
        outer:
        for (int i = 0; i + key.length < length; i++) {
            if (i > 0 && b.get(i - 1) != '\n') continue;
            for (int k = 0; k < key.length; k++) if (b.get(i + k) != key[k]) continue outer;
            int j = i + key.length;
            while (j < length && (b.get(j) == ' ' || b.get(j) == '\t')) j++;
            return number(b, j, length);
        }
        return 0;
    }

    /** /proc/net/dev: the sum over interfaces of received bytes (1st column) and sent bytes (9th). */
    static long netDev(ByteBuffer b, int length) {
        long total = 0;
        int i = 0;
        while (i < length) {
            int colon = -1, eol = i;
            while (eol < length && b.get(eol) != '\n') {
                if (b.get(eol) == ':' && colon < 0) colon = eol;
                eol++;
            }
            if (colon > 0) {
                int p = colon + 1;
                for (int col = 0; col < 9 && p < eol; col++) {
                    while (p < eol && b.get(p) == ' ') p++;
                    if (col == 0 || col == 8) total += number(b, p, eol);
                    while (p < eol && b.get(p) != ' ') p++;
                }
            }
            i = eol + 1;
        }
        return total;
    }

    private static long number(ByteBuffer b, int i, int end) {
        long v = 0;
        while (i < end) {
            byte c = b.get(i++);
            if (c < '0' || c > '9') break;
            v = v * 10 + (c - '0');
        }
        return v;
    }
}
