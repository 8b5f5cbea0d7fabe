package io.hiq.jack;

import ch.qos.logback.core.util.FileSize;
import io.hiq.core.runtime.Settings;
import java.nio.file.Path;

/**
 * Jack's own settings, read once at start (DESIGN B5 plus Jack's tuning variables, all documented
 * in docs/JACK.md). Malformed values are reported by {@link #from} as a {@link JackConfigException}
 * naming the variable.
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
 */
public record JackSettings(Path home, Path jackLog, Path jackLogConfig, long jackLogMaxSize, int jackLogMaxFiles,
                           Path spoolDir, long spoolMaxSize, int queueCapacity, long flushTimeoutMs) {

    /** Reads Jack's settings. */
    public static JackSettings from(Settings s) throws JackConfigException {
        Path home = s.home();
        Path log = s.isSet("NO_JACK_LOG") ? null : home.resolve("log_jack.log");
        String cfg = s.get("HIQ_JACK_LOG_CONFIG");
        return new JackSettings(home, log,
                cfg == null || cfg.isBlank() ? null : Path.of(cfg.trim()),
                size(s, "HIQ_JACK_LOG_MAX_SIZE", "500MB"),
                (int) Math.max(1, Math.min(20, number(s, "HIQ_JACK_LOG_MAX_FILES", 5))),
                home.resolve("spool"),
                size(s, "HIQ_JACK_SPOOL_MAX_SIZE", "1GB"),
                (int) Math.max(16, Math.min(1 << 22, number(s, "HIQ_JACK_QUEUE", 8192))),
                flushTimeout(s));
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

    private static long flushTimeout(Settings s) throws JackConfigException {
        String v = s.get("HIQ_FLUSH_TIMEOUT", "5");
        try {
            double seconds = Double.parseDouble(v);
            if (seconds < 0 || Double.isNaN(seconds)) throw new NumberFormatException();
            return (long) (seconds * 1000);
        } catch (NumberFormatException e) {
            throw new JackConfigException("HIQ_FLUSH_TIMEOUT: not a number of seconds: '" + v + "'");
        }
    }
}
