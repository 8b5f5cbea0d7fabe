package io.hiq.core.event;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.function.LongSupplier;

/**
 * One application thread's span records, written as primitives into a circular buffer and
 * published to the {@link SpanRing} in batches: when the buffer holds
 * {@link Batching#records()} records, or at the end of a root when its oldest unpublished completed
 * root is older than {@link Batching#ageNanos()} (the timestamp is the one the EXIT read anyway);
 * a long open root is published in parts when full or after {@link #PARTIAL_AGE_NANOS}.
 *
 * <p>Single producer, single consumer. The owner thread alone writes records; at the end of every
 * root it publishes the sequence reached as {@link #committed} with release semantics (a plain store
 * on x86, no lock, no fence). The records are taken out ("drained", copied into ring slots) either by
 * the owner itself or by HiQ's one sweeper thread ({@link BufferSweeper}) when the owner has gone
 * quiet or died; whoever drains holds the buffer's drain lock (one CAS, once per batch, never per
 * call) and advances {@link #consumed} with release semantics, which is how the owner learns that
 * room was freed. The sweeper only takes records up to {@link #committed}: completed roots, never
 * a half-written record nor a root the owner may still drop. The owner never waits for the lock:
 * if the sweeper holds it, the owner keeps writing and publishes at a later root.
 *
 * <p>Exception safety (an error inside HiQ, a {@link StackOverflowError} or an
 * {@link OutOfMemoryError} through traced code): {@link #enter} changes the call depth only as its
 * very last step, so an enter that throws leaves no trace, and returns a {@link Frame} that remembers
 * the depth at entry; {@link #exit} first restores that depth, whatever happened in between (exits
 * that never ran because their advice overflowed the stack, records lost to an error). Whenever the
 * records sent may not match the calls the assembler holds open, the next ENTER or EXIT is preceded
 * by an {@link SpanBatch#UNWIND} record that tells the assembler how many calls are really open. A
 * drain cut short by an error gives its claimed ring slots back empty at the next drain.
 *
 * <p>HiQ never traces itself: a buffer made for one of HiQ's own threads is muted for good, and
 * while a buffer runs foreign code (a metric supplier) it is muted too, so a traced supplier cannot
 * re-enter recording; such calls are counted in {@link DropCounters#reentrantCalls}. Both are one
 * check of a field that the hot path reads anyway.
 *
 * <p>Performance notes: a record is a header long plus one long per metric; the arrays start small
 * and grow (under the drain lock) to {@code maxRecords} during warm-up, after which recording
 * allocates nothing (a {@link Frame} is allocated once per nesting depth reached). When the ring is
 * full the records stay here and are retried later (by the owner after {@link #RETRY_RECORDS} more
 * records, by the sweeper at its next pass). When this buffer is full too, the application never
 * waits (unless {@code HIQ_RING_POLICY=block}); what is lost depends on the open root:
 * <ul>
 *   <li>a <b>gap</b> (the open root already has records out on the ring, or holds at least half the
 *       buffer: a long root): the thread stops writing records but keeps counting them (records,
 *       calls) and tracks the shallowest depth the gap reached, and each frame entered meanwhile
 *       keeps its tag and start time in its {@link Frame}. When room returns (tried every
 *       {@link #RETRY_RECORDS} skipped records), or at the root's exit at the latest, it writes one
 *       {@link SpanBatch#GAP} record (that depth, the counts) followed by a
 *       {@linkplain SpanBatch#synthetic synthetic} ENTER for every frame opened during the gap and
 *       still open; the assembler closes what exited during the gap, opens those, and the root's
 *       tree is kept, flagged {@code truncated}, with the counts in its root's {@code gaps} extra
 *       (docs/FORMATS.md §1.6);</li>
 *   <li>otherwise (a short root none of whose records went out) the root is <b>dropped whole</b>
 *       and counted, as before: its records would be mostly bookkeeping, and the count says it.</li>
 * </ul>
 * The root's own EXIT always goes in: the buffer keeps {@link #RESERVE} records that only a root's
 * EXIT (with the GAP or UNWIND before it) may use.
 */
final class ThreadBuffer {
    /** An open root's records are published in parts once the oldest is older than this (~1 ms). */
    static final long PARTIAL_AGE_NANOS = 1_000_000L;
    private static final int INITIAL_RECORDS = 64;
    /** {@link #recDepth} when the records sent may not match the open calls. */
    private static final int UNKNOWN = -1;
    /** Frames kept after a root closes: a deep recursion's frames are let go. */
    private static final int KEPT_FRAMES = 256;
    /** After a failed publish (ring full), the owner tries again only after this many more records. */
    static final int RETRY_RECORDS = 64;
    /** How long (spins) a full buffer waits for a sweeper that is draining it before dropping. */
    /**
     * Records kept free for a root's EXIT and the one record (GAP or UNWIND) it may need before it:
     * ordinary records stop this many short of a full buffer, so a root's end is never lost.
     */
    static final int RESERVE = 2;
    /** {@link #skipping}: records are written. */
    private static final int WRITING = 0;
    /** {@link #skipping}: the open root is dropped whole (nothing of it is written any more). */
    private static final int DROPPING = 1;
    /** {@link #skipping}: the open root is in a gap (records counted, not written, until room returns). */
    private static final int GAPPING = 2;
    private static final int LOCK_SPINS = 1 << 12;

