package io.hiq.consumer.store;

import io.hiq.tree.TreeFacts;
import java.nio.charset.StandardCharsets;

/**
 * A decoded, validated tree — what the store keeps of it ({@link TreeFacts}: a compact copy, no
 * tree model) — with the exact UTF-8 bytes it arrived as (what {@code /api/trees/{id}} serves): the
 * record's own array when it needed no trimming, so no copy is made. No text copy is kept: a
 * batch of 10 000 trees would hold ~14 MB of strings only to compare redeliveries, which compare
 * bytes.
 */
public record StoredTree(TreeFacts facts, byte[] utf8) {
    /** The JSON as text (made on each call: for tests and error paths). */
    public String json() { return new String(utf8, StandardCharsets.UTF_8); }

    /** Whether {@code other} holds the same bytes. */
    public boolean sameBytes(byte[] other) { return java.util.Arrays.equals(utf8, other); }
}
