package io.hiq.core.event;

/**
 * The ring's event: the span records one application thread published together (one completed
 * root, or the contents of a full or aged per-thread buffer). Instances are preallocated by the
 * ring and reused: handlers read them only during their callback.
 *
 * <p>Record layout, {@link #stride()} longs each: a header (kind in bits 0–3, tag id in bits 4–35,
 * reference index + 1 in bits 36–63, 0 for none), the {@link System#nanoTime()} reading, then one
 * reading per additional metric. References (a thrown exception, an extra's key/value) sit in a
 * parallel object array.
 *
 * <p>Performance note: the arrays grow on demand and are then kept, so in steady state publishing
 * copies primitives into already-allocated memory and allocates nothing.
 */
public final class SpanBatch {
    /** A traced call started. */
    public static final int ENTER = 1;
    /** A traced call ended; {@link #thrown(int)} tells whether by an exception. */
    public static final int EXIT = 2;
    /** Extra information for the innermost open call: {@link #ref(int)} is an {@link ExtraValue}. */
    public static final int EXTRA = 3;
    /** A task was handed to another thread from the innermost open call: {@link #ref(int)} is its {@link TaskLink}. */
    public static final int FORK = 4;
    /** This thread starts running a forked task: its next roots belong under the forking call. */
    public static final int ADOPT = 5;
    /** This thread finished running a forked task. */
    public static final int ADOPT_END = 6;
    /**
     * A repair marker before an ENTER or EXIT: recording on the thread lost records (an error or a
     * stack overflow inside HiQ), and exactly {@link #tagId(int)} calls are really open now. The
     * assembler closes the deeper calls it holds (flagging the tree {@code broken}); if it holds
     * fewer, the EXIT that follows is not one of its calls and is skipped.
     */
    public static final int UNWIND = 7;

    static final long KIND_MASK = 0xFL;
    static final int TAG_SHIFT = 4;
    static final long TAG_MASK = 0xFFFF_FFFFL;
    static final int REF_SHIFT = 36;

    long[] data = new long[0];
    Object[] refs = new Object[0];
    int size;
    int refsUsed;
    int stride;
    long threadId;
    String threadName;
    long droppedTrees;
    boolean abortOpen;
    boolean ownerTerminated;

    /** Number of records in this batch. */
    public int size() { return size; }

    /** Longs per record: 2 + the number of metrics besides time. */
    public int stride() { return stride; }

    /** The publishing thread's id. */
    public long threadId() { return threadId; }

    /** The publishing thread's name. */
    public String threadName() { return threadName; }

    /** Trees this thread dropped (full ring and buffer) since its previous batch. */
    public long droppedTrees() { return droppedTrees; }

    /**
     * True when this thread's open (unfinished) root was dropped after part of it was published:
     * discard what is open for this thread before applying this batch's records.
     */
    public boolean abortOpen() { return abortOpen; }

    /**
     * True when this is the last batch of a thread that terminated (drained by the control thread):
     * whatever is still open for this thread after applying this batch's records will never close,
     * so the assembler closes it and flags the tree {@code broken}.
     */
    public boolean ownerTerminated() { return ownerTerminated; }

    /** {@link #ENTER}, {@link #EXIT}, {@link #EXTRA}, {@link #FORK}, {@link #ADOPT}, {@link #ADOPT_END} or {@link #UNWIND}. */
    public int kind(int i) { return (int) (data[i * stride] & KIND_MASK); }

    /** The record's tag id ({@link TagRegistry}). */
    public int tagId(int i) { return (int) ((data[i * stride] >>> TAG_SHIFT) & TAG_MASK); }

    /** The record's {@link System#nanoTime()} reading. */
    public long nanoTime(int i) { return data[i * stride + 1]; }

    /**
     * The reading of additional metric {@code k} (0-based, in the order of the runtime's metrics
     * after {@code time}).
     */
    public long extraValue(int i, int k) { return data[i * stride + 2 + k]; }

    /** The record's reference: the exception of an EXIT, the {@link ExtraValue} of an EXTRA; else null. */
    public Object ref(int i) {
        int r = (int) (data[i * stride] >>> REF_SHIFT);
        return r == 0 ? null : refs[r - 1];
    }

    /** The exception an EXIT record ended with, or null. */
    public Throwable thrown(int i) {
        Object r = kind(i) == EXIT ? ref(i) : null;
        return r instanceof Throwable t ? t : null;
    }

    /**
     * A batch built outside the ring, for benchmarks and tools that replay recorded spans: records are
     * {@code (kind, tagId, nanoTime)} triples, time metric only.
     */
    public static SpanBatch of(long threadId, String threadName, long[][] records) {
        long[] data = new long[records.length * 2];
        for (int i = 0; i < records.length; i++) {
            data[2 * i] = header((int) records[i][0], (int) records[i][1], 0);
            data[2 * i + 1] = records[i][2];
        }
        SpanBatch b = new SpanBatch();
        b.fill(data, records.length, 2, new Object[0], 0, threadId, threadName, 0, false);
        return b;
    }

    static long header(int kind, int tagId, int refIndexPlusOne) {
        return kind | ((long) tagId << TAG_SHIFT) | ((long) refIndexPlusOne << REF_SHIFT);
    }

    /** Copies records from a thread's buffer into this (reused) event. Called by the producer only. */
    void fill(long[] src, int records, int stride, Object[] srcRefs, int refCount,
              long threadId, String threadName, long droppedTrees, boolean abortOpen) {
        int longs = records * stride;
        if (data.length < longs) data = new long[Math.max(longs, 64)];
        System.arraycopy(src, 0, data, 0, longs);
        if (refCount > 0) {
            if (refs.length < refCount) refs = new Object[Math.max(refCount, 8)];
            System.arraycopy(srcRefs, 0, refs, 0, refCount);
        }
        // drop references of the slot's previous use so they do not outlive their trees
        for (int r = refCount; r < refsUsed; r++) refs[r] = null;
        refsUsed = refCount;
        this.size = records;
        this.stride = stride;
        this.threadId = threadId;
        this.threadName = threadName;
        this.droppedTrees = droppedTrees;
        this.abortOpen = abortOpen;
        this.ownerTerminated = false;
    }

}
