package io.hiq.consumer.store;

import io.hiq.tree.HiQTree;

/**
 * A decoded, validated tree with the exact bytes it arrived as (what {@code /api/trees/{id}} serves).
 */
public record StoredTree(HiQTree tree, String json) {}
