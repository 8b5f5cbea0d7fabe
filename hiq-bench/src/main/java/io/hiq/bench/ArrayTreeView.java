package io.hiq.bench;

import io.hiq.tree.HiQNode;
import io.hiq.tree.HiQTree;
import io.hiq.tree.TreeView;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A {@link TreeView} over parallel pre-order arrays, as the assembler's {@code FlatTree} holds a
 * tree (package-private in hiq-core): what Jack encodes on its hot path, built here from a tree.
 */
final class ArrayTreeView implements TreeView {
    private final HiQTree t;
    private final String[] names;
    private final long[] starts;
    private final long[] ends;
    private final long[] valueStarts;
    private final long[] valueEnds;
    private final int[] subtreeEnds;
    private final List<Map<String, Object>> extras = new ArrayList<>();

    ArrayTreeView(HiQTree t) {
        this.t = t;
        int n = t.root().size();
        names = new String[n];
        starts = new long[n];
        ends = new long[n];
        valueStarts = new long[n];
        valueEnds = new long[n];
        subtreeEnds = new int[n];
        add(t.root(), 0);
    }

    private int add(HiQNode node, int i) {
        names[i] = node.name();
        starts[i] = node.start();
        ends[i] = node.end();
        valueStarts[i] = node.valueStart();
        valueEnds[i] = node.valueEnd();
        extras.add(node.hasExtra() ? node.extra() : null);
        int next = i + 1;
        for (HiQNode c : node.children()) next = add(c, next);
        subtreeEnds[i] = next;
        return next;
    }

    @Override public String id() { return t.id(); }
    @Override public String service() { return t.service(); }
    @Override public String host() { return t.host(); }
    @Override public long pid() { return t.pid(); }
    @Override public String thread() { return t.thread(); }
    @Override public String metric() { return t.metric(); }
    @Override public String unit() { return t.unit(); }
    @Override public long overheadNs() { return t.overheadNs(); }
    @Override public long dropped() { return t.dropped(); }
    @Override public String mode() { return t.mode(); }
    @Override public boolean truncated() { return t.truncated(); }
    @Override public boolean partial() { return t.partial(); }
    @Override public boolean broken() { return t.broken(); }
    @Override public String partOf() { return t.partOf(); }
    @Override public int nodeCount() { return names.length; }
    @Override public String name(int i) { return names[i]; }
    @Override public long start(int i) { return starts[i]; }
    @Override public long end(int i) { return ends[i]; }
    @Override public long valueStart(int i) { return valueStarts[i]; }
    @Override public long valueEnd(int i) { return valueEnds[i]; }
    @Override public Map<String, Object> extraOrNull(int i) { return extras.get(i); }
    @Override public Map<String, long[]> valuesOrNull(int i) { return null; }
    @Override public int subtreeEnd(int i) { return subtreeEnds[i]; }
}
