package io.hiq.jack.kafka;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The bytes of trees handed to the Kafka producer and not yet acknowledged (or given back): the
 * bound of what Jack keeps in the application's heap for delivery, whatever the number of batches.
 *
 * <p>{@link #acquire} is called by Jack's batcher thread only (never the application's nor the
 * assembler's): when the budget is spent it waits, at most the given time, for acknowledgements
 * to give bytes back. A batch larger than the whole budget still passes when nothing else is in
 * flight, so that progress never depends on the budget's size. {@link #release} is called by the
 * producer's I/O thread, once per batch.
 */
public final class InFlightBudget {
    private final long limit;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition released = lock.newCondition();
    private long used;
    private long waits;
    private long timeouts;
    private boolean closed;

    /** @param limit bytes that may be in flight at once (at least 1) */
    public InFlightBudget(long limit) {
        if (limit < 1) throw new IllegalArgumentException("in-flight budget must be at least 1 byte: " + limit);
        this.limit = limit;
    }

    /** The bound, in bytes. */
    public long limit() { return limit; }

    /** Bytes in flight now. */
    public long used() {
        lock.lock();
        try {
            return used;
        } finally {
            lock.unlock();
        }
    }

    /** True while a new batch would not have to wait (some room is left). */
    public boolean hasRoom() {
        lock.lock();
        try {
            return !closed && used < limit;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes {@code bytes} from the budget, waiting up to {@code waitNanos} for them to be given
     * back by acknowledgements.
     *
     * @return true when taken (then {@link #release} them exactly once); false when the wait
     *         ended first, the budget was closed or the thread interrupted
     */
    public boolean acquire(long bytes, long waitNanos) {
        lock.lock();
        try {
            if (fits(bytes)) {
                used += bytes;
                return true;
            }
            waits++;
            long left = waitNanos;
            while (!fits(bytes)) {
                if (closed || left <= 0) {
                    timeouts++;
                    return false;
                }
                try {
                    left = released.awaitNanos(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    timeouts++;
                    return false;
                }
            }
            used += bytes;
            return true;
        } finally {
            lock.unlock();
        }
    }

    private boolean fits(long bytes) {
        return !closed && (used == 0 || used + bytes <= limit);
    }

    /** Gives back bytes taken by {@link #acquire}; wakes a waiting batcher. */
    public void release(long bytes) {
        lock.lock();
        try {
            used = Math.max(0, used - bytes);
            released.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** From now on {@link #acquire} fails at once; a waiting call returns false. */
    public void close() {
        lock.lock();
        try {
            closed = true;
            released.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** How many acquisitions had to wait (tests, the bench). */
    public long waits() {
        lock.lock();
        try {
            return waits;
        } finally {
            lock.unlock();
        }
    }

    /** How many acquisitions gave up (the batch came back as busy). */
    public long timeouts() {
        lock.lock();
        try {
            return timeouts;
        } finally {
            lock.unlock();
        }
    }

    /** Milliseconds as nanoseconds, negative as 0. */
    static long nanos(long millis) { return TimeUnit.MILLISECONDS.toNanos(Math.max(0, millis)); }
}
