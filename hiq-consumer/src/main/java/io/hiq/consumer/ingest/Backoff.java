package io.hiq.consumer.ingest;

import java.time.Duration;

/**
 * Exponential back-off between retries of a failing operation: {@code min}, doubling up to
 * {@code max}, back to {@code min} after a success. Retries never stop: an outage of any length is
 * waited out at most {@code max} apart.
 */
final class Backoff {
    private final long minMs;
    private final long maxMs;
    private long nextMs;

    Backoff(Duration min, Duration max) {
        this.minMs = Math.max(1, min.toMillis());
        this.maxMs = Math.max(minMs, max.toMillis());
        this.nextMs = minMs;
    }

    /** The pause before the next retry; doubles the one after. */
    long next() {
        long ms = nextMs;
        nextMs = Math.min(maxMs, nextMs * 2);
        return ms;
    }

    /** After a success. */
    void reset() { nextMs = minMs; }
}
