package com.example.shop;

/** The target code: knows nothing of HiQ. */
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
