package io.hiq.core.event;

import java.util.Arrays;
import java.util.function.LongSupplier;

/**
 * One application thread's span records, written as primitives and published to the
 * {@link SpanRing} one batch per completed root (or when full, or when its oldest record is older
 * than {@link #MAX_AGE_NANOS}).
 *
 * <p>Only its owner thread touches a buffer, so nothing here is synchronized; the one exception is
 * {@link #drainIfOwnerDead()}, which runs only once the owner has terminated.
 *
 * <p>Exception safety (an error inside HiQ, a {@link StackOverflowError} or an
 * {@link OutOfMemoryError} through traced code): {@link #enter} changes the call depth only as its
 * very last step, so an enter that throws leaves no trace, and returns a {@link Frame} that remembers
 * the depth at entry; {@link #exit} first restores that depth, whatever happened in between (exits
 * that never ran because their advice overflowed the stack, records lost to an error). Whenever the
 * records sent may not match the calls the assembler holds open, the next ENTER or EXIT is preceded
 * by an {@link SpanBatch#UNWIND} record that tells the assembler how many calls are really open.
 *
 * <p>HiQ never traces itself: a buffer made for one of HiQ's own threads is muted for good, and
 * while a buffer runs foreign code (a metric supplier) it is muted too, so a traced supplier cannot
 * re-enter recording; such calls are counted in {@link DropCounters#reentrantCalls}. Both are one
 * check of a field that the hot path reads anyway.
 *
 * <p>Performance notes: a record is a header long plus one long per metric; the arrays start small
 * and grow to {@link #maxRecords} during warm-up, after which recording allocates nothing (a
 * {@link Frame} is allocated once per nesting depth reached). When the ring is full the batch stays
 * here and is retried at the next publish point; when this buffer is full too, the current root is
 * dropped whole and counted, so the application never waits.
 */
final class ThreadBuffer {
    /** A batch older than this is published even if its root is still open (~1 ms). */
    static final long MAX_AGE_NANOS = 1_000_000L;
    private static final int INITIAL_RECORDS = 64;
    /** {@link #recDepth} when the records sent may not match the open calls. */
    private static final int UNKNOWN = -1;
    /** Frames kept after a root closes: a deep recursion's frames are let go. */
    private static final int KEPT_FRAMES = 256;

    /**
     * The token a traced call carries from its enter to its exit: the buffer and the depth at entry.
     * One per depth per buffer, reused by every call at that depth.
     */
    static final class Frame {
        final ThreadBuffer buffer;
        final int depth;

        Frame(ThreadBuffer buffer, int depth) {
            this.buffer = buffer;
            this.depth = depth;
        }
    }

    private final Thread owner;
    private final long threadId;
    /** Null once the install that made this buffer is gone (nothing is published any more). */
    private SpanRing ring;
    private final int stride;
    private final int maxRecords;
    private final LongSupplier[] extraMetrics;
    private final DropCounters drops;
    /** Made for one of HiQ's own threads: never records. */
    private final boolean hiqThread;
    /** True for HiQ's threads, and while foreign code (a metric supplier) runs on this thread. */
    private boolean mute;

    private long[] data;
    private Object[] refs;
    /** Records that fit in {@link #data} now (kept as a field: a division per record costs more than a load). */
    private int capacity;
    private int count;
    private int refCount;
    /** Time of the oldest record held, 0 when none with a time. */
    private long firstNanos;

    private Frame[] frames = new Frame[16];
    /** Traced calls open on this thread (the depth a new call enters at). */
    private int depth;
    /** Calls open as the assembler sees them from the records sent, or {@link #UNKNOWN}. */
    private int recDepth;
    private int rootStart;
    private int rootRefStart;
    private boolean rootPublished;
    private boolean dropping;
    private long droppingEvents;
    private long droppedTreesSincePublish;
    /** No publish attempt before the buffer holds this many records (set after a failed attempt). */
    private int retryAtCount;
    private boolean abortOpen;
    /** A ring slot claimed by a publish that has not committed it yet, or -1. */
    private long claimed = -1;
    /** The forked task this thread is running, if any: tasks it forks in turn attach to the same call. */
    private TaskLink adopted;

    ThreadBuffer(Thread owner, SpanRing ring, int maxRecords, LongSupplier[] extraMetrics, DropCounters drops) {
        this(owner, ring, maxRecords, extraMetrics, drops, false);
    }

