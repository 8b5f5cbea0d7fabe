package io.hiq.core.sink;

import io.hiq.core.spi.TreeSink;
import io.hiq.tree.HiQTree;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The in-process store behind {@code show()}: the last {@code maxTrees} completed trees (the Python
 * {@code max_hiq_size}); older ones are forgotten first.
 */
public final class TreeStore implements TreeSink {
    private final int maxTrees;
    private final ArrayDeque<HiQTree> trees = new ArrayDeque<>();

    public TreeStore(int maxTrees) {
        if (maxTrees < 0) throw new IllegalArgumentException("max trees: " + maxTrees + " < 0");
        this.maxTrees = maxTrees;
    }

    @Override
    public synchronized void accept(HiQTree tree) {
        if (maxTrees == 0) return;
        if (trees.size() == maxTrees) trees.removeFirst();
        trees.addLast(tree);
    }

    @Override
    public boolean wantsTrees() { return maxTrees > 0; }

    /** The kept trees, oldest first. */
    public synchronized List<HiQTree> trees() { return new ArrayList<>(trees); }

    /** Forgets every kept tree. */
    public synchronized void clear() { trees.clear(); }
}
