package io.hiq.tree;

import java.util.Arrays;
import java.util.List;

/**
 * What a store keeps of a tree, decoded without building the {@link HiQTree} model: the tree's id,
 * service, metric and {@code partial} flag, its root's tag, start and end, and for every node, in
 * pre-order (the root first, then each child's subtree in call order): its tag, start (µs),
 * span ({@code value_end - value_start}) and parent.
 *
 * <p>Two kinds of instance. A <b>holder</b> ({@code new TreeFacts()}) is filled by {@link #read}
 * record after record, its arrays grown as needed and reused, with a small cache that gives
 * repeated tags (and services) one {@code String}: decoding a typical record allocates the id's
 * string and nothing per node. A holder is not thread-safe. A <b>copy</b> ({@link #copy}) is an
 * immutable, exactly-sized snapshot of the holder's current record (what a batch keeps, since the
 * holder moves on to the next record); it shares the holder's tag strings.
 *
 * <p>{@link #read} accepts exactly the records {@link TreeCodec#decode(byte[])} accepts and rejects
 * the others with the same {@link TreeFormatException} message: a strict byte-level reader handles
 * the usual records; anything it does not handle (an escape in a kept string, a fraction, a
 * duplicate field, any error …) is decoded again by {@link TreeCodec#decode(byte[])}, whose tree
 * or message then decides. So messages (dead-letter reasons) are those of the one decoder.
 */
public final class TreeFacts {
    private String id;
    private String service;
    private String metric;
    private boolean partial;
    private long rootEnd;
    private int size;
    private String[] tags;
    private long[] starts;
    private long[] spans;
    private int[] parents;
    /** Index of each node among its parent's children (holders only: copies derive it from the parents, error paths only). */
    private int[] childIndex;
    private final TreeFactsReader reader;

    /** An empty, reusable holder. */
    public TreeFacts() {
        this.reader = new TreeFactsReader();
        allocate(16);
    }

    private TreeFacts(TreeFacts from) {
        this.reader = null;
        this.id = from.id;
        this.service = from.service;
        this.metric = from.metric;
        this.partial = from.partial;
        this.rootEnd = from.rootEnd;
        this.size = from.size;
        this.tags = Arrays.copyOf(from.tags, size);
        this.starts = Arrays.copyOf(from.starts, size);
        this.spans = Arrays.copyOf(from.spans, size);
        this.parents = Arrays.copyOf(from.parents, size);
        this.childIndex = null;
    }

    private void allocate(int n) {
        tags = new String[n];
        starts = new long[n];
        spans = new long[n];
        parents = new int[n];
        childIndex = new int[n];
    }

    /**
     * Decodes and validates one record into this holder (replacing what it held).
     *
     * @throws TreeFormatException with {@link TreeCodec#decode(byte[])}'s message when that rejects the record
     * @throws IllegalStateException on a {@link #copy}
     */
    public TreeFacts read(byte[] json) throws TreeFormatException {
        if (reader == null) throw new IllegalStateException("a copy is read-only");
        if (json != null && json.length > 0 && reader.read(json, this)) return this;
        reader.fallbacks++;
        return fill(TreeCodec.decode(json));
    }

    /** Fills this holder from a decoded tree (the reference the byte-level reader is tested against). */
    public TreeFacts fill(HiQTree t) {
        if (reader == null) throw new IllegalStateException("a copy is read-only");
        begin();
        id = t.id();
        service = t.service();
        metric = t.metric();
        partial = t.partial();
        rootEnd = t.root().end();
        walk(t.root(), -1, 0);
        return this;
    }

    /** Facts of a tree, as a compact copy. */
    public static TreeFacts of(HiQTree t) { return new TreeFacts().fill(t).copy(); }

    private void walk(HiQNode n, int parent, int index) {
        int me = add(parent, index);
        set(me, n.name(), n.start(), n.valueEnd() - n.valueStart());
        List<HiQNode> children = n.childrenOrNull();
        if (children != null) for (int i = 0; i < children.size(); i++) walk(children.get(i), me, i);
    }

    // --- filled by the reader ---

