package io.hiq.lmk.testapp;

import io.hiq.HiQ;

/** The guide's LMK example (main → func1 → func2), with short busy waits instead of sleeps, plus shapes LMK must show. */
public class Guide {
    public static long sink;

    public static void main(String[] args) {
        func1();
    }

    static void func1() {
        busy(1_500);
        func2();
    }

    static void func2() {
        busy(2_500);
    }

    /** Traced; records its argument as an extra, shown on its end line. */
    public static int call(int n) {
        HiQ.extra("n", n);
        return n + 1;
    }

    /** Throws after calling a traced method; the message has a line break to check escaping. */
    public static void failing() {
        func2();
        throw new IllegalStateException("boom\nsecond line");
    }

    /** Catches what {@link #failing()} throws. */
    public static void catching() {
        try {
            failing();
        } catch (IllegalStateException expected) {
            sink++;
        }
    }

    /** Allocates about {@code bytes} bytes (for the memory metric). */
    public static int allocate(int bytes) {
        byte[] b = new byte[bytes];
        b[bytes - 1] = 1;
        return b.length;
    }

    /** Spins for about {@code micros} microseconds. */
    public static void busy(long micros) {
        long end = System.nanoTime() + micros * 1000;
        while (System.nanoTime() < end) sink++;
    }
}
