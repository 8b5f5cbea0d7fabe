package io.hiq.examples.conf;

/**
 * The target code of the user guide's first example (§2.7): {@code main → func1 → func2}. It knows
 * nothing of HiQ. The guide sleeps 1.5 s and 2.5 s; this sleeps 150 ms and 250 ms.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws InterruptedException {
        func1();
    }

    static void func1() throws InterruptedException {
        Thread.sleep(150);
        System.out.println("func1");
        func2();
    }

    static void func2() throws InterruptedException {
        Thread.sleep(250);
        System.out.println("func2");
    }
}
