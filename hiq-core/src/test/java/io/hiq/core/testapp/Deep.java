package io.hiq.core.testapp;

/** Unbounded traced recursion: every call overflows the stack. */
public class Deep {
    public static long sink;

    /** Recurses until the stack overflows. */
    public static long down(long n) {
        sink++;
        return down(n + 1) + 1;
    }
}
