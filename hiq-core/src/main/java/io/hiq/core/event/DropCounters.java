package io.hiq.core.event;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What the hot path lost because the ring and a thread's buffer were both full. Updated only on
 * that (rare) path, never per traced call.
 */
public final class DropCounters {
    /** ENTER/EXIT/EXTRA records that never reached the ring (those of gaps included). */
    public final AtomicLong droppedEvents = new AtomicLong();
    /** Roots (whole trees) dropped. */
    public final AtomicLong droppedTrees = new AtomicLong();
    /**
     * Gaps: stretches of a kept root whose records were not written (ring and buffer full); the
     * root's tree is kept, flagged truncated (docs/FORMATS.md §1.6).
     */
    public final AtomicLong gaps = new AtomicLong();
    /** Records not written in gaps (also in {@link #droppedEvents}). */
    public final AtomicLong gapRecords = new AtomicLong();
    /**
     * Traced calls ignored because they ran inside HiQ's own recording on the same thread (a traced
     * custom metric supplier): recording them would overwrite the record being written.
     */
    public final AtomicLong reentrantCalls = new AtomicLong();
}
