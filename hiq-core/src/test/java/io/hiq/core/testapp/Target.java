package io.hiq.core.testapp;

/** The guide's first example (main → func1 → func2) plus shapes the tree assembler must handle. */
public class Target {
    public static int sink;

    public static void main(String[] args) {
        func1();
    }

    static void func1() {
        busy(2_000);
        func2();
    }

    private static void func2() {
        busy(1_000);
    }

    /** Recursion: fib(n) traced at every level. */
    public static int fib(int n) {
        return n < 2 ? n : fib(n - 1) + fib(n - 2);
    }

    /** Throws after calling a traced method. */
    public static void failing() {
        func2();
        throw new IllegalStateException("boom");
    }

    /** Catches what a traced callee throws. */
    public static void catching() {
        try {
            failing();
        } catch (IllegalStateException expected) {
            sink++;
        }
    }

    /** An instance method, with untraced code between traced calls. */
    public int work(int n) {
        int s = 0;
        for (int i = 0; i < n; i++) s += untraced(i);
        leaf();
        return s;
    }

    public int work(int n, String label) { return work(n) + label.length(); }

    private int untraced(int i) { return i * 2; }

    void leaf() { sink++; }

    /** Spins for about {@code micros} microseconds so spans are well above zero. */
    public static void busy(long micros) {
        long end = System.nanoTime() + micros * 1000;
        while (System.nanoTime() < end) sink++;
    }
}
