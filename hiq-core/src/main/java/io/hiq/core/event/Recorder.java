package io.hiq.core.event;

import io.hiq.core.redact.CapturedExtras;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.LongSupplier;

/**
 * The hot path: the static entry points that instrumented methods call (inlined ByteBuddy advice),
 * and the switch that turns recording on and off.
 *
 * <p>Cost per traced call, in steady state: one volatile read of the switch, one
 * {@link ThreadLocal} lookup, one {@link System#nanoTime()} (plus one reading per extra metric) and
 * a few array stores, on enter and on exit; a release store of the committed sequence per
 * completed root; one ring publish per batch ({@link Batching}). Nothing is allocated and nothing
 * blocks (unless {@code HIQ_RING_POLICY=block}). Idle and dead threads' buffers are drained by one
 * sweeper thread ({@link BufferSweeper}).
 */
public final class Recorder {
    private static volatile boolean enabled;
    private static volatile Config config;

    private Recorder() {}

    /**
     * One install: its ring, its own thread-local and its own list of buffers. A new install starts
     * with a new thread-local, so after {@link #uninstall()} nothing static reaches the old buffers
     * or the old ring (a stale thread-local entry keeps a buffer whose ring was released).
     */
    private record Config(SpanRing ring, int maxRecords, LongSupplier[] extraMetrics, DropCounters drops,
                          Batching batching, ThreadLocal<ThreadBuffer> local, ConcurrentLinkedQueue<ThreadBuffer> buffers,
                          BufferSweeper sweeper) {}

    /**
     * Connects the hot path to a ring and switches recording on. Threads that recorded under a previous
     * configuration start a fresh buffer.
     */
    public static void install(SpanRing ring, int maxRecords, LongSupplier[] extraMetrics, DropCounters drops) {
        install(ring, maxRecords, extraMetrics, drops, Batching.DEFAULT);
    }

    /** Like {@link #install(SpanRing, int, LongSupplier[], DropCounters)} with these batching settings; starts the sweeper. */
    public static synchronized void install(SpanRing ring, int maxRecords, LongSupplier[] extraMetrics, DropCounters drops,
                                            Batching batching) {
        if (maxRecords < 2) throw new IllegalArgumentException("HIQ_BUFFER_SIZE: " + maxRecords + " is too small");
        if (maxRecords > 1 << 24) throw new IllegalArgumentException("HIQ_BUFFER_SIZE: " + maxRecords + " is too large (at most " + (1 << 24) + ")");
        if (extraMetrics.length + 2 != ring.stride()) {
            throw new IllegalArgumentException("the ring's records have " + ring.stride() + " longs, the metrics need " + (extraMetrics.length + 2));
        }
        Config old = config;
        if (old != null) old.sweeper.stop(System.nanoTime() + 1_000_000_000L);
        ConcurrentLinkedQueue<ThreadBuffer> buffers = new ConcurrentLinkedQueue<>();
        BufferSweeper sweeper = new BufferSweeper(buffers, batching.sweepNanos(), ring);
        config = new Config(ring, maxRecords, extraMetrics.clone(), drops, batching, new ThreadLocal<>(), buffers, sweeper);
        sweeper.start();
        enabled = true;
    }

    /** Disconnects the hot path: recording stops, the sweeper ends, the ring and the buffers are no longer referenced. */
    public static synchronized void uninstall() {
        enabled = false;
        Config c = config;
        config = null;
        if (c != null) {
            c.sweeper.stop(System.nanoTime() + 1_000_000_000L);
            for (ThreadBuffer b : c.buffers) b.release();
            c.buffers.clear();
        }
    }

    /** Switches recording on or off at run time (global status, MBean); instrumentation stays. */
    public static void setEnabled(boolean on) { enabled = on && config != null; }

    /** Whether traced calls are being recorded. */
    public static boolean isEnabled() { return enabled; }

    /**
     * Called on entry of a traced method (the agent's advice).
     *
     * @return an opaque token for {@link #exitToken}: the call's frame, or null when not recorded
     */
    public static Object enterToken(int tagId) {
        if (!enabled) return null;
        ThreadBuffer b = buffer();
        if (b == null) return null;
        return b.enter(tagId);
    }

    /**
     * Like {@link #enterToken(int)} with a start reading the caller took ({@link System#nanoTime()}),
     * so that a value the caller reports elsewhere (an HTTP latency header) and the node share
     * their clock readings.
     */
    public static Object enterTokenAt(int tagId, long nanoTime) {
        if (!enabled) return null;
        ThreadBuffer b = buffer();
        if (b == null) return null;
        return b.enter(tagId, nanoTime);
    }

    /** Like {@link #exitToken} with an end reading the caller took. */
    public static void exitTokenAt(int tagId, Object token, Throwable thrown, long nanoTime) {
        if (token == null) return;
        ThreadBuffer.Frame f = (ThreadBuffer.Frame) token;
        f.buffer.exit(f, tagId, thrown, nanoTime);
    }

