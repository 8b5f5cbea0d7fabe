package io.hiq.examples.export;

import java.util.List;

/** The plain code the export examples trace: {@code order → (price, pay)}; one payment in ten fails. */
public final class Checkout {
    /** The conf rows: module, class, method, tag. */
    public static final List<List<String>> CONF = List.of(
            List.of("io.hiq.examples.export", "Checkout", "order", "order"),
            List.of("io.hiq.examples.export", "Checkout", "price", "price"),
            List.of("io.hiq.examples.export", "Checkout", "pay", "pay"));

    private Checkout() {}

    public static long order(int n) {
        long total = price(n);
        try {
            pay(n, total);
        } catch (IllegalStateException declined) {
            return -1;
        }
        return total;
    }

    public static long price(int n) {
        work(1 + n % 3);
        return 100L * (n % 7 + 1);
    }

    public static void pay(int n, long total) {
        work(2);
        if (n % 10 == 9) throw new IllegalStateException("card declined for " + total);
    }

    static void work(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
