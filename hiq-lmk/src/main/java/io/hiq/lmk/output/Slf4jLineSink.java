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
    private final Runnable onClose;

    /**
     * @param onClose run at {@link #close()} (stops a private logback context, flushing its appenders)
     */
    public Slf4jLineSink(Logger logger, String description, Runnable onClose) {
        this.logger = logger;
        this.description = description;
        this.onClose = onClose;
    }

    @Override
    public void line(StringBuilder line) { logger.info(line.toString()); }

    @Override
    public void warn(StringBuilder line) { logger.warn(line.toString()); }

    @Override
    public void endOfBatch() {
        // appenders flush by themselves (logback's immediateFlush, or an AsyncAppender's worker)
    }

    @Override
    public void flush() {}

    @Override
    public void close() { if (onClose != null) onClose.run(); }

    @Override
    public String description() { return description; }
}
