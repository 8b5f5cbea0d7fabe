package io.hiq.jack;

import ch.qos.logback.core.util.FileSize;
import io.hiq.core.runtime.Settings;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Jack's own settings, read once at start (DESIGN B5 plus Jack's tuning variables, all documented
 * in docs/JACK.md). A malformed value is reported (one line naming the variable) and replaced by its
 * default: a tuning mistake never turns Jack off.
 *
 * @param home            {@code HIQ_HOME}
 * @param jackLog         the jack log file, or null when {@code NO_JACK_LOG} is set
 * @param jackLogConfig   {@code HIQ_JACK_LOG_CONFIG}: a logback.xml for the jack log, or null
 * @param jackLogMaxSize  {@code HIQ_JACK_LOG_MAX_SIZE} (default 500MB)
 * @param jackLogMaxFiles {@code HIQ_JACK_LOG_MAX_FILES} old files kept (default 5)
 * @param spoolDir        {@code $HIQ_HOME/spool}
 * @param spoolMaxSize    {@code HIQ_JACK_SPOOL_MAX_SIZE} (default 1GB)
 * @param queueCapacity   {@code HIQ_JACK_QUEUE} trees waiting for the batcher (default 8192)
 * @param flushTimeoutMs  {@code HIQ_FLUSH_TIMEOUT} seconds, as milliseconds (default 5 s)
 * @param fsyncNanos      {@code HIQ_JACK_FSYNC}: least interval between two forced spool writes
 *                        (default 1 s; 0 every batch; negative: {@code off}, only at exit)
 * @param inflightBytes   {@code HIQ_JACK_INFLIGHT_MB}: bytes of trees handed to Kafka and not yet
 *                        acknowledged, 1 to 4096 MiB; 0 when not set (the publisher's default)
 */
public record JackSettings(Path home, Path jackLog, Path jackLogConfig, long jackLogMaxSize, int jackLogMaxFiles,
                           Path spoolDir, long spoolMaxSize, int queueCapacity, long flushTimeoutMs, long fsyncNanos,
                           long inflightBytes) {

    /**
     * Reads Jack's settings; a malformed value is reported to {@code warn} (naming the variable)
     * and its default is used instead.
     */
    public static JackSettings from(Settings s, Consumer<String> warn) {
        Path home = s.home();
        Path log = s.isSet("NO_JACK_LOG") ? null : home.resolve("log_jack.log");
        String cfg = s.get("HIQ_JACK_LOG_CONFIG");
        return new JackSettings(home, log,
                cfg == null || cfg.isBlank() ? null : Path.of(cfg.trim()),
                orDefault(() -> size(s, "HIQ_JACK_LOG_MAX_SIZE", "500MB"), 500L * 1024 * 1024, warn),
                (int) Math.max(1, Math.min(20, orDefault(() -> number(s, "HIQ_JACK_LOG_MAX_FILES", 5), 5L, warn))),
                home.resolve("spool"),
                orDefault(() -> size(s, "HIQ_JACK_SPOOL_MAX_SIZE", "1GB"), 1024L * 1024 * 1024, warn),
                (int) Math.max(16, Math.min(1 << 22, orDefault(() -> number(s, "HIQ_JACK_QUEUE", 8192), 8192L, warn))),
                // core reports a bad HIQ_FLUSH_TIMEOUT once; Jack uses the same bounded value
                io.hiq.core.runtime.RuntimeOptions.flushTimeout(s, w -> { }).toMillis(),
                orDefault(() -> fsync(s), java.util.concurrent.TimeUnit.SECONDS.toNanos(1), warn),
                orDefault(() -> inflight(s), 0L, warn));
    }

    private interface Reader {
        long read() throws JackConfigException;
    }

    private static long orDefault(Reader r, long def, Consumer<String> warn) {
        try {
            return r.read();
        } catch (JackConfigException e) {
            warn.accept(e.getMessage() + "; using the default");
            return def;
        }
    }

    private static long size(Settings s, String var, String def) throws JackConfigException {
        String v = s.get(var, def);
        try {
            return FileSize.valueOf(v).getSize();
        } catch (IllegalArgumentException e) {
            throw new JackConfigException(var + ": not a size: '" + v + "' (use e.g. 500MB, 64KB, 1GB or bytes)");
        }
    }

    private static long number(Settings s, String var, long def) throws JackConfigException {
        try {
            return s.number(var, def);
        } catch (IllegalArgumentException e) {
            throw new JackConfigException(e.getMessage());
        }
    }

    /** {@code HIQ_JACK_INFLIGHT_MB}: whole MiB from 1 to 4096, as bytes; 0 when not set. */
    static long inflight(Settings s) throws JackConfigException {
        String v = s.get("HIQ_JACK_INFLIGHT_MB");
        if (v == null || v.isBlank()) return 0;
        try {
            long mb = Long.parseLong(v.trim());
            if (mb < 1 || mb > 4096) throw new NumberFormatException();
            return mb * 1024 * 1024;
        } catch (NumberFormatException e) {
            throw new JackConfigException("HIQ_JACK_INFLIGHT_MB: not a whole number of MiB from 1 to 4096: '" + v + "'");
        }
    }

    /** {@code HIQ_JACK_FSYNC}: seconds (0 to 60, decimals allowed) or {@code off}. */
    static long fsync(Settings s) throws JackConfigException {
        String v = s.get("HIQ_JACK_FSYNC", "1").trim();
        if (v.equalsIgnoreCase("off") || v.equalsIgnoreCase("never")) return -1;
        try {
            double seconds = Double.parseDouble(v);
            if (!(seconds >= 0 && seconds <= 60)) throw new NumberFormatException();
            return (long) (seconds * 1e9);
        } catch (NumberFormatException e) {
            throw new JackConfigException("HIQ_JACK_FSYNC: not a number of seconds from 0 to 60 nor 'off': '" + v + "'");
        }
    }
}