    private static final VarHandle COMMITTED, CONSUMED, LOCK, PENDING_ABORT, PENDING_DROPPED, GAP_STATE, GAP_RECORDS;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            COMMITTED = l.findVarHandle(ThreadBuffer.class, "committed", long.class);
            CONSUMED = l.findVarHandle(ThreadBuffer.class, "consumed", long.class);
            LOCK = l.findVarHandle(ThreadBuffer.class, "lock", int.class);
            PENDING_ABORT = l.findVarHandle(ThreadBuffer.class, "pendingAbort", int.class);
            PENDING_DROPPED = l.findVarHandle(ThreadBuffer.class, "pendingDroppedTrees", long.class);
            GAP_STATE = l.findVarHandle(ThreadBuffer.class, "gapState", int.class);
            GAP_RECORDS = l.findVarHandle(ThreadBuffer.class, "gapRecords", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * The token a traced call carries from its enter to its exit: the buffer and the depth at entry.
     * One per depth per buffer, reused by every call at that depth.
     */
    static final class Frame {
        final ThreadBuffer buffer;
        final int depth;
        /** The call entered at this depth during a gap: its tag and start, for its synthetic ENTER. */
        int gapTag;
        long gapStart;

        Frame(ThreadBuffer buffer, int depth) {
            this.buffer = buffer;
            this.depth = depth;
        }
    }

    private final Thread owner;
    private final long threadId;
    /** Null once the install that made this buffer is gone (nothing is published any more). */
    private volatile SpanRing ring;
    private final int stride;
    private final int maxRecords;
    private final int batchRecords;
    private final long batchAgeNanos;
    private final LongSupplier[] extraMetrics;
    private final DropCounters drops;
    /** Made for one of HiQ's own threads: never records. */
    private final boolean hiqThread;
    /** True for HiQ's threads, and while foreign code (a metric supplier) runs on this thread. */
    private boolean mute;

    // --- shared with the drainer: replaced by the owner only while it holds the drain lock
    private long[] data;
    private Object[] refs;
    /** Records in {@link #data} minus one (a power of two minus one). */
    private int mask;

    // --- the SPSC indexes (record sequences, never wrapped)
    /** The next record's sequence. Owner only; the sweeper reads it once the owner has terminated. */
    private long head;
    /** End of the last completed root: the sweeper may drain up to here. Owner writes (release). */
    @SuppressWarnings("unused") private long committed;
    /** Records before this one are out of the buffer. Written by the lock holder (release). */
    @SuppressWarnings("unused") private long consumed;
    /** The drain lock: 1 while the owner or the sweeper drains (or the owner grows the arrays). */
    @SuppressWarnings("unused") private int lock;
    /** 1: the owner dropped an open root part of which was already published (see {@link SpanBatch#abortOpen()}). */
    @SuppressWarnings("unused") private int pendingAbort;
    /** Roots dropped since the last batch, for the next batch's {@link SpanBatch#droppedTrees()}. */
    @SuppressWarnings("unused") private long pendingDroppedTrees;
    /**
     * Who counts the open gap's records ({@link DropCounters#gapRecords}): {@link #GAP_NONE},
     * {@link #GAP_OPEN} (the owner, when the gap ends), {@link #GAP_TAKING} / {@link #GAP_TAKEN}
     * (the sweeper or the closing thread counted it so far: the owner died mid-gap, or the root was
     * still open at shutdown; {@link #gapTaken} says how many). Written on the gap path only.
     */
    @SuppressWarnings("unused") private int gapState;
    private static final int GAP_NONE = 0, GAP_OPEN = 1, GAP_TAKING = 2, GAP_TAKEN = 3;
    /** The gap records counted by {@link #countOpenGap()} (published by {@link #GAP_TAKEN}). */
    private long gapTaken;
    /** Ring slots claimed by a drain that was cut short (an error), given back at the next drain; -1 none. */
    private long claimedLo = -1, claimedHi = -1;
    /** The last batch of this terminated owner went out (written under the drain lock; read by {@link #hasPending}). */
    private volatile boolean terminatedSent;
    /** Depth of the records up to {@link #consumed} (as the assembler sees it), -1 unknown. */
    private int drainedDepth;

    // --- owner only
    /** {@link #head} may reach this without looking at {@link #consumed} again. */
    private long limit;
    private long committedLocal;
    /** The owner holds the drain lock (also after a drain cut short by an error). */
    private boolean ownerLocked;
    /** Start of the open root, or the time of its last partial publish: its age for {@link #PARTIAL_AGE_NANOS}. */
    private long openSince;
    /** End time of the oldest completed root not yet published. */
    private long pendingSince;
    /** No publish attempt at a root's end before {@link #head} reaches this (set after a failed attempt). */
    private long retryAt;

    private Frame[] frames = new Frame[16];
    /** Traced calls open on this thread (the depth a new call enters at). */
    private int depth;
    /** Calls open as the assembler sees them from the records sent, or {@link #UNKNOWN}. */
    private int recDepth;
    private long rootStart;
    /** Between a root's ENTER and the end of its EXIT (depth alone does not say it while those are written). */
    private boolean inRoot;
    /** {@link #WRITING}, {@link #DROPPING} or {@link #GAPPING}: one field, so the hot path checks one thing. */
    private int skipping;
    private long droppingEvents;
    /** The open root's ENTER record was written (a gap needs it: the root's node exists downstream). */
    private boolean rootWritten;
    /** The current gap: records and calls (ENTERs) not written, shallowest depth reached. */
    private long gapRecords, gapCalls;
    private int gapDepth;
    /** {@link #gapRecords} at which the owner tries again to end the gap. */
    private long gapRetryAt;
    /** The forked task this thread is running, if any: tasks it forks in turn attach to the same call. */
    private TaskLink adopted;

    // --- sweeper only
    /** {@link #committed} as the sweeper saw it at its previous pass: unchanged means the owner is quiet. */
    long lastSeenCommitted = -1;

    ThreadBuffer(Thread owner, SpanRing ring, int maxRecords, LongSupplier[] extraMetrics, DropCounters drops) {
        this(owner, ring, maxRecords, extraMetrics, drops, false, Batching.DEFAULT);
    }

    /**
     * @param maxRecords records this buffer grows to (rounded up to a power of two)
     * @param hiqThread  true for a thread of HiQ's own: the buffer never records
     */
    ThreadBuffer(Thread owner, SpanRing ring, int maxRecords, LongSupplier[] extraMetrics, DropCounters drops,
                 boolean hiqThread, Batching batching) {
        this.owner = owner;
        this.threadId = owner.getId();
        this.ring = ring;
        this.stride = 2 + extraMetrics.length;
        // at least 8: RESERVE records are kept for a root's EXIT
        this.maxRecords = Integer.highestOneBit(Math.max(4, maxRecords - 1)) << 1;
        // a batch never needs more than half the buffer: the other half keeps recording meanwhile
        this.batchRecords = Math.max(1, Math.min(batching.records(), this.maxRecords / 2));
        this.batchAgeNanos = batching.ageNanos();
        this.extraMetrics = extraMetrics;
        this.drops = drops;
        this.hiqThread = hiqThread;
        this.mute = hiqThread;
        int initial = hiqThread ? 1 : Math.min(INITIAL_RECORDS, this.maxRecords);
        this.data = new long[initial * stride];
        this.refs = new Object[initial];
        this.mask = initial - 1;
        this.limit = initial - RESERVE;
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
            rootStart = head;
            inRoot = true;
            rootWritten = false;
        }
        if (skipping != WRITING) skippedEnter(f, tagId, d, at);
        else writeEnter(tagId, d, at);
        depth = d + 1;
        return f;
    }

