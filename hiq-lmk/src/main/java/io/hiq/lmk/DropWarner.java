package io.hiq.lmk;

import java.util.function.LongSupplier;

/**
 * Decides when LMK logs the "ring dropped records" warning: only when the drop counters grew since
 * the previous warning, and at most once per second, so that a saturated ring does not add a flood
 * of warnings to its own backlog. Each warning carries the counts since the previous one.
 *
 * <p>Used from the LMK consumer thread only (and from flush at shutdown, after that thread stopped).
 */
public final class DropWarner {
    /** What to report. */
    public record Warning(long records, long trees, long totalRecords) {}

    private static final long INTERVAL_NANOS = 1_000_000_000L;

    private final LongSupplier droppedRecords;
    private final LongSupplier droppedTrees;
    private final LongSupplier clock;
    private long reportedRecords;
    private long reportedTrees;
    private long lastWarning;
    private boolean warned;

    /**
     * @param droppedRecords the total of span records dropped ({@code Dropped})
     * @param droppedTrees   the total of trees dropped ({@code DroppedTrees})
     * @param clock          nanoseconds, {@link System#nanoTime()} in production
     */
    public DropWarner(LongSupplier droppedRecords, LongSupplier droppedTrees, LongSupplier clock) {
        this.droppedRecords = droppedRecords;
        this.droppedTrees = droppedTrees;
        this.clock = clock;
    }

    /**
     * Returns the warning to log now, or null: nothing new was dropped, or the previous warning is
     * less than a second old (its counts are then included in the next one).
     *
     * @param force ignore the one-second limit (the final flush at shutdown)
     */
    public Warning poll(boolean force) {
        long records = droppedRecords.getAsLong();
        long trees = droppedTrees.getAsLong();
        if (records == reportedRecords && trees == reportedTrees) return null;
        long now = clock.getAsLong();
        if (!force && warned && now - lastWarning < INTERVAL_NANOS) return null;
        Warning w = new Warning(records - reportedRecords, trees - reportedTrees, records);
        reportedRecords = records;
        reportedTrees = trees;
        lastWarning = now;
        warned = true;
        return w;
    }
}
