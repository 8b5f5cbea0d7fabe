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

    /** Copies the view into a {@link HiQTree} of its own (the objects a sink may keep). */
    default HiQTree toTree() {
        HiQTree.Builder b = HiQTree.builder()
                .id(id()).service(service()).host(host()).pid(pid()).thread(thread())
                .metric(metric()).unit(unit()).overheadNs(overheadNs()).dropped(dropped()).mode(mode())
                .truncated(truncated()).partial(partial()).broken(broken()).partOf(partOf());
        return b.root(node(this, 0)).build();
    }

    private static HiQNode node(TreeView v, int i) {
        HiQNode n = HiQNode.of(v.name(i), v.start(i), v.end(i), v.valueStart(i), v.valueEnd(i));
        Map<String, Object> extra = v.extraOrNull(i);
        if (extra != null) extra.forEach(n::putExtra);
        Map<String, long[]> values = v.valuesOrNull(i);
        if (values != null) values.forEach((k, se) -> n.putValues(k, se[0], se[1]));
        for (int c = i + 1, end = v.subtreeEnd(i); c < end; c = v.subtreeEnd(c)) n.addChild(node(v, c));
        return n;
    }
}
