package io.hiq.consumer.ingest;

import java.util.concurrent.atomic.AtomicLong;

/** Counters of this consumer process, read by {@code /metrics} and {@code /health}. */
public final class IngestMetrics {
    final AtomicLong records = new AtomicLong();
    final AtomicLong ingested = new AtomicLong();
    final AtomicLong redelivered = new AtomicLong();
    final AtomicLong conflicts = new AtomicLong();
    final AtomicLong batches = new AtomicLong();
    final AtomicLong storeErrors = new AtomicLong();
    final AtomicLong storeRetries = new AtomicLong();
    final AtomicLong storeRejected = new AtomicLong();
    final AtomicLong absurd = new AtomicLong();
    final AtomicLong kafkaErrors = new AtomicLong();
    final AtomicLong deadLetterErrors = new AtomicLong();
    volatile long lag = -1;

    /** Records polled (valid or not). */
    public long records() { return records.get(); }
    /** Trees stored for the first time. */
    public long ingested() { return ingested.get(); }
    /** Trees not stored because their id was: {@link #redelivered()} + {@link #conflicts()}. */
    public long duplicates() { return redelivered.get() + conflicts.get(); }
    /** Trees whose id was stored already with the same bytes (a redelivery). */
    public long redelivered() { return redelivered.get(); }
    /** Trees whose id was stored already with different bytes (an id conflict; the first kept). */
    public long conflicts() { return conflicts.get(); }
    /** Batches committed. */
    public long batches() { return batches.get(); }
    /** Store operations (write, flush) that failed. */
    public long storeErrors() { return storeErrors.get(); }
    /** Batches read again after a store error (retried with back-off). */
    public long storeRetries() { return storeRetries.get(); }
    /** Trees the store refused (a value it cannot keep): dead-lettered alone after splitting the batch. */
    public long storeRejected() { return storeRejected.get(); }
    /** Trees dead-lettered for an absurd value (negative or too long a span). */
    public long absurd() { return absurd.get(); }
    /** Kafka operations (poll, commit, probe) that failed; the loop goes on after a back-off. */
    public long kafkaErrors() { return kafkaErrors.get(); }
    /** Dead-letter writes that failed (disk full, unwritable directory); retried with back-off. */
    public long deadLetterErrors() { return deadLetterErrors.get(); }
    /** Sum of the lag of the assigned partitions at the last poll; -1 before the first. */
    public long lag() { return lag; }
}
