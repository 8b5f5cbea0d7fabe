package io.hiq.lmk.output;

/**
 * Where LMK lines go: stdout, a file, or an SLF4J logger. Lines are handed over whole, without the
 * line terminator; a sink never writes part of a line.
 *
 * <p>Called from the LMK consumer thread, and from the closing thread for {@link #flush} and
 * {@link #close}, always under the {@code LmkHandler}'s lock (one lock per batch, not per line):
 * implementations need not be thread-safe. They never throw: failures are reported on stderr and
 * LMK goes on.
 */
public interface LineSink {
    /** A ring batch starts: the place for a cheap, rate-limited check of where lines should go. */
    default void beginBatch() {}

    /** Takes one span line (INFO). The builder is reused by the caller after the call. */
    void line(StringBuilder line);

    /** Takes one warning line (WARN). */
    void warn(StringBuilder line);

    /** No more lines right now: write out what is buffered. */
    void endOfBatch();

    /** Writes out and flushes everything buffered. */
    void flush();

    /** Flushes and releases resources. */
    void close();

    /** What this sink writes to, for messages: {@code stdout}, {@code file /var/log/lmk.log}, … */
    String description();
}
