package io.hiq.core.event;

import io.hiq.core.metric.Metric;
import io.hiq.core.metric.MetricReaders;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Measures what recording one span record costs on this machine, so that each tree can state HiQ's
 * own overhead ({@code overhead_ns}, the {@code [OH:…us]} line) without timing HiQ on the hot path
 * itself (which would double its cost). Runs the real {@link ThreadBuffer} against a private ring
 * with no consumers, off the application's threads, once at start.
 *
 * <p>The figure is an estimate: it is the warm, uncontended cost; a cold JIT or a contended ring
 * cost more.
 */
public final class OverheadCalibration {
    private OverheadCalibration() {}

    /** Nanoseconds per record (ENTER or EXIT) with these metrics; the best of a few rounds. */
    public static long nanosPerRecord(List<Metric> metrics, LongSupplier custom) {
        LongSupplier[] readers = MetricReaders.forMetrics(metrics, custom);
        SpanRing ring = new SpanRing(1024, false, List.of());
        try {
            ThreadBuffer b = new ThreadBuffer(Thread.currentThread(), ring, 256, readers, new DropCounters());
            final int iterations = 20_000;
            long best = Long.MAX_VALUE;
            for (int round = 0; round < 8; round++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < iterations; i++) {
                    b.enter(1);
                    b.enter(2);
                    b.exit(2, null);
                    b.exit(1, null);
                }
                best = Math.min(best, System.nanoTime() - t0);
            }
            return Math.max(1, best / (iterations * 4L));
        } finally {
            ring.shutdown(System.nanoTime() + 100_000_000L);
        }
    }
}