    /** {@link #enter} while the root is dropped or in a gap (the rare path). */
    private void skippedEnter(Frame f, int tagId, int d, long at) {
        if (skipping == DROPPING) {
            droppingEvents++;
            return;
        }
        if (gapRecords >= gapRetryAt && endGap(d, false)) {
            writeEnter(tagId, d, at);
            return;
        }
        gapRecords++;
        enteredInGap(tagId, d, at);
    }

    /** A call entered at depth {@code d} during a gap: counted, and its frame remembers it for its synthetic ENTER. */
    private void enteredInGap(int tagId, int d, long at) {
        gapCalls++;
        Frame f = frames[d];
        f.gapTag = tagId;
        f.gapStart = at == Long.MIN_VALUE ? System.nanoTime() : at;
    }

    private void writeEnter(int tagId, int d, long at) {
        int known = recDepth;
        recDepth = UNKNOWN; // until the records below are written whole
        if (known != d && record(SpanBatch.UNWIND, d, null, 0L) < 0) {
            if (skipping == GAPPING) {
                gapRecords++; // the ENTER after it is not written either
                enteredInGap(tagId, d, at);
            }
            return;
        }
        int pos = record(SpanBatch.ENTER, tagId, null, 0L);
        if (pos < 0) {
            if (skipping == GAPPING) enteredInGap(tagId, d, at); // this ENTER started the gap (already counted as a record)
            return;
        }
        long now = at == Long.MIN_VALUE ? System.nanoTime() : at;
        data[pos + 1] = now;
        if (d == 0) {
            openSince = now;
            rootWritten = true;
        }
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
        if (skipping != WRITING) skippedExit(tagId, thrown, now, d);
        else writeExit(tagId, thrown, now, d);
        if (d == 0) {
            if (frames.length > KEPT_FRAMES * 16) frames = Arrays.copyOf(frames, KEPT_FRAMES);
            inRoot = false;
            rootWritten = false;
            if (skipping == GAPPING) abandonGap(); // cannot happen: the root's exit ends its gap
            if (skipping == DROPPING) {
                skipping = WRITING;
                recDepth = 0; // the dropped root's records never reach the assembler (or are aborted there)
                drops.droppedEvents.addAndGet(droppingEvents);
                droppingEvents = 0;
            } else {
                rootClosed(now);
            }
        }
    }

