package io.hiq.consumer.store;

import io.hiq.tree.TreeFacts;
import java.nio.charset.StandardCharsets;

/**
 * A decoded, validated tree — what the store keeps of it ({@link TreeFacts}: a compact copy, no
 * tree model) — with the exact bytes it arrived as (what {@code /api/trees/{id}} serves):
 * as text and as UTF-8 ({@code utf8}: what H2 stores; the record's own array when it needed no
 * trimming, so no copy is made).
 */
public record StoredTree(TreeFacts facts, String json, byte[] utf8) {
    /** From the JSON text alone (the bytes are its UTF-8 encoding). */
    public StoredTree(TreeFacts facts, String json) {
        this(facts, json, json.getBytes(StandardCharsets.UTF_8));
    }
}
