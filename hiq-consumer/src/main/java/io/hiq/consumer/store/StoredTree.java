package io.hiq.consumer.store;

import io.hiq.tree.HiQTree;
import java.nio.charset.StandardCharsets;

/**
 * A decoded, validated tree with the exact bytes it arrived as (what {@code /api/trees/{id}} serves):
 * as text and as UTF-8 ({@code utf8}: what H2 stores; the record's own array when it needed no
 * trimming, so no copy is made).
 */
public record StoredTree(HiQTree tree, String json, byte[] utf8) {
    /** From the JSON text alone (the bytes are its UTF-8 encoding). */
    public StoredTree(HiQTree tree, String json) {
        this(tree, json, json.getBytes(StandardCharsets.UTF_8));
    }
}