    private void writeExit(int tagId, Throwable thrown, long now, int d) {
        int known = recDepth;
        recDepth = UNKNOWN;
        // the root's EXIT (and the UNWIND it may need) may use the RESERVE: a root's end is never lost
        boolean root = d == 0;
        if (known != d + 1 && record(SpanBatch.UNWIND, d + 1, null, now, root) < 0) {
            if (skipping == GAPPING) gapRecords++; // the EXIT after it is not written either
            return;
        }
        if (record(SpanBatch.EXIT, tagId, thrown, now, root) < 0) return;
        recDepth = d;
    }

    /** {@link #exit} while the root is dropped or in a gap (the rare path); the depth is already {@code d}. */
    private void skippedExit(int tagId, Throwable thrown, long now, int d) {
        if (skipping == DROPPING) {
            droppingEvents++;
            return;
        }
        // the root's exit ends the gap whatever the room (the RESERVE holds the GAP and the EXIT)
        if ((d == 0 || gapRecords >= gapRetryAt) && endGap(d + 1, d == 0)) {
            writeExit(tagId, thrown, now, d);
            return;
        }
        gapRecords++;
        if (d < gapDepth) gapDepth = d;
    }

    /** An EXTRA, FORK (or any record but ENTER and EXIT) skipped in a gap, or ending it; true: write it. */
    private boolean skippedOther() {
        if (skipping == DROPPING) {
            droppingEvents++;
            return false;
        }
        if (gapRecords >= gapRetryAt && endGap(depth, false)) return true;
        gapRecords++;
        return false;
    }

    /**
     * Starts a gap: the record being written did not fit, and the open root (whose ENTER is out or
     * in the buffer) keeps what it recorded. Frames below the current depth are recorded and open.
     */
    private void startGap() {
        skipping = GAPPING;
        gapRecords = 0;
        gapCalls = 0;
        gapDepth = depth;
        gapRetryAt = RETRY_RECORDS;
        drops.gaps.incrementAndGet();
        GAP_STATE.setRelease(this, GAP_OPEN);
    }

    /**
     * The owner ends its gap: of its {@code lost} records, those not yet counted (by
     * {@link #countOpenGap()}, at shutdown) are its to count.
     */
    private long uncountedGapRecords(long lost) {
        if (GAP_STATE.compareAndSet(this, GAP_OPEN, GAP_NONE)) return lost;
        int st;
        while ((st = (int) GAP_STATE.getAcquire(this)) == GAP_TAKING) Thread.onSpinWait(); // a few instructions
        if (st != GAP_TAKEN) return lost; // no gap was announced (cannot happen)
        long taken = gapTaken;
        GAP_STATE.setRelease(this, GAP_NONE);
        return Math.max(0, lost - taken);
    }

    /**
     * Counts the records of a gap that will never end (its owner died mid-gap, or its root is still
     * open at shutdown) in {@link DropCounters#gapRecords} and {@link DropCounters#droppedEvents},
     * once: the gap itself was counted when it started. The owner, if it ever ends that gap, counts
     * only what it skipped after this. Any thread; for a live owner the count is the one it had
     * reached (an atomic read of a counter it goes on writing).
     */
    void countOpenGap() {
        if (!GAP_STATE.compareAndSet(this, GAP_OPEN, GAP_TAKING)) return;
        long v = (long) GAP_RECORDS.getOpaque(this);
        drops.droppedEvents.addAndGet(v);
        drops.gapRecords.addAndGet(v);
        gapTaken = v;
        GAP_STATE.setRelease(this, GAP_TAKEN);
    }

    /**
     * A terminated owner (its writes visible: it was seen dead) that died in a gap or in a root being
     * dropped whole: what it skipped is counted now, once (its root's exit, which would have counted
     * it, never ran). Under the drain lock.
     */
    private void countDeadOwnersSkipped() {
        countOpenGap();
        if (droppingEvents > 0) {
            drops.droppedEvents.addAndGet(droppingEvents);
            droppingEvents = 0;
        }
    }

