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
        // a reference is kept at its record's own index, flagged in the header (as the buffers do)
        SpanBatch b = SpanBatch.of(threadId, threadName, records);
        for (int i = 0; i < records.length; i++) {
            int ref = records[i].length > 3 ? (int) records[i][3] : 0;
            if (ref > 0) {
                b.data[2 * i] = SpanBatch.header((int) records[i][0], (int) records[i][1], true);
                b.refs[i] = refs[ref - 1];
            }
        }
        return b;
    }
}
