package io.hiq.lmk.output;

import org.slf4j.Logger;

/**
 * Logs each line as one event on an SLF4J logger ({@code hiq.lmk}): INFO for span lines, WARN for
 * drop warnings. The logging configuration decides everything else (appenders, encoders, rolling,
 * asynchronous delivery), as the user wrote it.
 *
 * <p>SLF4J takes a {@link String}, so this sink costs one String per line; the formatting before it
 * stays garbage-light.
 */
public final class Slf4jLineSink implements LineSink {
    private final Logger logger;
    private final String description;
    private final Runnable flusher;
    private final Runnable onClose;

    /**
     * @param flusher run at each end of batch and at {@link #flush()}: flushes the buffered file
     *                appenders of LMK's private logback context (null: nothing to flush)
     * @param onClose run at {@link #close()} (stops a private logback context, flushing its appenders)
     */
    public Slf4jLineSink(Logger logger, String description, Runnable flusher, Runnable onClose) {
        this.logger = logger;
        this.description = description;
        this.flusher = flusher;
        this.onClose = onClose;
    }

    @Override
    public void line(StringBuilder line) { logger.info(line.toString()); }

    @Override
    public void warn(StringBuilder line) { logger.warn(line.toString()); }

    @Override
    public void endOfBatch() {
        // an application's appenders flush by themselves (immediateFlush, an AsyncAppender's worker);
        // LMK's private ones may buffer (immediateFlush=false) and are flushed once per batch here
        if (flusher != null) flusher.run();
    }

    @Override
    public void flush() { if (flusher != null) flusher.run(); }

    @Override
    public void close() { if (onClose != null) onClose.run(); }

    @Override
    public String description() { return description; }
}
