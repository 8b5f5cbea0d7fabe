package io.hiq.jack.report;

import java.util.concurrent.atomic.AtomicLong;

/**
 * How often a recurring line is printed: the first ten occurrences, then at powers of two, so that
 * a condition that lasts (a full queue, a busy broker) is reported without flooding stderr. Each
 * line quotes {@link #count()} so that the reader knows how many were not printed.
 */
public final class Throttle {
    private final AtomicLong count = new AtomicLong();

    /** Counts one occurrence; true when this one is to be printed. */
    public boolean next() {
        long n = count.incrementAndGet();
        return n <= 10 || Long.bitCount(n) == 1;
    }

    /** Occurrences so far. */
    public long count() { return count.get(); }
}
