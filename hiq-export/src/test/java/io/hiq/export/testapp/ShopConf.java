package io.hiq.export.testapp;

import java.util.List;

/** The conf rows tracing {@link Shop}. */
public final class ShopConf {
    private ShopConf() {}

    public static final List<List<String>> ROWS = List.of(
            List.of("io.hiq.export.testapp", "Shop", "order", "order"),
            List.of("io.hiq.export.testapp", "Shop", "stock", "stock"),
            List.of("io.hiq.export.testapp", "Shop", "pay", "pay"));
}
