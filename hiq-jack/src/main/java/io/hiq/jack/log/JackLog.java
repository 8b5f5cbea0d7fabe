package io.hiq.jack.log;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggerContextVO;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.joran.spi.JoranException;
import ch.qos.logback.core.rolling.FixedWindowRollingPolicy;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeBasedTriggeringPolicy;
import ch.qos.logback.core.status.Status;
import ch.qos.logback.core.util.Duration;
import ch.qos.logback.core.util.FileSize;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The jack log: every tree once, one bare B4 JSON line, in {@code $HIQ_HOME/log_jack.log}, rotated
 * by size ({@code log_jack.log.1} … {@code .N}, the oldest deleted).
 *
 * <p>Logback runs here on a {@link LoggerContext} of its own, configured in code (or from the
 * file of {@code HIQ_JACK_LOG_CONFIG}): the application's logging configuration, its
 * {@code LoggerFactory} and its appenders are never touched.
 *
 * <p>With the built-in configuration the lines of a batch are gathered and written with one
 * {@code write} call at the end of the batch ({@link #flush}, at most 1 MiB at a time): the file is
 * opened in append mode, so several processes sharing one {@code HIQ_HOME} never tear each other's
 * lines. With a configuration file each tree is one event, written as that file says.
 */
public final class JackLog implements AutoCloseable {
    /** Logger name inside Jack's own context. */
    public static final String LOGGER = "hiq.jack";

    private final LoggerContext context;
    private final Logger logger;
    private final Path file;
    private final LoggerContextVO contextVO;
    /** Whole lines waiting for {@link #flush}; null when every tree is its own event. */
    private final ByteArrayOutputStream lines;
    private static final int MAX_PENDING = 1024 * 1024;

    private JackLog(LoggerContext context, Path file, boolean batched) {
        this.lines = batched ? new ByteArrayOutputStream(64 * 1024) : null;
        this.context = context;
        this.logger = context.getLogger(LOGGER);
        this.file = file;
        this.contextVO = new LoggerContextVO(context);
    }

    /**
     * Opens the rotated jack log at {@code file}.
     *
     * @param maxFileSize     size at which the file rolls over
     * @param maxHistory      old files kept ({@code .1} … {@code .maxHistory}, at most 20)
     * @param checkIncrementMs how often the size is checked (logback checks the file's length at
     *                         most this often, so a file may pass the size by what is written meanwhile)
     */
    public static JackLog open(Path file, long maxFileSize, int maxHistory, long checkIncrementMs) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) io.hiq.jack.files.PrivateDirectories.create(parent);
        LoggerContext ctx = newContext();

        RollingFileAppender<ILoggingEvent> app = new RollingFileAppender<>();
        app.setContext(ctx);
        app.setName("jack");
        app.setFile(file.toString());
        app.setAppend(true);
        // one event per batch, written and flushed at once: a single write() of whole lines
        app.setImmediateFlush(true);

        FixedWindowRollingPolicy rolling = new FixedWindowRollingPolicy();
        rolling.setContext(ctx);
        rolling.setParent(app);
        rolling.setFileNamePattern(file + ".%i");
        rolling.setMinIndex(1);
        rolling.setMaxIndex(Math.max(1, Math.min(20, maxHistory)));
        rolling.start();

        SizeBasedTriggeringPolicy<ILoggingEvent> trigger = new SizeBasedTriggeringPolicy<>();
        trigger.setContext(ctx);
        trigger.setMaxFileSize(new FileSize(maxFileSize));
        trigger.setCheckIncrement(Duration.buildByMilliseconds(checkIncrementMs));
        trigger.start();

        JackLineEncoder encoder = new JackLineEncoder();
        encoder.setContext(ctx);
        encoder.start();

        app.setRollingPolicy(rolling);
        app.setTriggeringPolicy(trigger);
        app.setEncoder(encoder);
        app.start();
        if (!app.isStarted()) throw new IOException("cannot open " + file + ": " + errors(ctx));

        JackLog log = new JackLog(ctx, file, true);
        log.logger.setAdditive(false);
        log.logger.setLevel(Level.INFO);
        log.logger.addAppender(app);
        return log;
    }

    /**
     * Opens the jack log from a logback configuration file; its logger {@code hiq.jack} receives
     * one event per tree (use {@link JackLineEncoder}, or a pattern of {@code %msg%n}).
     */
    public static JackLog configure(Path logbackXml, Path defaultFile) throws IOException {
        LoggerContext ctx = newContext();
        ctx.putProperty("HIQ_JACK_LOG", defaultFile.toString());
        JoranConfigurator jc = new JoranConfigurator();
        jc.setContext(ctx);
        try {
            jc.doConfigure(logbackXml.toFile());
        } catch (JoranException e) {
            throw new IOException(logbackXml + ": " + e.getMessage(), e);
        }
        String err = errors(ctx);
        if (!err.isEmpty()) throw new IOException(logbackXml + ": " + err);
        return new JackLog(ctx, defaultFile, false);
    }

    /** A context of Jack's own; it needs its own MDC adapter, which SLF4J only gives the default one. */
    private static LoggerContext newContext() {
        LoggerContext ctx = new LoggerContext();
        ctx.setName("hiq-jack-log");
        ctx.setMDCAdapter(new LogbackMDCAdapter());
        ctx.start();
        return ctx;
    }

    private static String errors(LoggerContext ctx) {
        StringBuilder sb = new StringBuilder();
        for (Status s : ctx.getStatusManager().getCopyOfStatusList()) {
            if (s.getEffectiveLevel() >= Status.ERROR) {
                if (sb.length() > 0) sb.append("; ");
                sb.append(s.getMessage());
            }
        }
        return sb.toString();
    }

    /** Appends one tree's JSON as one line. */
    public void append(byte[] json) {
        if (lines == null) {
            // straight to the appenders with a light event: the jack log's volume is the trees' volume
            if (logger.isInfoEnabled()) logger.callAppenders(new JackEvent(json, LOGGER, contextVO, false));
            return;
        }
        synchronized (lines) {
            lines.write(json, 0, json.length);
            lines.write('\n');
            if (lines.size() >= MAX_PENDING) writeLines();
        }
    }

    private void writeLines() {
        if (lines.size() == 0) return;
        byte[] b = lines.toByteArray();
        lines.reset();
        logger.callAppenders(new JackEvent(b, LOGGER, contextVO, true));
    }

    /** Pushes buffered lines to the file. */
    public void flush() {
        if (lines != null) {
            synchronized (lines) {
                writeLines();
            }
            return;
        }
        for (OutputStreamAppender<ILoggingEvent> a : streamAppenders()) {
            try {
                OutputStream out = a.getOutputStream();
                if (out != null) out.flush();
            } catch (IOException e) {
                // a rollover closed this stream meanwhile: its bytes were flushed by the close
            }
        }
    }

    private List<OutputStreamAppender<ILoggingEvent>> streamAppenders() {
        List<OutputStreamAppender<ILoggingEvent>> out = new ArrayList<>();
        for (Iterator<Appender<ILoggingEvent>> it = logger.iteratorForAppenders(); it.hasNext(); ) {
            if (it.next() instanceof OutputStreamAppender<ILoggingEvent> o) out.add(o);
        }
        return out;
    }

    /** The active file (the default one when a configuration file chose another). */
    public Path file() { return file; }

    /** Flushes and stops Jack's logging context. */
    @Override
    public void close() {
        flush();
        context.stop();
    }
}
