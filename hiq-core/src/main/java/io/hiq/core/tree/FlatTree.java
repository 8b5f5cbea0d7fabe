package io.hiq.core.tree;

import io.hiq.tree.HiQNode;
import io.hiq.tree.HiQTree;
import io.hiq.tree.TreeView;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One tree under assembly in parallel arrays (struct of arrays), nodes in pre-order: no object per
 * node. The assembler keeps it while the root is open, hands it to the sinks as a {@link TreeView}
 * when the root closes, then clears it and reuses it for a later root: in steady state a tree costs
 * no garbage at all unless a sink asks for objects ({@link #toTree()}) or a node carries extras.
 *
 * <p>Nodes are appended as calls start; a call that closes fixes its {@link #subtreeEnd(int)}. The
 * node that has just closed is a leaf exactly when it is the last one appended, which is what lets
 * concise mode drop a zero-span leaf by shortening the arrays. Trees that need what the arrays do not
 * hold (folded calls past the node cap, partial trees, async grafting, several metrics) are turned
 * into {@link HiQNode}s by {@link #materialise()} and finish on the object path.
 *
 * <p>Single-threaded (the assembler's thread); a view is valid only during the sink call.
 */
final class FlatTree implements TreeView {
    private String[] names = new String[16];
    private long[] starts = new long[16];
    private long[] ends = new long[16];
    private long[] valueStarts = new long[16];
    private long[] valueEnds = new long[16];
    private int[] parents = new int[16];
    /** 0 while the node is open. */
    private int[] subtreeEnds = new int[16];
    /** Null, a tag's static extra (shared, copied before the first write), or the node's own map. */
    private Map<String, Object>[] extras = newMaps(16);
    private boolean[] ownExtra = new boolean[16];
    private int count;

    String id;
    String service;
    String host;
    long pid;
    String thread;
    String metric;
    String unit;
    long overheadNs;
    long dropped;
    String mode;
    boolean truncated;
    boolean broken;

    @SuppressWarnings("unchecked")
    private static Map<String, Object>[] newMaps(int n) { return (Map<String, Object>[]) new Map[n]; }

    /** Appends an open node under {@code parent} (-1 for the root); returns its index. */
    int add(String name, long start, long valueStart, int parent, Map<String, Object> staticExtra) {
        if (count == names.length) grow();
        int i = count++;
        names[i] = name;
        starts[i] = start;
        valueStarts[i] = valueStart;
        ends[i] = 0;
        valueEnds[i] = 0;
        parents[i] = parent;
        subtreeEnds[i] = 0;
        extras[i] = staticExtra == null || staticExtra.isEmpty() ? null : staticExtra;
        ownExtra[i] = false;
        return i;
    }

    /** Closes node {@code i}: its subtree is everything appended since it started. */
    void close(int i, long end, long valueEnd) {
        ends[i] = end;
        valueEnds[i] = valueEnd;
        subtreeEnds[i] = count;
    }

    void putExtra(int i, String key, Object value) {
        Map<String, Object> m = extras[i];
        if (!ownExtra[i]) {
            // a tag's static extra is shared by all its nodes: copied (in its order) before the first write
            m = m == null ? new LinkedHashMap<>(4) : new LinkedHashMap<>(m);
            extras[i] = m;
            ownExtra[i] = true;
        }
        m.put(key, value);
    }

    boolean hasExtra(int i) { return extras[i] != null && !extras[i].isEmpty(); }

    /** Whether node {@code i} is the last appended (for a node that has just closed: whether it is a leaf). */
    boolean isLast(int i) { return i == count - 1; }

    /** Forgets the last node (concise pruning of a zero-span leaf). */
    void removeLast() {
        int i = --count;
        names[i] = null;
        extras[i] = null;
        int p = parents[i];
        // a closed parent never has a child removed (only the node that has just closed is pruned)
        if (p >= 0 && subtreeEnds[p] > count) subtreeEnds[p] = count;
    }

    long valueStartOf(int i) { return valueStarts[i]; }

    /** Clears the tree for reuse; drops references so that nothing outlives its tree. */
    void clear() {
        Arrays.fill(names, 0, count, null);
        Arrays.fill(extras, 0, count, null);
        count = 0;
        id = null;
        thread = null;
        truncated = false;
        broken = false;
        dropped = 0;
        overheadNs = 0;
    }

    /**
     * The same tree as {@link HiQNode}s: closed nodes closed, open ones not (as the object path
     * builds them); element {@code i} is node {@code i}. The arrays are left as they are.
     */
    HiQNode[] materialise() {
        HiQNode[] out = new HiQNode[count];
        for (int i = 0; i < count; i++) {
            HiQNode n = new HiQNode(names[i], starts[i], valueStarts[i]);
            if (subtreeEnds[i] != 0) n.close(ends[i], valueEnds[i]);
            Map<String, Object> e = extras[i];
            if (e != null) e.forEach(n::putExtra);
            if (parents[i] >= 0) out[parents[i]].addChild(n);
            out[i] = n;
        }
        return out;
    }

    private void grow() {
        int n = names.length * 2;
        names = Arrays.copyOf(names, n);
        starts = Arrays.copyOf(starts, n);
        ends = Arrays.copyOf(ends, n);
        valueStarts = Arrays.copyOf(valueStarts, n);
        valueEnds = Arrays.copyOf(valueEnds, n);
        parents = Arrays.copyOf(parents, n);
        subtreeEnds = Arrays.copyOf(subtreeEnds, n);
        extras = Arrays.copyOf(extras, n);
        ownExtra = Arrays.copyOf(ownExtra, n);
    }

    /** Capacity of the arrays (tests: a long root does not keep growing them). */
    int capacity() { return names.length; }

    /** One pass over the arrays (parents are known): the objects shared by the sinks that keep them. */
    @Override
    public HiQTree toTree() {
        return HiQTree.builder()
                .id(id).service(service).host(host).pid(pid).thread(thread).metric(metric).unit(unit)
                .overheadNs(overheadNs).dropped(dropped).mode(mode).truncated(truncated).broken(broken)
                .root(materialise()[0]).build();
    }

    @Override public String id() { return id; }
    @Override public String service() { return service; }
    @Override public String host() { return host; }
    @Override public long pid() { return pid; }
    @Override public String thread() { return thread; }
    @Override public String metric() { return metric; }
    @Override public String unit() { return unit; }
    @Override public long overheadNs() { return overheadNs; }
    @Override public long dropped() { return dropped; }
    @Override public String mode() { return mode; }
    @Override public boolean truncated() { return truncated; }
    @Override public boolean partial() { return false; }
    @Override public boolean broken() { return broken; }
    @Override public String partOf() { return null; }
    @Override public int nodeCount() { return count; }
    @Override public String name(int i) { return names[i]; }
    @Override public long start(int i) { return starts[i]; }
    @Override public long end(int i) { return ends[i]; }
    @Override public long valueStart(int i) { return valueStarts[i]; }
    @Override public long valueEnd(int i) { return valueEnds[i]; }
    @Override public Map<String, Object> extraOrNull(int i) { return extras[i]; }
    @Override public Map<String, long[]> valuesOrNull(int i) { return null; }
    @Override public int subtreeEnd(int i) { return subtreeEnds[i]; }
}