    /** Called on exit of a traced method, normal or by exception ({@code thrown} non-null), with the token {@link #enterToken} returned. */
    public static void exitToken(int tagId, Object token, Throwable thrown) {
        if (token == null) return;
        long now = System.nanoTime();
        ThreadBuffer.Frame f = (ThreadBuffer.Frame) token;
        f.buffer.exit(f, tagId, thrown, now);
    }

    /**
     * Attaches extra information to the calling thread's innermost traced call, if any. The value
     * is redacted here, on the caller's thread ({@link CapturedExtras}), so that no output ever
     * sees the original.
     */
    public static void extra(String key, Object value) {
        if (!enabled) return;
        ThreadBuffer b = existing();
        if (b != null && b.depth() > 0 && !b.muted()) b.extra(new ExtraValue(key, CapturedExtras.value(key, value)));
    }

    /**
     * Called when the calling thread hands a task to another thread: returns the link the task
     * carries, or null when there is no traced call to attach it to (the task then runs untouched).
     */
    public static TaskLink fork() {
        if (!enabled) return null;
        ThreadBuffer b = existing();
        if (b == null || !b.canFork()) return null;
        TaskLink link = new TaskLink();
        b.fork(link);
        return link;
    }

    /** Called on the thread that runs a forked task, before it runs. */
    public static void adopt(TaskLink link) {
        if (link == null || !enabled) return;
        ThreadBuffer b = buffer();
        if (b != null) b.adopt(link);
    }

    /** Called on the thread that ran a forked task, after it ran (also when it threw). */
    public static void adoptEnd(TaskLink link) {
        if (link == null) return;
        ThreadBuffer b = existing();
        if (b != null) b.adoptEnd(link);
    }

    private static ThreadBuffer existing() {
        Config c = config;
        return c == null ? null : c.local.get();
    }

    private static ThreadBuffer buffer() {
        Config c = config;
        if (c == null) return null;
        ThreadBuffer b = c.local.get();
        return b != null ? b : newBuffer(c);
    }

    private static ThreadBuffer newBuffer(Config c) {
        Thread t = Thread.currentThread();
        // decided once per thread and install: HiQ's own threads get a buffer that never records
        boolean own = HiQThreads.isHiQ(t);
        ThreadBuffer b = new ThreadBuffer(t, c.ring, c.maxRecords, c.extraMetrics, c.drops, own, c.batching);
        c.local.set(b);
        if (!own) c.buffers.add(b);
        return b;
    }

    /**
     * Waits until every completed root of every thread (live or terminated) recorded so far is on
     * the ring, asking the sweeper for eager passes, at most until the deadline ({@code show()},
     * tests). Calls in progress are not waited for.
     *
     * @return false when something was still waiting at the deadline (ring full)
     */
    public static boolean awaitPublished(long deadlineNanos) {
        Config c = config;
        if (c == null) return true;
        while (true) {
            boolean swept = c.sweeper.awaitSweep(deadlineNanos);
            if (swept && !pending(c)) return true;
            if (!swept || System.nanoTime() - deadlineNanos > 0) return !pending(c);
            java.util.concurrent.locks.LockSupport.parkNanos(200_000); // a full ring: let the consumers catch up
        }
    }

    private static boolean pending(Config c) {
        for (ThreadBuffer b : c.buffers) if (b.hasPending()) return true;
        return false;
    }

    /**
     * At shutdown (recording already switched off): publishes every completed root of every thread,
     * live or terminated, through the sweeper until the deadline; then stops the sweeper and counts
     * what is still left as dropped ({@link DropCounters}), so that nothing completed is lost
     * silently. Calls still open on live threads are neither published nor counted, except the
     * records an open root skipped in a gap (counted in {@link DropCounters#gapRecords}).
     *
     * @return true when everything completed was published
     */
    public static boolean drainForShutdown(long deadlineNanos) {
        Config c = config;
        if (c == null) return true;
        boolean all = awaitPublished(deadlineNanos);
        c.sweeper.stop(deadlineNanos);
        if (!all) {
            for (ThreadBuffer b : c.buffers) b.dropPending();
        }
        // a root still open in a gap never ends it before the counters are read: its gap's records are counted now
        for (ThreadBuffer b : c.buffers) b.countOpenGap();
        return all;
    }

    /** The current install's buffers (tests in this package). */
    static java.util.Collection<ThreadBuffer> buffers() {
        Config c = config;
        return c == null ? java.util.List.of() : c.buffers;
    }

    /** The sweeper's period, nanoseconds, or -1 when nothing is installed. */
    public static long sweepPeriodNanos() {
        Config c = config;
        return c == null ? -1 : c.sweeper.periodNanos();
    }
}
