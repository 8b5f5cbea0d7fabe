package io.hiq.core.event;

import java.util.function.LongSupplier;

/**
 * One application thread's span records, written as primitives and published to the
 * {@link SpanRing} one batch per completed root (or when full, or when its oldest record is older
 * than {@link #MAX_AGE_NANOS}).
 *
 * <p>Only its owner thread touches a buffer, so nothing here is synchronized; the one exception is
 * {@link #drainIfOwnerDead()}, which runs only once the owner has terminated.
 *
 * <p>Performance notes: a record is a header long plus one long per metric; the arrays start small
 * and grow to {@link #maxRecords} during warm-up, after which recording allocates nothing. When the
 * ring is full the batch stays here and is retried at the next publish point; when this buffer is
 * full too, the current root is dropped whole and counted, so the application never waits.
 */
final class ThreadBuffer {
    /** A batch older than this is published even if its root is still open (~1 ms). */
    static final long MAX_AGE_NANOS = 1_000_000L;
    private static final int INITIAL_RECORDS = 64;

    private final Thread owner;
    /** The configuration this buffer was made for; a new install() makes threads start afresh. */
    Object configuredBy;
    private final long threadId;
    private final SpanRing ring;
    private final int stride;
    private final int maxRecords;
    private final LongSupplier[] extraMetrics;
    private final DropCounters drops;

    private long[] data;
    private Object[] refs;
    /** Records that fit in {@link #data} now (kept as a field: a division per record costs more than a load). */
    private int capacity;
    private int count;
    private int refCount;
    private long firstNanos;

    private int depth;
    private int rootStart;
    private int rootRefStart;
    private boolean rootPublished;
    private boolean dropping;
    private long droppingEvents;
    private long droppedTreesSincePublish;
    /** No publish attempt before the buffer holds this many records (set after a failed attempt). */
    private int retryAtCount;
    private boolean abortOpen;
    /** The forked task this thread is running, if any: tasks it forks in turn attach to the same call. */
    private TaskLink adopted;

    ThreadBuffer(Thread owner, SpanRing ring, int maxRecords, LongSupplier[] extraMetrics, DropCounters drops) {
        this.owner = owner;
        this.threadId = owner.getId();
        this.ring = ring;
        this.stride = 2 + extraMetrics.length;
        this.maxRecords = maxRecords;
        this.extraMetrics = extraMetrics;
        this.drops = drops;
        int initial = Math.min(INITIAL_RECORDS, maxRecords);
        this.data = new long[initial * stride];
        this.refs = new Object[initial];
        this.capacity = initial;
    }

    /**
     * Records a call's start. The clock is read last, after the bookkeeping, so that HiQ's own work
     * stays outside the measured span as far as possible.
     */
    void enter(int tagId) { enter(tagId, Long.MIN_VALUE); }

    /** Records a call's start read at {@code at} ({@link Long#MIN_VALUE}: read the clock now). */
    void enter(int tagId, long at) {
        if (depth++ == 0) {
            rootStart = count;
            rootRefStart = refCount;
        }
        if (dropping) {
            droppingEvents++;
            return;
        }
        int pos = record(SpanBatch.ENTER, tagId, null, 0L);
        if (pos >= 0) {
            long now = at == Long.MIN_VALUE ? System.nanoTime() : at;
            data[pos + 1] = now;
            if (count == 1) firstNanos = now;
        }
    }

    /** Records a call's end, read at {@code now}; publishes when it closes the root. */
    void exit(int tagId, Throwable thrown, long now) {
        if (depth == 0) return; // an exit whose enter happened before tracing was switched on
        if (dropping) {
            droppingEvents++;
        } else {
            record(SpanBatch.EXIT, tagId, thrown, now);
        }
        if (--depth == 0) {
            if (dropping) {
                dropping = false;
                drops.droppedEvents.addAndGet(droppingEvents);
                droppingEvents = 0;
            } else {
                rootPublished = false;
                publish();
            }
        }
    }

    /** Attaches extra information to the innermost open call. */
    void extra(ExtraValue value) {
        if (depth == 0) return;
        if (dropping) {
            droppingEvents++;
            return;
        }
        record(SpanBatch.EXTRA, 0, value, System.nanoTime());
    }

