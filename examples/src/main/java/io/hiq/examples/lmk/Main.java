package io.hiq.examples.lmk;

/**
 * The target code of the user guide's LMK examples (§4.2): {@code main → func1 → func2}. It knows
 * nothing of HiQ. The guide sleeps 1.5 s and 2.5 s; this sleeps 150 ms and 250 ms.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws InterruptedException {
        func1();
    }

    static void func1() throws InterruptedException {
        Thread.sleep(150);
        func2();
    }

    static void func2() throws InterruptedException {
        Thread.sleep(250);
    }
}
