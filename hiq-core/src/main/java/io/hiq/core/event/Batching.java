package io.hiq.core.event;

/**
 * When a thread's records go to the ring, and how often the sweeper looks at idle threads
 * (docs/CONF.md, {@code HIQ_BATCH_RECORDS}, {@code HIQ_BATCH_AGE_US}, {@code HIQ_SWEEP_MS}).
 *
 * @param records    a thread publishes once it holds this many records of completed roots
 * @param ageNanos   … or once its oldest unpublished completed root is this old (checked at a root's end)
 * @param sweepNanos the sweeper's period: completed roots of a thread that went quiet reach the ring
 *                   within two periods
 */
public record Batching(int records, long ageNanos, long sweepNanos) {
    /** Default of {@code HIQ_BATCH_RECORDS}: one ring slot. */
    public static final int DEFAULT_RECORDS = 256;
    /** Default of {@code HIQ_BATCH_AGE_US}. */
    public static final long DEFAULT_AGE_NANOS = 100_000L;
    /** Default of {@code HIQ_SWEEP_MS}: a completed root is on the ring within 2 × 2 ms whatever its thread does next. */
    public static final long DEFAULT_SWEEP_NANOS = 2_000_000L;
    /** The defaults. */
    public static final Batching DEFAULT = new Batching(DEFAULT_RECORDS, DEFAULT_AGE_NANOS, DEFAULT_SWEEP_NANOS);

    public Batching {
        if (records < 1) throw new IllegalArgumentException("HIQ_BATCH_RECORDS: " + records + " (at least 1)");
        if (ageNanos < 0) throw new IllegalArgumentException("HIQ_BATCH_AGE_US: " + ageNanos / 1000 + " (0 or more)");
        if (sweepNanos < 100_000L || sweepNanos > 1_000_000_000L) {
            throw new IllegalArgumentException("HIQ_SWEEP_MS: " + sweepNanos / 1_000_000.0 + " (0.1 to 1000)");
        }
    }
}