    /**
     * Ends the gap when there is room for the GAP record, the synthetic ENTERs of the frames opened
     * during it ({@code open} frames are open for the record that follows) and that record, and
     * room to go on (a quarter of the buffer, so that a thread running flat out does not flip in and
     * out of gaps record by record); {@code force} (the root's exit) uses the {@link #RESERVE}.
     *
     * @return true when the gap is over (the caller writes its record normally)
     */
    private boolean endGap(int open, boolean force) {
        int from = Math.min(gapDepth, open);
        int needed = 1 + (open - from) + RESERVE + 1;
        if (!force) {
            gapRetryAt = gapRecords + RETRY_RECORDS;
            if (!roomFor(needed + ((mask + 1) >> 2))) return false;
        }
        // the ENTERs of the frames still open are written now (late, synthetic): not lost. The other
        // skipped records are lost for good: counted now, once (the GAP record carries them downstream)
        int late = open - from;
        long lost = gapRecords - late, lostCalls = gapCalls - late;
        long uncounted = uncountedGapRecords(lost);
        drops.droppedEvents.addAndGet(uncounted);
        drops.gapRecords.addAndGet(uncounted);
        long counts = (Math.min(lost, SpanBatch.GAP_COUNT_MAX) << 32) | Math.min(lostCalls, SpanBatch.GAP_COUNT_MAX);
        skipping = WRITING;
        gapRecords = 0;
        gapCalls = 0;
        recDepth = UNKNOWN;
        // the forced path cannot fail (the RESERVE); the other was checked for room just now
        int pos = record(SpanBatch.GAP, from, null, 0L, true);
        if (pos < 0) return true; // cannot happen; the next record's UNWIND repairs the depth
        data[pos + 1] = counts;
        for (int k = from; k < open; k++) {
            Frame f = frames[k];
            int p = record(SpanBatch.ENTER, f.gapTag, null, 0L, true);
            if (p < 0) return true;
            data[p] |= SpanBatch.SYNTHETIC;
            data[p + 1] = f.gapStart;
        }
        recDepth = open;
        return true;
    }

    /** A gap that could not be closed by a GAP record: its records counted as lost, the depth repaired by an UNWIND. */
    private void abandonGap() {
        long uncounted = uncountedGapRecords(gapRecords);
        drops.droppedEvents.addAndGet(uncounted);
        drops.gapRecords.addAndGet(uncounted);
        gapRecords = 0;
        gapCalls = 0;
        skipping = WRITING;
        recDepth = UNKNOWN;
    }

    /** Whether {@code n} more records fit now, publishing what the ring takes to make room. */
    private boolean roomFor(int n) {
        int cap = mask + 1;
        if (cap - RESERVE - (head - (long) CONSUMED.getAcquire(this)) >= n) return true;
        ownerDrain(head, false);
        if (cap - RESERVE - (head - (long) CONSUMED.getAcquire(this)) >= n) return true;
        return false;
    }

    /** Records a call's end now (tests, calibration): the innermost open call. */
    void exit(int tagId, Throwable thrown) {
        if (depth > 0) exit(frames[depth - 1], tagId, thrown, System.nanoTime());
    }

    /** Attaches extra information to the innermost open call. */
    void extra(ExtraValue value) {
        if (depth == 0 || mute) return;
        if (skipping != WRITING && !skippedOther()) return;
        // no clock: no consumer times an EXTRA record
        record(SpanBatch.EXTRA, 0, value, 0L);
    }

    int depth() { return depth; }

    /** Whether this buffer never records (HiQ's own thread) or is inside foreign code. */
    boolean muted() { return mute; }

    /** Records that a task leaves for another thread from the innermost open call. */
    void fork(TaskLink link) {
        if ((depth == 0 && adopted == null) || mute) return;
        if (skipping == DROPPING) return;
        if (skipping == GAPPING && !skippedOther()) return;
        record(SpanBatch.FORK, 0, link, 0L);
    }

    /** Whether a task forked now has a call to attach to: an open call, or the task this thread runs. */
    boolean canFork() { return !mute && (depth > 0 || adopted != null); }

    /** Records the start of a forked task on this thread (outside any root of its own). */
    void adopt(TaskLink link) {
        if (mute) return;
        adopted = link;
        record(SpanBatch.ADOPT, 0, link, 0L);
        if (!inRoot) commitOutsideRoot();
    }

    /** Records the end of a forked task and publishes, so the forking tree is not kept waiting. */
    void adoptEnd(TaskLink link) {
        if (mute) return;
        adopted = null;
        record(SpanBatch.ADOPT_END, 0, link, 0L);
        if (!inRoot) {
            commitOutsideRoot();
            ownerDrain(head, false);
        }
    }

    /**
     * Writes one record; returns its position in {@code data}, or -1 when it was dropped. Only ENTER
     * and EXIT records read the metrics ({@code now} 0: no clock reading, no age check).
     */
    private int record(int kind, int tagId, Object ref, long now) { return record(kind, tagId, ref, now, false); }

