package io.hiq.tree;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A {@link HiQTree} laid out in pre-order arrays, as the assembler (hiq-core's {@code FlatTree})
 * hands trees to sinks that read views: for tests and benchmarks that encode views or feed Jack
 * without an assembler (hiq-tree's test jar, used by hiq-jack's tests and hiq-bench).
 */
public final class ArrayTreeView implements TreeView {
    private final HiQTree t;
    private final String[] names;
    private final long[] starts;
    private final long[] ends;
    private final long[] valueStarts;
    private final long[] valueEnds;
    private final int[] subtreeEnds;
    private final List<Map<String, Object>> extras = new ArrayList<>();

    public ArrayTreeView(HiQTree t) {
        this.t = t;
        int n = t.root().size();
        names = new String[n];
        starts = new long[n];
        ends = new long[n];
        valueStarts = new long[n];
        valueEnds = new long[n];
        subtreeEnds = new int[n];
        // pre-order without recursion: a traced recursion's tree is as deep as it is large
        java.util.ArrayDeque<HiQNode> todo = new java.util.ArrayDeque<>();
        java.util.ArrayDeque<Integer> open = new java.util.ArrayDeque<>();
        int[] parent = new int[n];
        todo.push(t.root());
        java.util.ArrayDeque<Integer> parents = new java.util.ArrayDeque<>();
        parents.push(-1);
        int i = 0;
        while (!todo.isEmpty()) {
            HiQNode node = todo.pop();
            int p = parents.pop();
            names[i] = node.name();
            starts[i] = node.start();
            ends[i] = node.end();
            valueStarts[i] = node.valueStart();
            valueEnds[i] = node.valueEnd();
            extras.add(node.hasExtra() ? node.extra() : null);
            parent[i] = p;
            List<HiQNode> children = node.children();
            for (int c = children.size() - 1; c >= 0; c--) {
                todo.push(children.get(c));
                parents.push(i);
            }
            i++;
        }
        // a node's subtree ends where the first later node that is not its descendant starts
        java.util.Arrays.fill(subtreeEnds, n);
        open.push(0);
        for (int k = 1; k < n; k++) {
            while (open.peek() != parent[k]) subtreeEnds[open.pop()] = k;
            open.push(k);
        }
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
