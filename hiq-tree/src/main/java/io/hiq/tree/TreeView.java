package io.hiq.tree;

import java.util.Map;

/**
 * A completed HiQ tree read in place, without {@link HiQNode} objects: the tree's fields and its
 * nodes by index, in pre-order (index 0 is the root; a node's children follow it, each followed by
 * its own subtree; {@link #subtreeEnd(int)} is the index just past a node's last descendant).
 *
 * <p>The tree assembler hands such a view to the sinks that can read it (Jack encodes it straight
 * into bytes with {@link TreeJsonWriter#encode(TreeView, int)}): no object per node is made when no
 * sink asks for one. A view is only valid during the call it is handed to; {@link #toTree()} copies
 * it into a {@link HiQTree} that may be kept.
 */
public interface TreeView {
    String id();
    String service();
    String host();
    long pid();
    String thread();
    /** The tree's (first) metric. */
    String metric();
    /** Unit of the metric's readings. */
    String unit();
    long overheadNs();
    long dropped();
    /** May be null. */
    String mode();
    boolean truncated();
    boolean partial();
    boolean broken();
    /** May be null. */
    String partOf();

    /** Number of nodes (at least 1, the root). */
    int nodeCount();
    String name(int node);
    /** Wall-clock start, microseconds since the epoch. */
    long start(int node);
    long end(int node);
    long valueStart(int node);
    long valueEnd(int node);
    /** The node's extra information, or null when it has none. Read-only. */
    Map<String, Object> extraOrNull(int node);
    /** The node's multi-metric readings (metric → {start, end}), or null. Read-only. */
    Map<String, long[]> valuesOrNull(int node);
    /** The index just past {@code node}'s last descendant ({@code node + 1} for a leaf). */
    int subtreeEnd(int node);

    /**
     * Copies the view into a {@link HiQTree} of its own (the objects a sink may keep). Iterative: a
     * tree as deep as its node count (a traced recursion) does not overflow the caller's stack.
     */
    default HiQTree toTree() {
        int n = nodeCount();
        HiQNode[] made = new HiQNode[n];
        // pre-order: the open ancestors of node i are on the stack; pop those whose subtree ended
        int[] stack = new int[Math.max(1, n)];
        int top = 0;
        for (int i = 0; i < n; i++) {
            HiQNode node = HiQNode.of(name(i), start(i), end(i), valueStart(i), valueEnd(i));
            Map<String, Object> extra = extraOrNull(i);
            if (extra != null) extra.forEach(node::putExtra);
            Map<String, long[]> values = valuesOrNull(i);
            if (values != null) values.forEach((k, se) -> node.putValues(k, se[0], se[1]));
            while (top > 0 && subtreeEnd(stack[top - 1]) <= i) top--;
            if (top > 0) made[stack[top - 1]].addChild(node);
            made[i] = node;
            stack[top++] = i;
        }
        return HiQTree.builder()
                .id(id()).service(service()).host(host()).pid(pid()).thread(thread())
                .metric(metric()).unit(unit()).overheadNs(overheadNs()).dropped(dropped()).mode(mode())
                .truncated(truncated()).partial(partial()).broken(broken()).partOf(partOf())
                .root(made[0]).build();
    }
}
