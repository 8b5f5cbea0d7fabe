package io.hiq.jack.app;

/** A tiny traced program: an order that validates, prices and sometimes fails. */
public final class Shop {
    private Shop() {}

    public static long order(int i) {
        long total = price(i) + price(i + 1);
        try {
            validate(i);
        } catch (IllegalArgumentException e) {
            total = -1;
        }
        return total;
    }

    static long price(int i) {
        long x = i;
        for (int k = 0; k < 200; k++) x = x * 31 + k;
        return Math.abs(x % 1000);
    }

    static void validate(int i) {
        if (i % 7 == 0) throw new IllegalArgumentException("order " + i + " rejected");
    }
}
