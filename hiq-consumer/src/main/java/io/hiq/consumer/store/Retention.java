package io.hiq.consumer.store;

import java.sql.SQLException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code HIQ_RETENTION}: deletes trees whose root started, and roll-up minutes that start, more than
 * the retention ago. Runs on its own daemon thread every {@code interval}; each pass deletes in small
 * transactions ({@value #TREE_BATCH} trees, or one roll-up minute, each) so the ingest thread, which
 * shares the write connection, waits at most one small delete. A failing pass (store down) is
 * counted and simply tried again at the next interval.
 */
public final class Retention implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Retention.class);
    /** Default retention: 7 days. */
    public static final Duration DEFAULT = Duration.ofDays(7);
    /** Shortest retention accepted. */
    public static final Duration MIN = Duration.ofMinutes(1);
    /** Longest retention accepted: 10 years. */
    public static final Duration MAX = Duration.ofDays(3650);
    /** Default time between two passes. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(5);
    /** Trees deleted per transaction. */
    public static final int TREE_BATCH = 1000;
    private static final Pattern SHORT = Pattern.compile("(\\d{1,9})\\s*(d|h|m|s)");

    private final TreeStore store;
    private final Duration keep;
    private final Duration interval;
    private final LongSupplier clockMs;
    private final AtomicLong deletedTrees = new AtomicLong();
    private final AtomicLong deletedRollups = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong passes = new AtomicLong();
    private ScheduledExecutorService timer;
    private volatile boolean closed;

    /** @param clockMs the wall clock (epoch ms); a test may move it */
    public Retention(TreeStore store, Duration keep, Duration interval, LongSupplier clockMs) {
        this.store = store;
        this.keep = keep;
        this.interval = interval;
        this.clockMs = clockMs;
    }

    /**
     * Parses a retention: {@code 7d}, {@code 36h}, {@code 90m}, {@code 3600s} or ISO-8601
     * ({@code P7D}, {@code PT36H}); between {@link #MIN} and {@link #MAX}. Errors name the variable
     * and say what is expected.
     */
    public static Duration parse(String variable, String text) {
        if (text == null || text.isBlank()) return DEFAULT;
        String t = text.trim().toLowerCase(Locale.ROOT);
        Duration d;
        Matcher m = SHORT.matcher(t);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            d = switch (m.group(2)) {
                case "d" -> Duration.ofDays(n);
                case "h" -> Duration.ofHours(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofSeconds(n);
            };
        } else {
            try {
                d = Duration.parse(text.trim().toUpperCase(Locale.ROOT));
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException(variable + ": '" + text + "' is not a duration (expected e.g. 7d, 36h, 90m, 3600s or P7D)");
            }
        }
        if (d.compareTo(MIN) < 0 || d.compareTo(MAX) > 0) {
            throw new IllegalArgumentException(variable + ": '" + text + "' is out of bounds (between 1m and 3650d)");
        }
        return d;
    }

    /** Starts the passes: the first after one interval, then one interval after each pass ends. */
    public synchronized Retention start() {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "hiq-retention");
            t.setDaemon(true);
            return t;
        });
        long ms = interval.toMillis();
        timer.scheduleWithFixedDelay(this::runOnce, ms, ms, TimeUnit.MILLISECONDS);
        return this;
    }

    /** One pass: deletes everything older than the retention, batch by batch. */
    public void runOnce() {
        long cutoffMs = clockMs.getAsLong() - keep.toMillis();
        try {
            int n;
            do {
                n = store.deleteTreesBefore(cutoffMs * 1000L, TREE_BATCH);
                deletedTrees.addAndGet(n);
            } while (n == TREE_BATCH && !closed);
            do {
                n = store.deleteRollupMinuteBefore(cutoffMs);
                deletedRollups.addAndGet(n);
            } while (n > 0 && !closed);
            passes.incrementAndGet();
        } catch (SQLException | RuntimeException e) {
            if (closed) return;
            errors.incrementAndGet();
            LOG.warn("retention: pass failed ({}); next try in {} s", StoreErrors.describe(e), interval.toSeconds());
        }
    }

    /** The retention. */
    public Duration keep() { return keep; }
    /** Trees deleted by retention. */
    public long deletedTrees() { return deletedTrees.get(); }
    /** Roll-up rows deleted by retention. */
    public long deletedRollups() { return deletedRollups.get(); }
    /** Passes that failed (store error). */
    public long errors() { return errors.get(); }
    /** Passes completed. */
    public long passes() { return passes.get(); }

    @Override
    public synchronized void close() {
        closed = true;
        if (timer != null) {
            timer.shutdownNow();
            try {
                timer.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
