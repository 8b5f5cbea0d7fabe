package io.hiq.core.runtime;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * HiQ's configuration as DESIGN B5 defines it: environment variables, each overridden by a system
 * property named after it (lowercase, {@code _} → {@code .}, a leading {@code HIQ_} dropped and
 * {@code hiq.} put in front: {@code HIQ_KAFKA_BOOTSTRAP} → {@code hiq.kafka.bootstrap},
 * {@code LMK_PATH} → {@code hiq.lmk.path}). Agent arguments are layered on top by the agent.
 *
 * <p>Immutable; tests build one from a map with {@link #of(Map)}.
 */
public final class Settings {
    private final Function<String, String> env;
    private final Function<String, String> props;

    private Settings(Function<String, String> env, Function<String, String> props) {
        this.env = env;
        this.props = props;
    }

    /** The process's environment and system properties. */
    public static Settings system() {
        return new Settings(System::getenv, System::getProperty);
    }

    /** Settings from a map of variable names (as in B5) to values; no system lookups. */
    public static Settings of(Map<String, String> variables) {
        Map<String, String> copy = Map.copyOf(variables);
        return new Settings(copy::get, k -> null);
    }

    /** A copy where {@code overrides} (variable names of B5) win over everything else. */
    public Settings with(Map<String, String> overrides) {
        Map<String, String> copy = Map.copyOf(overrides);
        Settings base = this;
        return new Settings(k -> copy.containsKey(k) ? copy.get(k) : base.raw(k), k -> null);
    }

    /** The system property that overrides {@code variable}. */
    public static String propertyName(String variable) {
        String v = variable.toLowerCase(Locale.ROOT);
        if (v.startsWith("hiq_")) v = v.substring(4);
        return "hiq." + v.replace('_', '.');
    }

    private String raw(String variable) {
        String p = props.apply(propertyName(variable));
        return p != null ? p : env.apply(variable);
    }

    /** The value of {@code variable}, or null when unset. */
    public String get(String variable) {
        return raw(Objects.requireNonNull(variable));
    }

    /** The value, or {@code def} when unset or blank. */
    public String get(String variable, String def) {
        String v = get(variable);
        return v == null || v.isBlank() ? def : v.trim();
    }

    /** Whether the variable is set at all (even empty): the meaning of {@code NO_JACK_LOG}. */
    public boolean isSet(String variable) { return get(variable) != null; }

    /** A flag: {@code 1}, {@code true}, {@code yes}, {@code on} (any case) are true. */
    public boolean flag(String variable) {
        String v = get(variable);
        if (v == null) return false;
        v = v.trim().toLowerCase(Locale.ROOT);
        return v.equals("1") || v.equals("true") || v.equals("yes") || v.equals("on");
    }

    /** An integer; {@code def} when unset; a clear {@link IllegalArgumentException} when malformed. */
    public long number(String variable, long def) {
        String v = get(variable);
        if (v == null || v.isBlank()) return def;
        try {
            return Long.parseLong(v.trim().replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(variable + ": not a number: '" + v + "'");
        }
    }

    /** HiQ's home: {@code HIQ_HOME}, default {@code ~/.hiq}. */
    public Path home() {
        String h = get("HIQ_HOME");
        return h != null && !h.isBlank() ? Path.of(h) : Path.of(System.getProperty("user.home"), ".hiq");
    }
}
