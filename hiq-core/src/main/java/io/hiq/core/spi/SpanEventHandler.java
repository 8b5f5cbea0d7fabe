package io.hiq.core.spi;

import io.hiq.core.event.SpanBatch;

/**
 * A consumer of the raw span events on the ring (LMK is one): it sees every ENTER and EXIT record,
 * batch by batch, on its own thread, in publication order (per application thread, records are in
 * call order).
 *
 * <p>The batch is only valid during the call: copy what you keep. Never throw.
 */
public interface SpanEventHandler {
    /**
     * @param batch       the records one application thread published together
     * @param endOfBatch  true when no further batch is available right now: flush buffered I/O here
     */
    void onBatch(SpanBatch batch, boolean endOfBatch);

    /** Flushes buffered output, waiting at most until {@code deadlineNanos}. */
    default void flush(long deadlineNanos) {}

    /** Releases resources; called once at shutdown, after the ring is drained. */
    default void close() {}
}
