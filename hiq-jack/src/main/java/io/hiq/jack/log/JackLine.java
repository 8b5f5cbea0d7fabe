package io.hiq.jack.log;

import java.nio.charset.StandardCharsets;

/**
 * A tree's B4 JSON travelling through logback as the argument of a log event: Jack's encoder
 * writes the bytes as they are (no String round trip); a user-supplied pattern ({@code %msg}) sees
 * the JSON text through {@link #toString}.
 */
public record JackLine(byte[] json) {
    @Override
    public String toString() { return new String(json, StandardCharsets.UTF_8); }
}
