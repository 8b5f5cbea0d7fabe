package io.hiq.consumer.ingest;

import java.util.concurrent.atomic.AtomicLong;

/** Counters of this consumer process, read by {@code /metrics} and {@code /health}. */
public final class IngestMetrics {
    final AtomicLong records = new AtomicLong();
    final AtomicLong ingested = new AtomicLong();
    final AtomicLong duplicates = new AtomicLong();
    final AtomicLong batches = new AtomicLong();
    final AtomicLong storeErrors = new AtomicLong();
    volatile long lag = -1;

    /** Records polled (valid or not). */
    public long records() { return records.get(); }
    /** Trees stored for the first time. */
    public long ingested() { return ingested.get(); }
    /** Trees already stored (redelivered or duplicate ids). */
    public long duplicates() { return duplicates.get(); }
    /** Batches committed. */
    public long batches() { return batches.get(); }
    /** Store transactions that failed and were retried from the batch's first offset. */
    public long storeErrors() { return storeErrors.get(); }
    /** Sum of the lag of the assigned partitions at the last poll; -1 before the first. */
    public long lag() { return lag; }
}
