package io.hiq.core.testapp;

import java.util.function.BooleanSupplier;

/** A long-lived root: one traced call making very many traced leaf calls (a batch job, a server loop). */
public class LongRoot {
    public static long sink;

    /** Calls {@link #leaf} {@code n} times. */
    public static long run(int n) {
        for (int i = 0; i < n; i++) leaf(i);
        return sink;
    }

    /** Calls {@link #leaf} until {@code done} says so (checked every 1 000 calls) or {@code maxCalls}; returns the calls made. */
    public static long runUntil(BooleanSupplier done, long maxCalls) {
        long n = 0;
        while (n < maxCalls && (n % 1000 != 0 || !done.getAsBoolean())) leaf(n++);
        return n;
    }

    static void leaf(long i) { sink += i; }
}
