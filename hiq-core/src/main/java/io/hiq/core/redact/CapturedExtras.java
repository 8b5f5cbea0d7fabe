package io.hiq.core.redact;

import io.hiq.tree.redact.SecretNames;
import io.hiq.tree.redact.SecretValues;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What an extra attached by code ({@code HiQ.extra(key, value)}) is allowed to carry into the
 * outputs, decided on the attaching thread so that no output (tree, LMK, Jack, OTLP, Prometheus)
 * ever holds the original: a secret-looking key gives {@code ***}; text is kept with
 * {@linkplain SecretValues secret-shaped parts} masked; {@linkplain HarmlessTypes harmless} values
 * are kept as they are; any other object is described by its type and size only (pass
 * {@code String.valueOf(x)} to attach a text on purpose; it is then masked like any text).
 */
public final class CapturedExtras {
    /**
     * Keys are nearly always constants ({@code "path"}, {@code "status"}): their verdict is
     * remembered, so a request does not run the name pattern per extra. Bounded, since code may
     * build keys from data.
     */
    private static final int MAX_CACHED_KEYS = 1024;
    private static final ConcurrentHashMap<String, Boolean> SECRET_KEY = new ConcurrentHashMap<>();

    private CapturedExtras() {}

    /** The value to store for extra {@code key}. */
    public static Object value(String key, Object value) {
        if (secretKey(key)) return SecretValues.MASK;
        if (value instanceof String s) return SecretValues.mask(s);
        if (value instanceof CharSequence s) return SecretValues.mask(s.toString());
        if (value instanceof Enum<?> e) return e.name(); // its toString is the application's
        if (HarmlessTypes.harmless(value)) return value;
        return HarmlessTypes.describe(value);
    }

    private static boolean secretKey(String key) {
        if (key == null) return false;
        Boolean known = SECRET_KEY.get(key);
        if (known != null) return known;
        boolean secret = SecretNames.isSecret(key);
        if (SECRET_KEY.size() < MAX_CACHED_KEYS) SECRET_KEY.put(key, secret);
        return secret;
    }
}