    /** Records a call's end now. */
    void exit(int tagId, Throwable thrown) { exit(tagId, thrown, System.nanoTime()); }

    int depth() { return depth; }

    /** Records that a task leaves for another thread from the innermost open call. */
    void fork(TaskLink link) {
        if ((depth == 0 && adopted == null) || dropping) return;
        record(SpanBatch.FORK, 0, link, System.nanoTime());
    }

    /** Whether a task forked now has a call to attach to: an open call, or the task this thread runs. */
    boolean canFork() { return depth > 0 || adopted != null; }

    /** Records the start of a forked task on this thread (outside any root of its own). */
    void adopt(TaskLink link) {
        adopted = link;
        record(SpanBatch.ADOPT, 0, link, System.nanoTime());
    }

    /** Records the end of a forked task and publishes, so the forking tree is not kept waiting. */
    void adoptEnd(TaskLink link) {
        adopted = null;
        record(SpanBatch.ADOPT_END, 0, link, System.nanoTime());
        if (depth == 0) publish(true);
    }

    /** Writes one record; returns its position in {@code data}, or -1 when it was dropped. */
    private int record(int kind, int tagId, Object ref, long now) {
        if (count == capacity && !makeRoom()) {
            droppingEvents++;
            return -1;
        }
        int r = 0;
        if (ref != null) {
            refs[refCount] = ref;
            r = ++refCount;
        }
        int pos = count * stride;
        long[] d = data;
        d[pos] = SpanBatch.header(kind, tagId, r);
        d[pos + 1] = now;
        LongSupplier[] m = extraMetrics;
        for (int k = 0; k < m.length; k++) d[pos + 2 + k] = m[k].getAsLong();
        if (count++ == 0) firstNanos = now;
        else if (now - firstNanos > MAX_AGE_NANOS && depth > 0 && now != 0) publish();
        return pos;
    }

    /** Grows, publishes or drops so that one more record fits; false when the current root was dropped. */
    private boolean makeRoom() {
        if (count < maxRecords) {
            int grown = Math.min(maxRecords, Math.max(count * 2, INITIAL_RECORDS));
            data = java.util.Arrays.copyOf(data, grown * stride);
            refs = java.util.Arrays.copyOf(refs, grown);
            capacity = grown;
            return true;
        }
        if (publish()) return true;
        // ring and buffer full: drop the current root whole; earlier completed roots stay queued
        long lost = count - rootStart;
        for (int i = rootRefStart; i < refCount; i++) refs[i] = null;
        count = rootStart;
        refCount = rootRefStart;
        dropping = true;
        droppingEvents += lost;
        droppedTreesSincePublish++;
        drops.droppedTrees.incrementAndGet();
        if (rootPublished) abortOpen = true;
        return false;
    }

    /** Publishes every record held; false (records kept) when the ring is full. */
    private boolean publish() { return publish(false); }

    /** Publishes; {@code force} ignores the back-off after a failed attempt (shutdown, task end). */
    private boolean publish(boolean force) {
        if (count == 0 && droppedTreesSincePublish == 0 && !abortOpen) return true;
        // after a failed attempt, wait for 64 more records (or a full buffer) before trying again:
        // a full ring stays full for a while, and each attempt costs the application thread
        if (!force && count < retryAtCount && count < capacity) return false;
        if (!ring.publish(data, count, stride, refs, refCount, threadId, owner.getName(), droppedTreesSincePublish, abortOpen)) {
            retryAtCount = count + 64;
            return false;
        }
        retryAtCount = 0;
        for (int i = 0; i < refCount; i++) refs[i] = null;
        count = 0;
        refCount = 0;
        rootStart = 0;
        rootRefStart = 0;
        droppedTreesSincePublish = 0;
        abortOpen = false;
        if (depth > 0) rootPublished = true;
        return true;
    }

    /** Publishes what a terminated owner left behind; true when this buffer can be forgotten. */
    boolean drainIfOwnerDead() {
        if (owner.isAlive()) return false;
        return publish(true);
    }

    /**
     * Publishes completed roots of the calling thread's own buffer (shutdown, tests).
     *
     * @return true when nothing completed is left behind
     */
    boolean flushCompleted() {
        return depth > 0 || publish(true);
    }
}
