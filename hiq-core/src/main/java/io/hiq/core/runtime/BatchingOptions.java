package io.hiq.core.runtime;

import io.hiq.core.event.Batching;
import io.hiq.core.event.SpanRing;

/**
 * The batching and ring-memory settings (docs/CONF.md): {@code HIQ_BATCH_RECORDS},
 * {@code HIQ_BATCH_AGE_US}, {@code HIQ_SWEEP_MS} and {@code HIQ_RING_MEMORY_MB} (the ring's size
 * when {@code HIQ_RING_SIZE} is not given).
 *
 * @param batching        when threads publish, how often the sweeper runs
 * @param ringMemoryBytes the memory the ring's slots may take
 */
public record BatchingOptions(Batching batching, long ringMemoryBytes) {
    /** Largest {@code HIQ_RING_MEMORY_MB}: a typo rather than a wish beyond. */
    public static final long MAX_RING_MEMORY_MB = 4096;

    /** From the environment and system properties; a malformed or out-of-range value fails with a message naming it. */
    public static BatchingOptions fromSettings(Settings s) {
        long records = s.number("HIQ_BATCH_RECORDS", Batching.DEFAULT_RECORDS);
        if (records < 1 || records > 1 << 20) throw new IllegalArgumentException("HIQ_BATCH_RECORDS: " + records + " (1 to " + (1 << 20) + ")");
        long ageUs = s.number("HIQ_BATCH_AGE_US", Batching.DEFAULT_AGE_NANOS / 1000);
        if (ageUs < 0 || ageUs > 1_000_000) throw new IllegalArgumentException("HIQ_BATCH_AGE_US: " + ageUs + " (0 to 1000000)");
        long sweepMs = s.number("HIQ_SWEEP_MS", Batching.DEFAULT_SWEEP_NANOS / 1_000_000);
        if (sweepMs < 1 || sweepMs > 1000) throw new IllegalArgumentException("HIQ_SWEEP_MS: " + sweepMs + " (1 to 1000)");
        long mb = s.number("HIQ_RING_MEMORY_MB", SpanRing.DEFAULT_MEMORY_BYTES >> 20);
        if (mb < 1 || mb > MAX_RING_MEMORY_MB) throw new IllegalArgumentException("HIQ_RING_MEMORY_MB: " + mb + " (1 to " + MAX_RING_MEMORY_MB + ")");
        return new BatchingOptions(new Batching((int) records, ageUs * 1000, sweepMs * 1_000_000), mb << 20);
    }
}
