package io.hiq.core.tree;

import io.hiq.tree.HiQTree;
import io.hiq.tree.TreeCodec;
import io.hiq.tree.TreeFormatException;

/** Encodes and decodes a tree, as a consumer would see it. */
final class TreeCodecRoundTrip {
    private TreeCodecRoundTrip() {}

    static HiQTree of(HiQTree t) {
        try {
            return TreeCodec.decode(TreeCodec.encode(t));
        } catch (TreeFormatException e) {
            throw new AssertionError(e);
        }
    }
}
