package io.hiq.core.event;

import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.ExceptionHandler;
import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.SleepingWaitStrategy;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.ProducerType;
import io.hiq.core.spi.SpanEventHandler;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The multi-producer LMAX Disruptor ring between application threads and HiQ's consumers (tree
 * assembler, LMK, …). Each slot is a preallocated {@link SpanBatch}.
 *
 * <p>Performance notes: producers publish once per completed root (not per call), so contention on
 * the ring's cursor is rare. The wait strategy is {@link SleepingWaitStrategy}: publishing never
 * takes a lock or signals a condition (a {@code BlockingWaitStrategy} would cost every publish a
 * lock), at the price of up to ~100 µs of consumer latency when idle.
 */
public final class SpanRing {
    private final Disruptor<SpanBatch> disruptor;
    private final RingBuffer<SpanBatch> ring;
    private final boolean block;
    /** Set by {@link #shutdown}: a call that exits after close never waits for a ring nobody drains. */
    private volatile boolean closed;

    /**
     * @param size     slots, a power of two
     * @param block    true for {@code HIQ_RING_POLICY=block}: a full ring makes producers wait
     * @param handlers consumers, each on its own daemon thread
     */
    public SpanRing(int size, boolean block, List<SpanEventHandler> handlers) {
        if (Integer.bitCount(size) != 1) throw new IllegalArgumentException("HIQ_RING_SIZE: " + size + " is not a power of two");
        AtomicInteger n = new AtomicInteger();
        this.disruptor = new Disruptor<>(SpanBatch::new, size, r -> {
            Thread t = new Thread(r, "hiq-ring-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, ProducerType.MULTI, new SleepingWaitStrategy(200, 100_000));
        this.block = block;
        @SuppressWarnings("unchecked")
        EventHandler<SpanBatch>[] hs = handlers.stream().map(SpanRing::adapt).toArray(EventHandler[]::new);
        disruptor.handleEventsWith(hs);
        disruptor.setDefaultExceptionHandler(new ReportingExceptionHandler());
        this.ring = disruptor.start();
    }

    private static EventHandler<SpanBatch> adapt(SpanEventHandler h) {
        return (event, sequence, endOfBatch) -> h.onBatch(event, endOfBatch);
    }

    /**
     * Claims a slot for a thread's records: the slot's sequence, or -1 when the ring is full and the
     * policy is drop (or the ring is closed). Never blocks under the drop policy. The caller fills it
     * with {@link #fill} and makes it visible with {@link #commit}; a claim cut short by an error
     * (a stack overflow inside HiQ) is given back empty with {@link #commitEmpty}, otherwise every
     * consumer would wait for that slot for ever.
     */
    long claim() {
        while (true) {
            try {
                return ring.tryNext();
            } catch (InsufficientCapacityException full) {
                if (!block || closed) return -1;
                // back-pressure without claiming a slot first: a claimed-but-unpublished slot would
                // make every consumer that has caught up spin on it at full speed
                LockSupport.parkNanos(20_000);
            }
        }
    }

    /** Copies a thread's records into the claimed slot {@code seq}. */
    void fill(long seq, long[] data, int records, int stride, Object[] refs, int refCount,
              long threadId, String threadName, long droppedTrees, boolean abortOpen) {
        ring.get(seq).fill(data, records, stride, refs, refCount, threadId, threadName, droppedTrees, abortOpen);
    }

    /** Makes the claimed slot {@code seq} visible to the consumers. */
    void commit(long seq) { ring.publish(seq); }

    /** Gives back a slot whose claim was cut short: published as an empty batch, unless it already was. */
    void commitEmpty(long seq, long threadId, String threadName) {
        if (ring.isAvailable(seq)) return;
        ring.get(seq).fill(EMPTY, 0, 2, EMPTY_REFS, 0, threadId, threadName, 0, false);
        ring.publish(seq);
    }

    private static final long[] EMPTY = new long[0];
    private static final Object[] EMPTY_REFS = new Object[0];

    /** Slots in the ring. */
    public int capacity() { return ring.getBufferSize(); }

    /** Waits until every consumer has processed everything published so far, at most until the deadline. */
    public boolean awaitDrained(long deadlineNanos) {
        long cursor = ring.getCursor();
        while (ring.getMinimumGatingSequence() < cursor) {
            if (System.nanoTime() - deadlineNanos > 0) return false;
            LockSupport.parkNanos(200_000);
        }
        return true;
    }

    /**
     * Batches published and not yet handled by every consumer; after {@link #shutdown} that gave up
     * at its deadline, the batches whose trees will never reach a sink.
     */
    public long backlog() { return Math.max(0, ring.getCursor() - ring.getMinimumGatingSequence()); }

    /** Drains (bounded by the deadline) and stops the consumer threads. */
    public void shutdown(long deadlineNanos) {
        awaitDrained(deadlineNanos);
        closed = true;
        try {
            disruptor.shutdown(Math.max(1, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (Exception e) {
            disruptor.halt();
        }
    }

    /** A handler that throws is reported once per kind and keeps running: one bad batch never stops a consumer. */
    private static final class ReportingExceptionHandler implements ExceptionHandler<SpanBatch> {
        private final java.util.Set<String> reported = java.util.concurrent.ConcurrentHashMap.newKeySet();

        @Override
        public void handleEventException(Throwable ex, long sequence, SpanBatch event) {
            if (reported.add(ex.getClass().getName())) {
                System.err.println(io.hiq.core.redact.SafeText.line("hiq: a ring consumer failed on one batch and goes on: " + ex));
            }
        }

        @Override
        public void handleOnStartException(Throwable ex) {
            System.err.println(io.hiq.core.redact.SafeText.line("hiq: a ring consumer failed to start: " + ex));
        }

        @Override
        public void handleOnShutdownException(Throwable ex) {
            System.err.println(io.hiq.core.redact.SafeText.line("hiq: a ring consumer failed to stop: " + ex));
        }
    }
}
