package io.hiq.jack.spool;

import io.hiq.jack.publisher.EncodedTree;
import java.util.List;

/**
 * Consecutive records read from the spool for replay, and the position just after the last one:
 * committing that position marks them delivered.
 */
public record SpoolChunk(List<EncodedTree> trees, SpoolPosition end) {
    public SpoolChunk {
        trees = List.copyOf(trees);
    }

    public int size() { return trees.size(); }
}