    /**
     * @param reserved the record may use the {@link #RESERVE} (a root's EXIT, a gap's end)
     */
    private int record(int kind, int tagId, Object ref, long now, boolean reserved) {
        if (head >= limit && !makeRoom() && !(reserved && fitsInReserve())) {
            outOfRoom();
            return -1;
        }
        long h = head;
        int at = (int) h & mask;
        if (ref != null) refs[at] = ref;
        int pos = at * stride;
        long[] d = data;
        d[pos] = SpanBatch.header(kind, tagId, ref != null);
        d[pos + 1] = now;
        LongSupplier[] m = extraMetrics;
        if (m.length > 0) {
            if (kind == SpanBatch.ENTER || kind == SpanBatch.EXIT) readMetrics(m, d, pos);
            else for (int k = 0; k < m.length; k++) d[pos + 2 + k] = 0L;
        }
        head = h + 1;
        // a long open root goes out in parts, so that it is visible (and its buffer room reused) early
        if (now != 0 && now - openSince > PARTIAL_AGE_NANOS && inRoot && kind == SpanBatch.EXIT && h + 1 >= retryAt) {
            openSince = now;
            if (!ownerDrain(h + 1, false)) retryAt = h + 1 + RETRY_RECORDS;
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

    /** Grows or publishes so that one more ordinary record fits (the {@link #RESERVE} kept); false when it does not. */
    private boolean makeRoom() {
        long c = (long) CONSUMED.getAcquire(this);
        int cap = mask + 1;
        if (head - c < cap - RESERVE) { // a drainer freed room meanwhile
            limit = c + cap - RESERVE;
            return true;
        }
        if (cap < maxRecords && grow()) return true;
        ownerDrain(head, true); // what the ring takes (all, or whole slots of it) frees room
        return head < limit;
    }

    /** Whether one more record fits in the buffer's {@link #RESERVE}. */
    private boolean fitsInReserve() { return head - (long) CONSUMED.getAcquire(this) < mask + 1; }

    /**
     * A record did not fit (ring and buffer full). Outside a root it is simply lost; a root whose
     * ENTER was written and that already has records on the ring, or holds half the buffer (a long
     * root), goes into a gap; any other root is dropped whole. The record itself is counted.
     */
    private void outOfRoom() {
        if (skipping == DROPPING) {
            droppingEvents++;
        } else if (skipping == GAPPING) {
            gapRecords++; // the gap's own end did not fit (cannot happen: checked); counted with it
        } else if (!inRoot) {
            drops.droppedEvents.incrementAndGet(); // a record outside any root
        } else if (rootWritten && ((long) CONSUMED.getAcquire(this) > rootStart || head - rootStart >= (mask + 1) >> 1)) {
            startGap();
            gapRecords = 1;
        } else {
            dropCurrentRoot();
            droppingEvents++;
        }
    }

    /** Doubles the arrays (warm-up only); under the drain lock, as a drainer reads them. */
    private boolean grow() {
        if (!lockOwner(true)) return false;
        int cap = mask + 1;
        int n = Math.min(maxRecords, cap * 2);
        long[] nd = new long[n * stride];
        Object[] nr = new Object[n];
        long c = (long) CONSUMED.getAcquire(this);
        int nm = n - 1;
        for (long q = c; q < head; q++) {
            int from = (int) q & mask, to = (int) q & nm;
            System.arraycopy(data, from * stride, nd, to * stride, stride);
            nr[to] = refs[from];
        }
        data = nd;
        refs = nr;
        mask = nm;
        limit = c + n - RESERVE;
        unlockOwner();
        return true;
    }

    /**
     * Ring and buffer full: the open root is dropped whole; earlier completed roots stay queued. A
     * record outside any root (depth 0) is simply lost.
     */
    private void dropCurrentRoot() {
        if (!inRoot) return;
        long c = (long) CONSUMED.getAcquire(this);
        long keep = Math.max(rootStart, c);
        for (long q = keep; q < head; q++) refs[(int) q & mask] = null;
        droppingEvents += head - keep;
        head = keep;
        // part of this root already went out: the assembler must discard it before anything later
        if (c > rootStart) PENDING_ABORT.setVolatile(this, 1);
        PENDING_DROPPED.getAndAdd(this, 1L);
        drops.droppedTrees.incrementAndGet();
        skipping = DROPPING;
    }

    /** A root ended: commits it for the sweeper, and publishes when the batch is due. */
    private void rootClosed(long now) {
        long prev = committedLocal;
        long h = head;
        committedLocal = h;
        COMMITTED.setRelease(this, h);
        long c = (long) CONSUMED.getAcquire(this);
        if (c >= prev) pendingSince = now; // nothing older waits: this root is the oldest
        if ((h - c >= batchRecords || now - pendingSince >= batchAgeNanos) && h >= retryAt) {
            if (!ownerDrain(h, false)) retryAt = h + RETRY_RECORDS;
        }
    }

    /** Records at depth 0 (ADOPT, ADOPT_END) are complete as they stand: the sweeper may take them. */
    private void commitOutsideRoot() {
        committedLocal = head;
        COMMITTED.setRelease(this, head);
    }

    /**
     * The owner publishes its records up to {@code upTo}. Never waits for the lock unless
     * {@code spin} (a full buffer, where the alternative is dropping), and then only briefly.
     *
     * @return true when everything up to {@code upTo} is out
     */
    private boolean ownerDrain(long upTo, boolean spin) {
        SpanRing r = ring;
        // HIQ_RING_POLICY=block promises waiting instead of dropping: a full buffer then waits for a
        // sweeper draining it as long as it takes (the sweeper never blocks while it holds the lock,
        // but a loaded machine can deschedule it there for a whole time slice)
        if (r == null || !lockOwner(spin, spin && r.blocking())) return false;
        // a ring not built yet (the extensions still starting) is waited for by no one, except under
        // HIQ_RING_POLICY=block by a full buffer (the policy's promise: waiting instead of dropping)
        boolean mayBlock = r.blocking() && (spin || r.built());
        boolean all = drainLocked(r, upTo, mayBlock, false, recDepth == UNKNOWN ? -1 : recDepth);
        unlockOwner();
        long c = (long) CONSUMED.getAcquire(this);
        limit = c + mask + 1 - RESERVE;
        if (all) retryAt = 0;
        return all;
    }

    private boolean lockOwner(boolean spin) { return lockOwner(spin, false); }

    /** @param untilFree keep waiting (spinning, then yielding) past {@link #LOCK_SPINS} until the lock is free */
    private boolean lockOwner(boolean spin, boolean untilFree) {
        if (ownerLocked) return true; // a drain cut short by an error still holds it
        if (LOCK.compareAndSet(this, 0, 1)) {
            ownerLocked = true;
            return true;
        }
        if (!spin) return false;
        for (int i = 0; i < LOCK_SPINS || untilFree; i++) {
            if (i < LOCK_SPINS) Thread.onSpinWait();
            else Thread.yield();
            if ((int) LOCK.getVolatile(this) == 0 && LOCK.compareAndSet(this, 0, 1)) {
                ownerLocked = true;
                return true;
            }
        }
        return false;
    }

    private void unlockOwner() {
        ownerLocked = false;
        LOCK.setRelease(this, 0);
    }

    /**
     * Copies records {@code consumed..upTo} (and the pending drop flags) into as many ring slots as
     * they need, publishes them, and advances {@link #consumed}. The caller holds the drain lock.
     * When the ring has fewer free slots, publishes what fits (whole slots).
     *
     * @param mayBlock        wait for slots ({@code HIQ_RING_POLICY=block}, owner only)
     * @param terminated      the owner has terminated: the last slot says so
     * @param depthAtUpTo     depth of the records up to {@code upTo}, -1 unknown (for the count at shutdown)
     * @return true when everything up to {@code upTo} is out
     */
    private boolean drainLocked(SpanRing r, long upTo, boolean mayBlock, boolean terminated, int depthAtUpTo) {
        String name = owner.getName();
        if (claimedHi >= 0) {
            r.commitEmpty(claimedLo, claimedHi, threadId, name);
            claimedHi = -1;
        }
        long from = (long) CONSUMED.getAcquire(this);
        long total = Math.max(0, upTo - from);
        boolean flags = (long) PENDING_DROPPED.getVolatile(this) != 0 || (int) PENDING_ABORT.getVolatile(this) != 0;
        if (total == 0 && !flags && !terminated) return true;
        int per = r.slotRecords();
        int slots = (int) Math.max(1, (total + per - 1) / per);
        long hi = mayBlock ? r.claim(slots) : r.tryClaim(slots);
        if (hi < 0) {
            int free = Math.min(slots - 1, r.freeSlots());
            if (free <= 0) return false;
            hi = r.tryClaim(free);
            if (hi < 0) return false;
            slots = free;
        }
        long lo = hi - slots + 1;
        claimedLo = lo;
        claimedHi = hi;
        long dropped = (long) PENDING_DROPPED.getAndSet(this, 0L);
        boolean abort = (int) PENDING_ABORT.getAndSet(this, 0) != 0;
        long q = from;
        for (long seq = lo; seq <= hi; seq++) {
            int n = (int) Math.min(per, upTo - q);
            boolean last = seq == hi && q + n == upTo;
            r.slot(seq).fill(data, refs, mask, q, n, stride, threadId, name,
                    seq == lo ? dropped : 0L, seq == lo && abort, last && terminated);
            q += n;
        }
        r.commit(lo, hi);
        claimedHi = -1;
        drainedDepth = q == upTo ? depthAtUpTo : -1;
        CONSUMED.setRelease(this, q);
        return q == upTo;
    }

    /**
     * Lets go of the ring when the install that made this buffer ends: a thread that keeps the
     * buffer in a stale thread-local entry no longer pins the ring, and its later records go nowhere.
     */
    void release() { ring = null; }

    // --- the sweeper's side (BufferSweeper: one thread at a time) --------------------------------

    /**
     * Publishes what the owner left: its completed roots when it has gone quiet (its committed
     * sequence did not move since the previous pass) or when {@code eager}; everything when it has
     * terminated (the last batch flagged {@link SpanBatch#ownerTerminated()}).
     *
     * @return {@link #FORGET} when this buffer can be forgotten (owner terminated and everything
     *         out), {@link #MORE} when records it could take were left (ring full), else 0
     */
    int sweep(boolean eager) { return sweep(eager, true); }

    /**
     * @param checkAlive whether to ask if the owner is still alive (a native call: the sweeper asks
     *                   every few passes only; a dead owner's completed roots go out by the quiet rule meanwhile)
     */
    int sweep(boolean eager, boolean checkAlive) {
        SpanRing r = ring;
        if (r == null) return 0;
        if (!r.built()) {
            // nothing can go out yet (the extensions are still starting): the buffer is left to its
            // owner — a sweep holding its drain lock would make the owner's growth fail, and drop
            if (hasPending()) r.requestBuild();
            return 0;
        }
        if ((checkAlive || eager) && !owner.isAlive()) {
            // the owner's last writes happen-before isAlive() returned false
            if (!lockSweeper()) return MORE;
            try {
                countDeadOwnersSkipped();
                if (terminatedSent && head == (long) CONSUMED.getAcquire(this) && !pendingFlags()) return FORGET;
                boolean all = drainLocked(r, head, false, true, depth);
                terminatedSent |= all;
                return all ? FORGET : MORE;
            } finally {
                LOCK.setRelease(this, 0);
            }
        }
        long c = (long) COMMITTED.getAcquire(this);
        long seen = lastSeenCommitted;
        lastSeenCommitted = c;
        if (c <= (long) CONSUMED.getAcquire(this) && !pendingFlags()) return 0;
        if (!eager && c != seen) return 0; // the owner is active: it publishes its own batches
        if (!lockSweeper()) return 0; // the owner is draining right now
        try {
            return drainLocked(r, Math.max(c, (long) CONSUMED.getAcquire(this)), false, false, 0) ? 0 : MORE;
        } finally {
            LOCK.setRelease(this, 0);
        }
    }

    /** {@link #sweep} result: forget this buffer. */
    static final int FORGET = 1;
    /** {@link #sweep} result: the ring was full, records are left. */
    static final int MORE = 2;

    /**
     * The drain lock for a sweeper (value 2; the owner's is 1). A lock the owner held when it
     * terminated (a drain cut short by an error) is taken over, by one sweeper only.
     */
    private boolean lockSweeper() {
        return LOCK.compareAndSet(this, 0, 2) || (!owner.isAlive() && LOCK.compareAndSet(this, 1, 2));
    }

    private boolean pendingFlags() {
        return (long) PENDING_DROPPED.getVolatile(this) != 0 || (int) PENDING_ABORT.getVolatile(this) != 0;
    }

    /**
     * Whether completed roots (or drop flags) are still waiting here for the ring, or the last
     * batch of a terminated owner (it closes what the owner left open), even with no record left.
     */
    boolean hasPending() {
        boolean alive = owner.isAlive();
        long upTo = alive ? (long) COMMITTED.getAcquire(this) : head;
        return upTo > (long) CONSUMED.getAcquire(this) || pendingFlags() || !alive && !terminatedSent && ring != null;
    }

    /**
     * At shutdown, when the ring did not take everything within the flush timeout: counts the
     * completed roots still here (all records, if the owner terminated) as dropped and lets them go.
     * A root whose start was already published is counted too (it never closes).
     *
     * @return false when the owner held the drain lock throughout (nothing counted)
     */
    boolean dropPending() {
        boolean dead = !owner.isAlive();
        int spins = 0;
        while (!lockSweeper()) {
            if (++spins > LOCK_SPINS) return false;
            Thread.onSpinWait();
        }
        try {
            if (dead) countDeadOwnersSkipped();
            long from = (long) CONSUMED.getAcquire(this);
            long upTo = dead ? head : (long) COMMITTED.getAcquire(this);
            if (upTo <= from) return true;
            int d = Math.max(0, drainedDepth);
            long trees = d > 0 ? 1 : 0;
            long ours = 0;
            for (long q = from; q < upTo; q++) {
                int at = (int) q & mask;
                long h = data[at * stride];
                int kind = (int) (h & SpanBatch.KIND_MASK);
                if (kind == SpanBatch.ENTER) {
                    if (d == 0) trees++;
                    d++;
                } else if (kind == SpanBatch.EXIT) {
                    d = Math.max(0, d - 1);
                } else if (kind == SpanBatch.UNWIND) {
                    d = (int) ((h >>> SpanBatch.TAG_SHIFT) & SpanBatch.TAG_MASK);
                } else if (kind == SpanBatch.GAP) {
                    d = (int) ((h >>> SpanBatch.TAG_SHIFT) & SpanBatch.TAG_MASK);
                    ours++;
                }
                refs[at] = null;
            }
            // a GAP record stands for records already counted as dropped
            drops.droppedEvents.addAndGet(upTo - from - ours);
            drops.droppedTrees.addAndGet(trees);
            drainedDepth = d;
            CONSUMED.setRelease(this, upTo);
            return true;
        } finally {
            LOCK.setRelease(this, 0);
        }
    }

    /** Records written and not yet drained (tests). */
    long held() { return head - (long) CONSUMED.getAcquire(this); }

    /** Whether the owner holds the drain lock (tests). */
    boolean ownerHoldsLock() { return ownerLocked; }
}