    void begin() {
        size = 0;
        id = null;
        service = null;
        metric = null;
        partial = false;
    }

    void top(String id, String service, String metric, boolean partial) {
        this.id = id;
        this.service = service;
        this.metric = metric;
        this.partial = partial;
    }

    /** A new node slot (pre-order); its values are set when the node's object is closed. */
    int add(int parent, int index) {
        if (size == tags.length) grow();
        parents[size] = parent;
        childIndex[size] = index;
        return size++;
    }

    void set(int node, String tag, long start, long span) {
        tags[node] = tag;
        starts[node] = start;
        spans[node] = span;
    }

    void rootEnd(long end) { rootEnd = end; }

    private void grow() {
        int n = tags.length * 2;
        tags = Arrays.copyOf(tags, n);
        starts = Arrays.copyOf(starts, n);
        spans = Arrays.copyOf(spans, n);
        parents = Arrays.copyOf(parents, n);
        childIndex = Arrays.copyOf(childIndex, n);
    }

    /** An immutable, exactly-sized copy of the current record (this itself when it is a copy). */
    public TreeFacts copy() { return reader == null ? this : new TreeFacts(this); }

    /** Capacity of the node arrays (a holder that grew for one huge tree may be dropped by its owner). */
    public int capacity() { return tags.length; }

    /** Records this holder could not read at byte level and had {@link TreeCodec#decode(byte[])} decode (tests, benchmarks). */
    public long fallbacks() { return reader == null ? 0 : reader.fallbacks; }

    public String id() { return id; }

    public String service() { return service; }

    /** The tree's (first) metric; {@code time} trees are the ones rolled up. */
    public String metric() { return metric; }

    /** Whether the tree is a partial emission of a long-lived root. */
    public boolean partial() { return partial; }

    /** Number of nodes, the root included. */
    public int size() { return size; }

    public String rootTag() { return tags[0]; }

    /** The root's wall-clock start, µs since the epoch. */
    public long rootStart() { return starts[0]; }

    /** The root's wall-clock end, µs since the epoch. */
    public long rootEnd() { return rootEnd; }

    /** Node {@code i}'s tag ({@code name}); node 0 is the root, the others in pre-order. */
    public String tag(int i) { return tags[checked(i)]; }

    /** Node {@code i}'s wall-clock start, µs since the epoch. */
    public long start(int i) { return starts[checked(i)]; }

    /** Node {@code i}'s span: {@code value_end - value_start} (nanoseconds for {@code time}). */
    public long span(int i) { return spans[checked(i)]; }

    /** Node {@code i}'s parent, -1 for the root. */
    public int parent(int i) { return parents[checked(i)]; }

    /** Field path of node {@code i} in the record, as decode's messages write it: {@code root.children[2].children[0]}. */
    public String path(int i) {
        checked(i);
        int depth = 0;
        for (int k = i; parents[k] >= 0; k = parents[k]) depth++;
        int[] idx = new int[depth];
        for (int k = i, d = depth - 1; parents[k] >= 0; k = parents[k], d--) idx[d] = childIndex(k);
        StringBuilder sb = new StringBuilder("root");
        for (int x : idx) sb.append(".children[").append(x).append(']');
        return sb.toString();
    }

    private int childIndex(int k) {
        if (childIndex != null) return childIndex[k];
        int index = 0;
        for (int j = parents[k] + 1; j < k; j++) if (parents[j] == parents[k]) index++;
        return index;
    }

    private int checked(int i) {
        if (i < 0 || i >= size) throw new IndexOutOfBoundsException("node " + i + " of " + size);
        return i;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("TreeFacts{").append(id).append(", ").append(service).append(", ").append(metric)
                .append(partial ? ", partial" : "").append(", end ").append(rootEnd).append(", [");
        for (int i = 0; i < size; i++) {
            if (i > 0) sb.append(", ");
            sb.append(parents[i]).append('/').append(childIndex(i)).append(' ').append(tags[i]).append('@').append(starts[i])
                    .append('+').append(spans[i]);
        }
        return sb.append("]}").toString();
    }
}