    /** @param hiqThread true for a thread of HiQ's own: the buffer never records */
    ThreadBuffer(Thread owner, SpanRing ring, int maxRecords, LongSupplier[] extraMetrics, DropCounters drops, boolean hiqThread) {
        this.owner = owner;
        this.threadId = owner.getId();
        this.ring = ring;
        this.stride = 2 + extraMetrics.length;
        this.maxRecords = maxRecords;
        this.extraMetrics = extraMetrics;
        this.drops = drops;
        this.hiqThread = hiqThread;
        this.mute = hiqThread;
        int initial = hiqThread ? 1 : Math.min(INITIAL_RECORDS, maxRecords);
        this.data = new long[initial * stride];
        this.refs = new Object[initial];
        this.capacity = initial;
    }

    /**
     * Records a call's start. The clock is read last, after the bookkeeping, so that HiQ's own work
     * stays outside the measured span as far as possible.
     *
     * @return the call's token for {@link #exit}, or null when this call is not recorded (muted)
     */
    Frame enter(int tagId) { return enter(tagId, Long.MIN_VALUE); }

    /** Records a call's start read at {@code at} ({@link Long#MIN_VALUE}: read the clock now). */
    Frame enter(int tagId, long at) {
        if (mute) return mutedCall();
        int d = depth;
        // everything that can allocate or throw happens before the depth changes
        Frame[] fs = frames;
        Frame f = d < fs.length ? fs[d] : null;
        if (f == null) f = newFrame(d);
        if (d == 0) {
            rootStart = count;
            rootRefStart = refCount;
        }
        if (dropping) droppingEvents++;
        else writeEnter(tagId, d, at);
        depth = d + 1;
        return f;
    }

    private void writeEnter(int tagId, int d, long at) {
        int known = recDepth;
        recDepth = UNKNOWN; // until the records below are written whole
        if (known != d && record(SpanBatch.UNWIND, d, null, 0L) < 0) return;
        int pos = record(SpanBatch.ENTER, tagId, null, 0L);
        if (pos < 0) return;
        long now = at == Long.MIN_VALUE ? System.nanoTime() : at;
        data[pos + 1] = now;
        if (firstNanos == 0) firstNanos = now;
        recDepth = d + 1;
    }

    private Frame newFrame(int d) {
        if (d >= frames.length) frames = Arrays.copyOf(frames, Math.max(d + 1, frames.length * 2));
        Frame f = new Frame(this, d);
        frames[d] = f;
        return f;
    }

    /** The (rare) path of a muted buffer: counts re-entrant calls; HiQ's own threads are not counted. */
    private Frame mutedCall() {
        if (!hiqThread) drops.reentrantCalls.incrementAndGet();
        return null;
    }

    /**
     * Records the end of the call {@code f} entered, read at {@code now}; publishes when it closes
     * the root. The depth is restored first, so whatever this method or an inner call's exit failed
     * to do, the thread's next calls are recorded right.
     */
    void exit(Frame f, int tagId, Throwable thrown, long now) {
        int d = f.depth;
        if (depth <= d) return; // already closed: an outer call's exit unwound it (spans closed out of order)
        depth = d;
        if (dropping) {
            droppingEvents++;
        } else {
            writeExit(tagId, thrown, now, d);
        }
        if (d == 0) {
            if (frames.length > KEPT_FRAMES * 16) frames = Arrays.copyOf(frames, KEPT_FRAMES);
            if (dropping) {
                dropping = false;
                recDepth = 0; // the dropped root's records never reach the assembler (or are aborted there)
                drops.droppedEvents.addAndGet(droppingEvents);
                droppingEvents = 0;
            } else {
                rootPublished = false;
                publish();
            }
        }
    }

    private void writeExit(int tagId, Throwable thrown, long now, int d) {
        int known = recDepth;
        recDepth = UNKNOWN;
        if (known != d + 1 && record(SpanBatch.UNWIND, d + 1, null, now) < 0) return;
        if (record(SpanBatch.EXIT, tagId, thrown, now) < 0) return;
        recDepth = d;
    }

    /** Records a call's end now (tests, calibration): the innermost open call. */
    void exit(int tagId, Throwable thrown) {
        if (depth > 0) exit(frames[depth - 1], tagId, thrown, System.nanoTime());
    }

