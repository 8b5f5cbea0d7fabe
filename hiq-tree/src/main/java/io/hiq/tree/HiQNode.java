package io.hiq.tree;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One span of a HiQ tree: a traced call with its wall-clock start and end, the metric's own
 * readings at start and end, extra information, and the calls it made, in call order.
 *
 * <p>A HiQ tree is strictly insertion-time ordered (user guide §2.6): children are kept in the
 * order they started and are never re-sorted. Nodes are mutable while a tree is being assembled
 * and are treated as read-only once the tree is complete.
 */
public final class HiQNode {
    private final String name;
    private long start;
    private long end;
    private long valueStart;
    private long valueEnd;
    private Map<String, Object> extra;
    private Map<String, long[]> values;
    /** Null until the first child: most nodes are leaves, and trees are built at high rates. */
    private List<HiQNode> children;

    /**
     * @param name the node's tag
     * @param start wall-clock start, microseconds since the epoch
     * @param valueStart the metric's reading at start
     */
    public HiQNode(String name, long start, long valueStart) {
        this.name = Objects.requireNonNull(name, "name");
        this.start = start;
        this.valueStart = valueStart;
    }

    /** Creates a closed node in one go (decoding, tests). */
    public static HiQNode of(String name, long start, long end, long valueStart, long valueEnd) {
        HiQNode n = new HiQNode(name, start, valueStart);
        n.close(end, valueEnd);
        return n;
    }

    /** Closes the node with its end time and end reading. */
    public void close(long end, long valueEnd) {
        this.end = end;
        this.valueEnd = valueEnd;
    }

    public String name() { return name; }

    /** Wall-clock start, microseconds since the epoch. */
    public long start() { return start; }

    /** Wall-clock end, microseconds since the epoch. */
    public long end() { return end; }

    public long valueStart() { return valueStart; }

    public long valueEnd() { return valueEnd; }

    /** The metric's delta: {@code valueEnd - valueStart} (for time: nanoseconds). */
    public long span() { return valueEnd - valueStart; }

    /** Extra information (exception, arguments, business key/values); empty when none. */
    public Map<String, Object> extra() {
        return extra == null ? Collections.emptyMap() : Collections.unmodifiableMap(extra);
    }

    /** Whether this node carries extra information. */
    public boolean hasExtra() { return extra != null && !extra.isEmpty(); }

    /** Adds one extra key/value (last write wins). */
    public HiQNode putExtra(String key, Object value) {
        if (extra == null) extra = new LinkedHashMap<>(4);
        extra.put(key, value);
        return this;
    }

    /**
     * Readings of every metric when a tree records several: metric name → {start, end}.
     * Empty when the tree records one metric only.
     */
    public Map<String, long[]> values() {
        return values == null ? Collections.emptyMap() : Collections.unmodifiableMap(values);
    }

    /** Records one metric's start and end readings (multi-metric trees). */
    public HiQNode putValues(String metric, long startValue, long endValue) {
        if (values == null) values = new LinkedHashMap<>(4);
        values.put(metric, new long[] {startValue, endValue});
        return this;
    }

    public List<HiQNode> children() { return children == null ? List.of() : Collections.unmodifiableList(children); }

    /** Whether this node has no children (without building a view of them). */
    public boolean isLeaf() { return children == null || children.isEmpty(); }

    public HiQNode addChild(HiQNode child) {
        if (children == null) children = new ArrayList<>(4);
        children.add(Objects.requireNonNull(child, "child"));
        return this;
    }

    /** Replaces the children (concise mode prunes zero-span leaves with it); order is kept as given. */
    public void replaceChildren(List<HiQNode> kept) {
        children = kept.isEmpty() ? null : new ArrayList<>(kept);
    }

    /**
     * Removes {@code child} (by identity), searching from the last child: the assembler removes a
     * call that has just closed, which is almost always the last one. Returns whether it was there.
     */
    public boolean removeChild(HiQNode child) {
        if (children == null) return false;
        for (int i = children.size() - 1; i >= 0; i--) {
            if (children.get(i) == child) {
                children.remove(i); // the list is kept: the next call of a loop reuses it
                return true;
            }
        }
        return false;
    }

    /** Number of nodes in this subtree, this one included. */
    public int size() {
        int n = 1;
        if (children != null) for (HiQNode c : children) n += c.size();
        return n;
    }

    /** The extra map itself, or null (the writer reads it without a wrapper per node). */
    Map<String, Object> extraOrNull() { return extra; }

    /** The multi-metric readings themselves, or null. */
    Map<String, long[]> valuesOrNull() { return values; }

    /** The children list itself, or null for a leaf. */
    List<HiQNode> childrenOrNull() { return children; }

    @Override
    public String toString() {
        return name + "(" + span() + ")" + (children == null ? "" : children.toString());
    }
}
