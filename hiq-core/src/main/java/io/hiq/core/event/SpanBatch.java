package io.hiq.core.event;

/**
 * The ring's event: consecutive span records of one application thread (a batch of completed
 * roots, or part of one: a batch larger than a slot spans several consecutive slots, in order).
 * Instances are preallocated by the ring and reused: handlers read them only during their callback.
 *
 * <p>Record layout, {@link #stride()} longs each: a header (kind in bits 0–3, tag id in bits 4–35,
 * bit 36 set when the record has a reference), the {@link System#nanoTime()} reading, then one
 * reading per additional metric. References (a thrown exception, an extra's key/value) sit in a
 * parallel object array at the record's own index.
 *
 * <p>Performance note: a ring slot's arrays are allocated once, at the ring's start, for a fixed
 * number of records ({@link SpanRing#slotRecords()}); they never grow, so the ring's memory is
 * bounded and publishing copies primitives into memory that is already there.
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
    /**
     * A gap in a kept root (the ring and the thread's buffer were full, docs/FORMATS.md §1.6): the
     * thread did not write {@link #gapRecords(int)} records, {@link #gapCalls(int)} of them ENTERs.
     * Exactly {@link #tagId(int)} of the calls the assembler holds open are still open; the deeper
     * ones exited during the gap (their EXIT is lost). {@linkplain #synthetic Synthetic} ENTERs
     * follow for the calls entered during the gap and still open. The record has no time reading.
     */
    public static final int GAP = 8;

    static final long KIND_MASK = 0xFL;
    static final int TAG_SHIFT = 4;
    static final long TAG_MASK = 0xFFFF_FFFFL;
    static final int REF_SHIFT = 36;
    /** Header bit: the record has a reference (at the same index in the reference array). */
    static final long HAS_REF = 1L << REF_SHIFT;
    /** Header bit of an ENTER written after a gap for a call entered during it (its own start time). */
    static final long SYNTHETIC = 1L << 37;
    /** A GAP record's counts saturate here (32 bits each, in its time slot). */
    static final long GAP_COUNT_MAX = 0xFFFF_FFFFL;

    long[] data;
    Object[] refs;
    int size;
    /** Records of the previous fill that may still hold a reference: cleared by the next fill. */
    private int refHigh;
    int stride;
    long threadId;
    String threadName;
    long droppedTrees;
    boolean abortOpen;
    boolean ownerTerminated;

    /** An empty batch for {@link #of}: its arrays are sized there. */
    SpanBatch() {
        data = new long[0];
        refs = new Object[0];
    }

    /** A ring slot: room for {@code records} records of {@code stride} longs, allocated once. */
    SpanBatch(int records, int stride) {
        this.data = new long[records * stride];
        this.refs = new Object[records];
        this.stride = stride;
    }

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

    /** {@link #ENTER}, {@link #EXIT}, {@link #EXTRA}, {@link #FORK}, {@link #ADOPT}, {@link #ADOPT_END}, {@link #UNWIND} or {@link #GAP}. */
    public int kind(int i) { return (int) (data[i * stride] & KIND_MASK); }

    /** The record's tag id ({@link TagRegistry}). */
    public int tagId(int i) { return (int) ((data[i * stride] >>> TAG_SHIFT) & TAG_MASK); }

    /**
     * True for an ENTER that HiQ wrote after a {@link #GAP} for a call entered during the gap and
     * still open: the call's own ENTER (its tag, its real start time), written late; it counts as
     * published like any ENTER (only the GAP record itself is HiQ's own).
     */
    public boolean synthetic(int i) { return (data[i * stride] & SYNTHETIC) != 0; }

    /** A {@link #GAP}'s records not written (saturates at 2<sup>32</sup>−1). */
    public long gapRecords(int i) { return data[i * stride + 1] >>> 32; }

    /** A {@link #GAP}'s calls not recorded: ENTERs not written (saturates at 2<sup>32</sup>−1). */
    public long gapCalls(int i) { return data[i * stride + 1] & GAP_COUNT_MAX; }

    /** The record's {@link System#nanoTime()} reading (0 for records without one; not for a {@link #GAP}). */
    public long nanoTime(int i) { return data[i * stride + 1]; }

    /**
     * The reading of additional metric {@code k} (0-based, in the order of the runtime's metrics
     * after {@code time}).
     */
    public long extraValue(int i, int k) { return data[i * stride + 2 + k]; }

    /** The record's reference: the exception of an EXIT, the {@link ExtraValue} of an EXTRA; else null. */
    public Object ref(int i) {
        return (data[i * stride] & HAS_REF) == 0 ? null : refs[i];
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
            data[2 * i] = header((int) records[i][0], (int) records[i][1], false);
            data[2 * i + 1] = records[i][2];
        }
        SpanBatch b = new SpanBatch();
        b.data = data;
        b.refs = new Object[records.length];
        b.size = records.length;
        b.stride = 2;
        b.threadId = threadId;
        b.threadName = threadName;
        return b;
    }

    static long header(int kind, int tagId, boolean hasRef) {
        return kind | ((long) tagId << TAG_SHIFT) | (hasRef ? HAS_REF : 0L);
    }

    /**
     * Copies {@code records} records starting at record {@code from} of a thread's circular buffer
     * ({@code src}, {@code srcRefs}, {@code mask + 1} records) into this slot, and takes the
     * references out of the buffer so that they do not outlive their trees there. Called by the one
     * thread that holds the buffer's drain lock; allocates nothing.
     */
    void fill(long[] src, Object[] srcRefs, int mask, long from, int records, int stride,
              long threadId, String threadName, long droppedTrees, boolean abortOpen, boolean ownerTerminated) {
        int first = (int) (from & mask);
        int head = Math.min(records, mask + 1 - first);
        System.arraycopy(src, first * stride, data, 0, head * stride);
        if (head < records) System.arraycopy(src, 0, data, head * stride, (records - head) * stride);
        long[] d = data;
        Object[] r = refs;
        int high = refHigh;
        int newHigh = 0;
        for (int i = 0; i < records; i++) {
            if ((d[i * stride] & HAS_REF) != 0) {
                int at = (first + i) & mask;
                r[i] = srcRefs[at];
                srcRefs[at] = null;
                newHigh = i + 1;
            } else if (i < high) {
                r[i] = null;
            }
        }
        // references of the slot's previous use beyond this batch must not outlive their trees
        for (int i = records; i < high; i++) r[i] = null;
        refHigh = newHigh;
        this.size = records;
        this.stride = stride;
        this.threadId = threadId;
        this.threadName = threadName;
        this.droppedTrees = droppedTrees;
        this.abortOpen = abortOpen;
        this.ownerTerminated = ownerTerminated;
    }

    /** Records this slot holds at most. */
    int slotRecords() { return refs.length; }
}