    /** Attaches extra information to the innermost open call. */
    void extra(ExtraValue value) {
        if (depth == 0 || mute) return;
        if (dropping) {
            droppingEvents++;
            return;
        }
        // no clock: no consumer times an EXTRA record
        record(SpanBatch.EXTRA, 0, value, 0L);
    }

    int depth() { return depth; }

    /** Whether this buffer never records (HiQ's own thread) or is inside foreign code. */
    boolean muted() { return mute; }

    /** Records that a task leaves for another thread from the innermost open call. */
    void fork(TaskLink link) {
        if ((depth == 0 && adopted == null) || dropping || mute) return;
        record(SpanBatch.FORK, 0, link, 0L);
    }

    /** Whether a task forked now has a call to attach to: an open call, or the task this thread runs. */
    boolean canFork() { return !mute && (depth > 0 || adopted != null); }

    /** Records the start of a forked task on this thread (outside any root of its own). */
    void adopt(TaskLink link) {
        if (mute) return;
        adopted = link;
        record(SpanBatch.ADOPT, 0, link, 0L);
    }

    /** Records the end of a forked task and publishes, so the forking tree is not kept waiting. */
    void adoptEnd(TaskLink link) {
        if (mute) return;
        adopted = null;
        record(SpanBatch.ADOPT_END, 0, link, 0L);
        if (depth == 0) publish(true);
    }

    /**
     * Writes one record; returns its position in {@code data}, or -1 when it was dropped. Only ENTER
     * and EXIT records read the metrics ({@code now} 0: no clock reading, no age check).
     */
    private int record(int kind, int tagId, Object ref, long now) {
        if (count == capacity && !makeRoom()) {
            droppingEvents++;
            return -1;
        }
        int r = 0;
        if (ref != null) {
            refs[refCount] = ref;
            r = refCount + 1;
        }
        int pos = count * stride;
        long[] d = data;
        d[pos] = SpanBatch.header(kind, tagId, r);
        d[pos + 1] = now;
        LongSupplier[] m = extraMetrics;
        if (m.length > 0) {
            if (kind == SpanBatch.ENTER || kind == SpanBatch.EXIT) readMetrics(m, d, pos);
            else for (int k = 0; k < m.length; k++) d[pos + 2 + k] = 0L;
        }
        refCount += r == 0 ? 0 : 1;
        count++;
        if (now != 0) {
            if (firstNanos == 0) firstNanos = now;
            else if (now - firstNanos > MAX_AGE_NANOS && depth > 0) publish();
        }
        return pos;
    }

    /** Runs the metric suppliers (foreign code) muted: a traced supplier cannot re-enter recording. */
    private void readMetrics(LongSupplier[] m, long[] d, int pos) {
        mute = true;
        try {
            for (int k = 0; k < m.length; k++) d[pos + 2 + k] = m[k].getAsLong();
        } finally {
            mute = hiqThread;
        }
    }

    /** Grows, publishes or drops so that one more record fits; false when the current root was dropped. */
    private boolean makeRoom() {
        if (count < maxRecords) {
            int grown = Math.min(maxRecords, Math.max(count * 2, INITIAL_RECORDS));
            long[] d = Arrays.copyOf(data, grown * stride);
            Object[] r = Arrays.copyOf(refs, grown);
            data = d;
            refs = r;
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
        SpanRing r = ring;
        if (r == null) return false;
        String name = owner.getName();
        if (claimed >= 0) {
            // a publish cut short by an error (stack overflow): give its slot back empty first
            r.commitEmpty(claimed, threadId, name);
            claimed = -1;
        }
        long seq = r.claim();
        if (seq < 0) {
            retryAtCount = count + 64;
            return false;
        }
        claimed = seq;
        r.fill(seq, data, count, stride, refs, refCount, threadId, name, droppedTreesSincePublish, abortOpen);
        r.commit(seq);
        claimed = -1;
        retryAtCount = 0;
        for (int i = 0; i < refCount; i++) refs[i] = null;
        count = 0;
        refCount = 0;
        rootStart = 0;
        rootRefStart = 0;
        firstNanos = 0;
        droppedTreesSincePublish = 0;
        abortOpen = false;
        if (depth > 0) rootPublished = true;
        return true;
    }

    /**
     * Lets go of the ring when the install that made this buffer ends: a thread that keeps the
     * buffer in a stale thread-local entry no longer pins the ring, and its later records go nowhere.
     */
    void release() { ring = null; }

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
