package io.hiq.core.tree;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The calls of one tag folded into one kept node once a tree reached its node cap
 * ({@code HIQ_MAX_NODES}): how many, their total and their largest span (in the tree's metric unit).
 * Written into the node's {@code extra} as {@code "folded":{"<tag>":{"count":…,"total":…,"max":…}}}
 * when the tree is emitted (docs/FORMATS.md §1.2).
 */
final class FoldedCalls {
    long count;
    long total;
    long max = Long.MIN_VALUE;

    void add(long span) {
        count++;
        total += span;
        if (span > max) max = span;
    }

    /** The wire form: plain longs, so every sink and reader sees ordinary JSON numbers. */
    Map<String, Object> toExtra() {
        Map<String, Object> m = new LinkedHashMap<>(4);
        m.put("count", count);
        m.put("total", total);
        m.put("max", max);
        return m;
    }
}
