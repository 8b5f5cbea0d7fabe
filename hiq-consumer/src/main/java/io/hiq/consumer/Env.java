package io.hiq.consumer;

import java.nio.file.Path;

/**
 * Environment variables of DESIGN B5, each overridable by its system property (lowercase, {@code _}
 * → {@code .}, a leading {@code HIQ_} dropped and {@code hiq.} put in front).
 */
public final class Env {
    private Env() {}

    /** The system property name of a variable: {@code HIQ_KAFKA_BOOTSTRAP} → {@code hiq.kafka.bootstrap}. */
    public static String property(String variable) {
        String v = variable.startsWith("HIQ_") ? variable.substring(4) : variable;
        return "hiq." + v.toLowerCase(java.util.Locale.ROOT).replace('_', '.');
    }

    /** The value of a variable (system property first), or {@code def} when unset or blank. */
    public static String get(String variable, String def) {
        String v = System.getProperty(property(variable));
        if (v == null || v.isBlank()) v = System.getenv(variable);
        return v == null || v.isBlank() ? def : v;
    }

    /** {@code HIQ_HOME}, default {@code ~/.hiq}. */
    public static Path home() {
        String h = get("HIQ_HOME", null);
        return h != null ? Path.of(h) : Path.of(System.getProperty("user.home"), ".hiq");
    }
}
