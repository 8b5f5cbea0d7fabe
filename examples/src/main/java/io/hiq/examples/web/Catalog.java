package io.hiq.examples.web;

import java.util.List;

/** The plain business code the web examples' handlers call: {@code lookup → (load, enrich)}. */
public final class Catalog {
    /** The conf rows: module, class, method, tag. */
    public static final List<List<String>> CONF = List.of(
            List.of("io.hiq.examples.web", "Catalog", "lookup", "lookup"),
            List.of("io.hiq.examples.web", "Catalog", "load", "load"),
            List.of("io.hiq.examples.web", "Catalog", "enrich", "enrich"));

    private Catalog() {}

    public static String lookup(String sku) {
        String item = load(sku);
        return enrich(item);
    }

    public static String load(String sku) {
        work(3);
        return "item " + sku;
    }

    public static String enrich(String item) {
        work(1);
        return item + " (in stock)";
    }

    private static void work(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
