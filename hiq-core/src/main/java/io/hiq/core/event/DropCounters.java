package io.hiq.core.event;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What the hot path lost because the ring and a thread's buffer were both full. Updated only on
 * that (rare) path, never per traced call.
 */
public final class DropCounters {
    /** ENTER/EXIT/EXTRA records that never reached the ring. */
    public final AtomicLong droppedEvents = new AtomicLong();
    /** Roots (whole trees) dropped. */
    public final AtomicLong droppedTrees = new AtomicLong();
    /**
     * Traced calls ignored because they ran inside HiQ's own recording on the same thread (a traced
     * custom metric supplier): recording them would overwrite the record being written.
     */
    public final AtomicLong reentrantCalls = new AtomicLong();
}
