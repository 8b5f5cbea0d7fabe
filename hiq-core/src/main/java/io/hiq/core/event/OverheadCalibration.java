package io.hiq.core.event;

import io.hiq.core.metric.Metric;
import io.hiq.core.metric.MetricReaders;
import io.hiq.core.spi.SpanEventHandler;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Measures what recording one span record costs on this machine, so that each tree can state HiQ's
 * own overhead ({@code overhead_ns}, the {@code [OH:…us]} line) without timing HiQ on the hot path
 * itself (which would double its cost). Runs once, off the application's threads, a second after
 * start.
 *
 * <p>How (docs/FORMATS.md, {@code overhead_ns}): the real {@link ThreadBuffer} with the run's
 * metrics, buffer size and batching publishes into a private ring of the run's slot size and
 * stride (as many slots as the run's ring, at most {@value #MAX_SLOTS}) while a consumer thread
 * reads every record of every batch, as the tree assembler does: the batches' copies, the ring's
 * cursors and the slots' cache lines are shared with a running consumer, as in production. The
 * private ring waits rather than drops when the consumer falls behind (a dropping thread skips
 * most of the work, which would read low), and each round is timed in the calibrating thread's own
 * CPU time (wall time where the JVM cannot tell it), so that waiting or being descheduled on a
 * busy machine does not count as HiQ's cost. The figure is the <em>median</em> of
 * {@value #ROUNDS} rounds (not the best: the best round is the one where the consumer happened not
 * to interfere), divided by the records written. It still
 * leaves out what the instrumented method's advice costs around the recording (the thread-local
 * lookup, the volatile switch): the benchmark of docs/PERFORMANCE.md §16 compares both.
 */
public final class OverheadCalibration {
    static final int MAX_SLOTS = 1024;
    static final int ROUNDS = 9;
    static final int ITERATIONS = 25_000;

    private OverheadCalibration() {}

    /** Nanoseconds per record with these metrics, the default ring and batching. */
    public static long nanosPerRecord(List<Metric> metrics, LongSupplier custom) {
        return nanosPerRecord(metrics, custom, MAX_SLOTS, 4096, Batching.DEFAULT);
    }

    /**
     * Nanoseconds per record (ENTER or EXIT) with these metrics, against a running consumer.
     *
     * @param ringSlots  the run's ring slots (the private ring has as many, at most {@value #MAX_SLOTS})
     * @param bufferSize the run's per-thread buffer records
     */
    public static long nanosPerRecord(List<Metric> metrics, LongSupplier custom, int ringSlots, int bufferSize, Batching batching) {
        LongSupplier[] readers = MetricReaders.forMetrics(metrics, custom);
        int slots = Math.max(2, Math.min(MAX_SLOTS, Integer.highestOneBit(Math.max(2, ringSlots))));
        Reader reader = new Reader();
        SpanRing ring = new SpanRing(slots, SpanRing.DEFAULT_SLOT_RECORDS, 2 + readers.length, true, List.of(reader));
        try {
            ThreadBuffer b = new ThreadBuffer(Thread.currentThread(), ring, Math.max(2, bufferSize), readers, new DropCounters(), false, batching);
            long[] rounds = new long[ROUNDS];
            java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
            boolean cpu = mx.isCurrentThreadCpuTimeSupported();
            run(b, ITERATIONS); // warm-up: the JIT and the buffer's growth
            for (int round = 0; round < ROUNDS; round++) {
                long t0 = cpu ? mx.getCurrentThreadCpuTime() : System.nanoTime();
                run(b, ITERATIONS);
                rounds[round] = (cpu ? mx.getCurrentThreadCpuTime() : System.nanoTime()) - t0;
            }
            Arrays.sort(rounds);
            return Math.max(1, rounds[ROUNDS / 2] / (ITERATIONS * 4L));
        } finally {
            ring.shutdown(System.nanoTime() + 100_000_000L);
        }
    }

    private static void run(ThreadBuffer b, int iterations) {
        for (int i = 0; i < iterations; i++) {
            ThreadBuffer.Frame outer = b.enter(1);
            ThreadBuffer.Frame inner = b.enter(2);
            b.exit(inner, 2, null, System.nanoTime());
            b.exit(outer, 1, null, System.nanoTime());
        }
    }

    /** A consumer that reads every record, as the assembler does (its result is kept so that the reads stay). */
    private static final class Reader implements SpanEventHandler {
        volatile long sink;

        @Override
        public void onBatch(SpanBatch batch, boolean endOfBatch) {
            long acc = 0;
            for (int i = 0; i < batch.size(); i++) acc += batch.kind(i) + batch.tagId(i) + batch.nanoTime(i);
            sink += acc;
        }
    }
}
