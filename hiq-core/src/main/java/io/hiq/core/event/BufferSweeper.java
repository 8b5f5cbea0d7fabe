package io.hiq.core.event;

import io.hiq.core.redact.SafeText;
import java.util.Collection;
import java.util.Iterator;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The one place that drains thread buffers other than their owners: a HiQ daemon thread
 * ({@code hiq-sweeper}) that every {@link Batching#sweepNanos()} publishes the completed roots of
 * threads that have gone quiet (their committed sequence did not move since its previous pass) and
 * everything left by threads that have terminated, which it then forgets. A completed root thus
 * reaches the ring within two periods whatever its thread does next (idle pool thread, a ring that
 * was full when the root ended, {@code disable()}).
 *
 * <p>Others never sweep themselves: {@link #awaitSweep} asks this thread for an eager pass (every
 * completed root of every thread, quiet or not) and waits for it; at shutdown {@link #stop} ends
 * the thread, after which the closing thread alone counts what could not be published
 * ({@link ThreadBuffer#dropPending()}). Each buffer's drain lock keeps a sweep and its owner apart.
 */
final class BufferSweeper implements Runnable {
    private final Collection<ThreadBuffer> buffers;
    private final long periodNanos;
    private final Thread thread;
    private final AtomicLong requested = new AtomicLong();
    private final AtomicLong completed = new AtomicLong();
    private volatile boolean stopping;
    private volatile boolean reported;
    /** Passes made (tests). */
    final AtomicLong passes = new AtomicLong();

    /** The ring, whose build (when a claim asked for it) this thread starts; null: none to start. */
    private final SpanRing ring;

    BufferSweeper(Collection<ThreadBuffer> buffers, long periodNanos) { this(buffers, periodNanos, null); }

    BufferSweeper(Collection<ThreadBuffer> buffers, long periodNanos, SpanRing ring) {
        this.ring = ring;
        this.buffers = buffers;
        this.periodNanos = periodNanos;
        this.thread = HiQThreads.daemon("hiq-sweeper").newThread(this);
    }

    void start() { thread.start(); }

    long periodNanos() { return periodNanos; }

    @Override
    public void run() {
        long done = 0;
        while (!stopping) {
            long r = requested.get();
            boolean more = pass(r != done, (passCount++ & ALIVE_EVERY_MASK) == 0);
            done = r;
            completed.set(r);
            passes.incrementAndGet();
            // records left behind by a full ring go out as soon as it frees up, not a period later
            if (requested.get() == r && !stopping) LockSupport.parkNanos(this, more ? Math.min(periodNanos, RETRY_NANOS) : periodNanos);
        }
    }

    /** Passes between two checks of which owners have terminated (a native call per thread): 32, ~64 ms by default. */
    static final int ALIVE_EVERY_MASK = 31;
    private long passCount;

    /** The pause before another try when a pass left records behind because the ring was full. */
    static final long RETRY_NANOS = 200_000L;

    /** One pass over every buffer; true when one of them still holds records the ring had no room for. */
    private boolean pass(boolean eager, boolean checkAlive) {
        boolean more = false;
        if (ring != null) ring.startBuildIfWanted(); // asked for by a claim (application threads start no thread)
        for (Iterator<ThreadBuffer> it = buffers.iterator(); it.hasNext(); ) {
            ThreadBuffer b = it.next();
            try {
                int r = b.sweep(eager, checkAlive);
                if (r == ThreadBuffer.FORGET) it.remove();
                else if (r == ThreadBuffer.MORE) more = true;
            } catch (Throwable t) { // one bad buffer (or an OutOfMemoryError) never stops the sweeps
                if (!reported) {
                    reported = true;
                    System.err.println(SafeText.line("hiq: the buffer sweeper failed on one thread's buffer and goes on: " + t));
                }
            }
        }
        return more;
    }

    /**
     * Asks for an eager pass (every completed root of every thread) and waits until it has run, at
     * most until the deadline.
     *
     * @return false when the deadline passed or the sweeper is stopped
     */
    boolean awaitSweep(long deadlineNanos) {
        long r = requested.incrementAndGet();
        LockSupport.unpark(thread);
        while (completed.get() < r) {
            if (stopping || !thread.isAlive() || System.nanoTime() - deadlineNanos > 0) return false;
            LockSupport.parkNanos(50_000);
        }
        return true;
    }

    /** Ends the sweeper thread, waiting for its current pass (at most until the deadline). */
    void stop(long deadlineNanos) {
        stopping = true;
        LockSupport.unpark(thread);
        if (Thread.currentThread() == thread) return;
        try {
            thread.join(Math.max(1, (deadlineNanos - System.nanoTime()) / 1_000_000L));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
