package io.hiq.web;

import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Request ids for {@code X-Request-ID}: an incoming id is kept when it is a plain token (so a proxy's
 * id follows the request), anything else is replaced by a new random one. The id is stored in the
 * root's extra {@code request_id}, which is how {@code /hiq/{id}} finds the tree.
 */
public final class RequestIds {
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private RequestIds() {}

    /** {@code incoming} when it is 1–64 characters of {@code [A-Za-z0-9._-]}, else a new id. */
    public static String accept(String incoming) {
        return incoming != null && SAFE.matcher(incoming).matches() ? incoming : generate();
    }

    /** A new 16-hex-digit id. */
    public static String generate() {
        // not String.format: this runs once per request
        String hex = Long.toHexString(ThreadLocalRandom.current().nextLong());
        return "0000000000000000".substring(hex.length()) + hex;
    }

    /** Whether {@code id} could be a request or tree id (used to reject junk in {@code /hiq/{id}}). */
    public static boolean plausible(String id) {
        return id != null && SAFE.matcher(id).matches();
    }
}
