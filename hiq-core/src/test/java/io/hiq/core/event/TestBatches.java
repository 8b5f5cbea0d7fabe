package io.hiq.core.event;

/** Batches as the ring would deliver them, for tests of the consumers (here: a dead thread's last one). */
public final class TestBatches {
    private TestBatches() {}

    /**
     * {@link SpanBatch#of} flagged as the last batch drained from a thread that terminated, as the
     * control thread's sweep delivers it.
     */
    public static SpanBatch ofTerminatedThread(long threadId, String threadName, long[][] records) {
        SpanBatch b = SpanBatch.of(threadId, threadName, records);
        b.ownerTerminated = true;
        return b;
    }

    /**
     * Records {@code (kind, tagId, nanoTime[, refIndex + 1])} with their references (extra values,
     * exceptions, task links), as one batch.
     */
    public static SpanBatch withRefs(long threadId, String threadName, long[][] records, Object[] refs) {
        long[] data = new long[records.length * 2];
        for (int i = 0; i < records.length; i++) {
            int ref = records[i].length > 3 ? (int) records[i][3] : 0;
            data[2 * i] = SpanBatch.header((int) records[i][0], (int) records[i][1], ref);
            data[2 * i + 1] = records[i][2];
        }
        SpanBatch b = new SpanBatch();
        b.fill(data, records.length, 2, refs, refs.length, threadId, threadName, 0, false);
        return b;
    }
}
