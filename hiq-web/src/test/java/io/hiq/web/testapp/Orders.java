package io.hiq.web.testapp;

import java.util.List;

/** The traced business code a web handler calls: {@code find → price}. */
public final class Orders {
    private Orders() {}

    public static final List<List<String>> CONF = List.of(
            List.of("io.hiq.web.testapp", "Orders", "find", "find"),
            List.of("io.hiq.web.testapp", "Orders", "price", "price"));

    public static String find(String id) {
        work(2);
        return "order " + id + " costs " + price(id);
    }

    public static int price(String id) {
        work(1);
        return id.length() * 10;
    }

    // the work a traced call measures, not synchronisation
    private static void work(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
