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
 * assembler, LMK, …). Each slot is a {@link SpanBatch} of a fixed number of records
 * ({@link #slotRecords()}, default {@value #DEFAULT_SLOT_RECORDS}), allocated when the ring starts and
 * never grown: the ring's memory is fixed at start ({@link #memoryBytes()}). A batch larger than a
 * slot takes several consecutive slots.
 *
 * <p>Producers are the thread buffers' drainers: an application thread publishing its own batch,
 * or HiQ's one sweeper thread publishing for a thread that is idle or dead ({@link BufferSweeper}).
 *
 * <p>Start-up: the ring (its slots, the Disruptor and the consumer threads) is built when the first
 * batch is claimed, not when the runtime starts: an agent adds nothing of it to the time before the
 * application's {@code main} (an eager 16 MB ring cost a young collection there: docs/PERFORMANCE.md
 * section 15). When its consumers are ready (the agent's extensions have started), the first claim
 * builds it, on the claiming thread, once. While they are not, the claim fails as if the ring were
 * full and asks for the build, which the sweeper starts on a thread of its own
 * ({@code hiq-ring-start}) that waits for the extensions. No application thread ever waits for an
 * extension's start — one that hangs (a Kafka producer, a logging configuration) costs the
 * application nothing but the records its thread buffers cannot hold meanwhile, dropped and counted
 * as for a full ring; what they hold goes out once the ring is there (the owner's next publish, or
 * the sweeper).
 *
 * <p>Performance notes: a batch holds many roots (≥ N records or ~100 µs of them), so contention on
 * the ring's cursor is rare. The wait strategy is {@link SleepingWaitStrategy}: publishing never
 * takes a lock or signals a condition (a {@code BlockingWaitStrategy} would cost every publish a
 * lock), at the price of up to ~100 µs of consumer latency when idle.
 */
public final class SpanRing {
    /** Records per slot unless told otherwise. */
    public static final int DEFAULT_SLOT_RECORDS = 256;
    /** Largest slot: a slot is a unit of copying, not of buffering. */
    public static final int MAX_SLOT_RECORDS = 256;
    /** The ring's memory when {@code HIQ_RING_SIZE} is not given: the slot count is derived from it. */
    public static final long DEFAULT_MEMORY_BYTES = 16L << 20;

    /** The Disruptor and its ring, once {@link #started()} built them. */
    private record Started(Disruptor<SpanBatch> disruptor, RingBuffer<SpanBatch> ring) {}

    private final int size;
    /** The consumers, asked for when the ring is built (extensions may still be adding theirs until then). */
    private final java.util.function.Supplier<List<SpanEventHandler>> handlers;
    /** Null until the first claim (or {@link #start()}); never built after {@link #shutdown}. */
    private volatile Started started;
    private final boolean block;
    private final int slotRecords;
    private final int stride;
    /** Set when the flush deadline passed: consumers skip (and count) what is left instead of handling it. */
    private volatile boolean halted;
    /**
     * Batch deliveries skipped after {@link #halted}, one count per consumer: consumers stop at
     * different points, so the batches lost to the slowest one are the largest count, not an average.
     */
    private final List<java.util.concurrent.atomic.AtomicLong> abandoned = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** The consumer threads, joined at {@link #shutdown} so no sink is closed under a running consumer. */
    private final List<Thread> consumers = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Set by {@link #shutdown}: a call that exits after close never waits for a ring nobody drains. */
    private volatile boolean closed;

    /**
     * @param size        slots, a power of two
     * @param slotRecords records per slot (1 to {@value #MAX_SLOT_RECORDS})
     * @param stride      longs per record (2 + extra metrics)
     * @param block       true for {@code HIQ_RING_POLICY=block}: a full ring makes application threads wait
     * @param handlers    consumers, each on its own daemon thread
     */
    public SpanRing(int size, int slotRecords, int stride, boolean block, List<SpanEventHandler> handlers) {
        this(size, slotRecords, stride, block, fixed(List.copyOf(handlers)));
        start(); // built now: only the agent's runtime builds its ring later
    }

    private static java.util.function.Supplier<List<SpanEventHandler>> fixed(List<SpanEventHandler> handlers) {
        return () -> handlers;
    }

    /**
     * Like {@link #SpanRing(int, int, int, boolean, List)}, but built at the first claim (or
     * {@link #start()}), with the consumers asked for then: the agent's runtime waits there for the
     * extensions starting on their own thread to have added theirs.
     *
     * <p>Who builds it: {@link #start()} on the calling thread; otherwise the first claim asks for
     * the build, which the buffer sweeper starts on a thread of its own ({@code hiq-ring-start}),
     * and fails as if the ring were full (the claimer's records stay where they are, for its next
     * try). No claimer ever waits for the supplier: not an application thread (it may wait for an
     * extension's start, unbounded), not the buffer sweeper (it holds another thread's buffer while
     * it claims), not the extensions' starter (which the supplier waits for).
     */
    public SpanRing(int size, int slotRecords, int stride, boolean block, java.util.function.Supplier<List<SpanEventHandler>> handlers) {
        this(size, slotRecords, stride, block, handlers, () -> false);
    }

    /**
     * Like {@link #SpanRing(int, int, int, boolean, java.util.function.Supplier)}; while
     * {@code consumersReady} says the supplier would not wait (the extensions have started), the
     * first claim builds the ring on the claiming thread, as it always did (the slots' allocation,
     * a few milliseconds, once).
     */
    public SpanRing(int size, int slotRecords, int stride, boolean block, java.util.function.Supplier<List<SpanEventHandler>> handlers,
                    java.util.function.BooleanSupplier consumersReady) {
        if (size < 1 || Integer.bitCount(size) != 1) throw new IllegalArgumentException("HIQ_RING_SIZE: " + size + " is not a power of two");
        if (slotRecords < 1 || slotRecords > MAX_SLOT_RECORDS) throw new IllegalArgumentException("slot records: " + slotRecords + " (1 to " + MAX_SLOT_RECORDS + ")");
        if (stride < 2) throw new IllegalArgumentException("stride: " + stride);
        this.size = size;
        this.slotRecords = slotRecords;
        this.stride = stride;
        this.block = block;
        this.handlers = handlers;
        this.consumersReady = consumersReady;
    }

    /** Whether the consumers' supplier would answer without waiting (the first claim may build). */
    private final java.util.function.BooleanSupplier consumersReady;
    /** A claim found the ring not built while the consumers were not ready: the sweeper starts the build. */
    private volatile boolean buildWanted;

    /**
     * Builds and starts the ring now, on the calling thread, if it is not yet (waiting for the
     * consumers' supplier); false when it was shut down first.
     */
    public boolean start() {
        Started s = started;
        return (s != null ? s : startOnce()) != null;
    }

    private final java.util.concurrent.atomic.AtomicBoolean buildRequested = new java.util.concurrent.atomic.AtomicBoolean();

    /** Whether the ring is built (and not yet shut down): a claim may succeed. */
    public boolean built() { return started != null && !closed; }

    /** Asks for the build (started by the sweeper, {@link #startBuildIfWanted()}); never waits. */
    void requestBuild() { started(); }

    /**
     * Starts the build on a thread of its own ({@code hiq-ring-start}) if a claim asked for it; the
     * buffer sweeper's call, never an application thread's: a claimer may be deep in a stack
     * overflow (traced recursion), where starting a thread fails.
     */
    void startBuildIfWanted() {
        if (buildWanted && started == null && !closed && buildRequested.compareAndSet(false, true)) {
            HiQThreads.daemon("hiq-ring-start").newThread(this::startOnce).start();
        }
    }

    /**
     * The running ring; null while it is not built or after {@link #shutdown}. Built here, on the
     * claiming thread, when the consumers are ready (nothing to wait for); otherwise the build is
     * asked for (the sweeper starts it on a thread of its own) and nobody waits for it.
     */
    private Started started() {
        Started s = started;
        if (s != null || closed) return s;
        if (consumersReady.getAsBoolean()) return startOnce();
        buildWanted = true;
        return null;
    }

    private Started startOnce() {
        if (started != null || closed) return started;
        // asked for outside the lock: the supplier may wait for the extensions' start as long as it
        // takes, and shutdown must never wait for that (it takes the lock)
        List<SpanEventHandler> handlers = List.copyOf(this.handlers.get());
        synchronized (this) {
            if (started != null || closed) return started;
            AtomicInteger n = new AtomicInteger();
            // every slot is allocated here, at its final size
            Disruptor<SpanBatch> disruptor = new Disruptor<>(() -> new SpanBatch(slotRecords, stride), size, r -> {
                Thread t = new Thread(r, "hiq-ring-" + n.incrementAndGet());
                t.setDaemon(true);
                consumers.add(t);
                return t;
            }, ProducerType.MULTI, new SleepingWaitStrategy(200, 100_000));
            @SuppressWarnings("unchecked")
            EventHandler<SpanBatch>[] hs = new EventHandler[handlers.size()];
            for (int i = 0; i < hs.length; i++) hs[i] = adapt(handlers.get(i));
            disruptor.handleEventsWith(hs);
            disruptor.setDefaultExceptionHandler(new ReportingExceptionHandler());
            Started s = new Started(disruptor, disruptor.start());
            started = s;
            return s;
        }
    }

    /**
     * The ring's heap footprint, estimated from above: per slot, the record longs, one reference
     * per record (8 bytes, as without compressed oops) and the objects' headers.
     */
    public static long memoryBytes(int slots, int slotRecords, int stride) {
        long perSlot = (long) slotRecords * (8L * stride + 8L) + 96L;
        return slots * (perSlot + 8L); // + the Disruptor's entry reference
    }

    /** The largest power-of-two slot count whose {@link #memoryBytes} fits {@code budget} (at least 2). */
    public static int slotsFor(long budget, int slotRecords, int stride) {
        int slots = 2;
        while (slots < (1 << 20) && memoryBytes(slots * 2, slotRecords, stride) <= budget) slots *= 2;
        return slots;
    }

    private EventHandler<SpanBatch> adapt(SpanEventHandler h) {
        java.util.concurrent.atomic.AtomicLong skipped = new java.util.concurrent.atomic.AtomicLong();
        abandoned.add(skipped);
        return (event, sequence, endOfBatch) -> {
            // a halted consumer still walks the run of batches it had claimed: skip them, counted
            if (halted) skipped.incrementAndGet();
            else h.onBatch(event, endOfBatch);
        };
    }

    /** Records one slot holds. */
    public int slotRecords() { return slotRecords; }

    /** Longs per record. */
    public int stride() { return stride; }

    /** This ring's heap footprint, fixed at start ({@link #memoryBytes(int, int, int)}). */
    public long memoryBytes() { return memoryBytes(capacity(), slotRecords, stride); }

    /** Whether a full ring makes the application threads wait ({@code HIQ_RING_POLICY=block}). */
    boolean blocking() { return block; }

    /**
     * Claims {@code slots} consecutive slots: the last one's sequence, or -1 when they are not free
     * now (or the ring is closed, or not built yet: the first claim asks for the build). Never blocks.
     */
    long tryClaim(int slots) {
        if (closed) return -1;
        Started s = started();
        if (s == null) return -1; // not built yet (asked for now), or shut down meanwhile
        try {
            return s.ring.tryNext(slots);
        } catch (InsufficientCapacityException full) {
            return -1;
        }
    }

    /**
     * Like {@link #tryClaim}, but under {@code HIQ_RING_POLICY=block} waits for the slots (until the
     * ring is closed). Application threads only: the sweeper never waits.
     */
    long claim(int slots) {
        while (true) {
            long seq = tryClaim(slots);
            if (seq >= 0 || !block || closed) return seq;
            // back-pressure without claiming a slot first: a claimed-but-unpublished slot would
            // make every consumer that has caught up spin on it at full speed
            LockSupport.parkNanos(20_000);
        }
    }

    /** Free slots now (a hint: other producers may take them). */
    int freeSlots() {
        Started s = started;
        return s == null ? size : (int) Math.min(Integer.MAX_VALUE, s.ring.remainingCapacity());
    }

    /** The claimed slot {@code seq}, to fill. */
    SpanBatch slot(long seq) { return started.ring.get(seq); } // claimed: started

    /** Makes the claimed slots {@code lo..hi} visible to the consumers. */
    void commit(long lo, long hi) { started.ring.publish(lo, hi); }

    /**
     * Gives back slots {@code lo..hi} whose filling was cut short (an error or a stack overflow
     * inside HiQ): each one not yet published goes out as an empty batch, otherwise every consumer
     * would wait for it for ever.
     */
    void commitEmpty(long lo, long hi, long threadId, String threadName) {
        RingBuffer<SpanBatch> ring = started.ring; // claimed: started
        for (long seq = lo; seq <= hi; seq++) {
            if (ring.isAvailable(seq)) continue;
            ring.get(seq).fill(EMPTY, EMPTY_REFS, 0, 0, 0, stride, threadId, threadName, 0, false, false);
            ring.publish(seq);
        }
    }

    private static final long[] EMPTY = new long[0];
    private static final Object[] EMPTY_REFS = new Object[1];

    /** Slots in the ring. */
    public int capacity() { return size; }

    /** Waits until every consumer has processed everything published so far, at most until the deadline. */
    public boolean awaitDrained(long deadlineNanos) {
        Started s = started;
        if (s == null) return true; // nothing was ever published
        RingBuffer<SpanBatch> ring = s.ring;
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
    public long backlog() {
        Started s = started;
        if (s == null) return 0;
        RingBuffer<SpanBatch> ring = s.ring;
        long skipped = 0;
        for (java.util.concurrent.atomic.AtomicLong a : abandoned) skipped = Math.max(skipped, a.get());
        return Math.max(0, ring.getCursor() - ring.getMinimumGatingSequence()) + skipped;
    }

    /** Batches published so far (tests). */
    long publishedBatches() {
        Started s = started;
        return s == null ? 0 : s.ring.getCursor() + 1;
    }

    /** True when every consumer thread has ended (tests: nothing runs a sink after {@link #shutdown}). */
    boolean consumersStopped() {
        for (Thread t : consumers) if (t.isAlive()) return false;
        return true;
    }

    /** Longest wait, past the deadline, for a halted consumer to finish the batch it is handling. */
    static final long HALT_GRACE_NANOS = TimeUnit.SECONDS.toNanos(2);

    /**
     * Drains (bounded by the deadline) and stops the consumer threads. When the deadline passes with
     * batches left, the consumers are halted and joined (at most {@link #HALT_GRACE_NANOS} more): a
     * halted consumer finishes the batch in its hands first, and the caller closes the sinks next — a
     * sink closed under a running consumer would fail trees that were already counted as assembled.
     */
    public void shutdown(long deadlineNanos) {
        awaitDrained(deadlineNanos);
        Disruptor<SpanBatch> disruptor;
        synchronized (this) {
            closed = true; // from here on, no claim builds the ring
            Started s = started;
            if (s == null) return;
            disruptor = s.disruptor;
        }
        try {
            disruptor.shutdown(Math.max(1, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (Exception e) {
            halted = true;
            disruptor.halt();
            long until = System.nanoTime() + HALT_GRACE_NANOS;
            for (Thread t : consumers) {
                if (t == Thread.currentThread()) continue;
                long left = until - System.nanoTime();
                if (left <= 0) break;
                try {
                    t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
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
