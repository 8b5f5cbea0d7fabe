package io.hiq.export.testapp;

/** A tiny traced application: {@code order → (stock, pay)}; {@code pay} fails on demand. */
public final class Shop {
    private Shop() {}

    public static int order(int id, boolean failPayment) {
        sleepMillis(3);
        int s = stock(id);
        try {
            pay(id, failPayment);
        } catch (IllegalStateException e) {
            return -s;
        }
        return s;
    }

    public static int stock(int id) {
        sleepMillis(2);
        return id * 2;
    }

    public static void pay(int id, boolean fail) {
        sleepMillis(1);
        if (fail) throw new IllegalStateException("card declined for order " + id);
    }

    // the work a traced method measures, not synchronisation
    private static void sleepMillis(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
