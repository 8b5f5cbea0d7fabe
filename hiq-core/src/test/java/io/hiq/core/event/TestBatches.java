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
}
