package io.hiq.tree;

import java.util.Objects;

/**
 * One completed HiQ tree: a root call on one thread of one process, with everything it called that
 * was traced. This is the unit Jack publishes, the consumer stores and {@code show()} prints; its
 * wire form is the {@code hiq.tree/1} JSON object of DESIGN B4 ({@link TreeCodec}).
 */
public final class HiQTree {
    /** The only schema this version reads and writes. */
    public static final String SCHEMA = "hiq.tree/1";

    private final String id;
    private final String service;
    private final String host;
    private final long pid;
    private final String thread;
    private final String metric;
    private final String unit;
    private final long overheadNs;
    private final long dropped;
    private final String mode;
    private final HiQNode root;
    private final boolean truncated;
    private final boolean partial;
    private final boolean broken;
    private final String partOf;

    private HiQTree(Builder b) {
        this.id = Objects.requireNonNull(b.id, "id");
        this.service = Objects.requireNonNull(b.service, "service");
        this.host = Objects.requireNonNull(b.host, "host");
        this.pid = b.pid;
        this.thread = Objects.requireNonNull(b.thread, "thread");
        this.metric = Objects.requireNonNull(b.metric, "metric");
        this.unit = Objects.requireNonNull(b.unit, "unit");
        this.overheadNs = b.overheadNs;
        this.dropped = b.dropped;
        this.mode = b.mode;
        this.root = Objects.requireNonNull(b.root, "root");
        this.truncated = b.truncated;
        this.partial = b.partial;
        this.broken = b.broken;
        this.partOf = b.partOf;
        if (partOf != null && partOf.isEmpty()) throw new IllegalArgumentException("part_of: empty");
    }

    public static Builder builder() { return new Builder(); }

    public String id() { return id; }
    public String service() { return service; }
    public String host() { return host; }
    public long pid() { return pid; }
    public String thread() { return thread; }
    /** The tree's (first) metric: {@code time}, {@code memory}, … */
    public String metric() { return metric; }
    /** Unit of the metric's readings: {@code ns}, {@code bytes}, {@code ms}, … */
    public String unit() { return unit; }
    /** HiQ's own estimated cost while recording this tree, in nanoseconds. */
    public long overheadNs() { return overheadNs; }
    /** Trees of the same thread dropped (full ring and buffer) since the previous tree. */
    public long dropped() { return dropped; }
    /** {@code concise}, {@code verbose} or {@code debug}; may be null for trees from other producers. */
    public String mode() { return mode; }
    public HiQNode root() { return root; }
    /** The node cap ({@code HIQ_MAX_NODES}) was hit: calls beyond it were folded into counted summaries. */
    public boolean truncated() { return truncated; }
    /** A long-lived root emitted before it closed: later partial trees of the same root may follow. */
    public boolean partial() { return partial; }
    /** Recording was repaired after an error (an unmatched exit, a thread that died mid-root). */
    public boolean broken() { return broken; }
    /**
     * For a {@link #partial()} tree, the id of the final tree of the same root (which carries the
     * root's real end and the children not emitted before); null otherwise.
     */
    public String partOf() { return partOf; }

    /** Latency of the root in milliseconds, from wall-clock microseconds. */
    public double latencyMs() { return (root.end() - root.start()) / 1000.0; }

    @Override
    public String toString() { return "HiQTree{" + id + ", " + root + "}"; }

    /** Builds a {@link HiQTree}; every field but {@code mode}, {@code overheadNs} and {@code dropped} is required. */
    public static final class Builder {
        private String id;
        private String service;
        private String host;
        private long pid;
        private String thread;
        private String metric = "time";
        private String unit = "ns";
        private long overheadNs;
        private long dropped;
        private String mode;
        private HiQNode root;
        private boolean truncated;
        private boolean partial;
        private boolean broken;
        private String partOf;

        private Builder() {}

        public Builder id(String v) { id = v; return this; }
        public Builder service(String v) { service = v; return this; }
        public Builder host(String v) { host = v; return this; }
        public Builder pid(long v) { pid = v; return this; }
        public Builder thread(String v) { thread = v; return this; }
        public Builder metric(String v) { metric = v; return this; }
        public Builder unit(String v) { unit = v; return this; }
        public Builder overheadNs(long v) { overheadNs = v; return this; }
        public Builder dropped(long v) { dropped = v; return this; }
        public Builder mode(String v) { mode = v; return this; }
        public Builder root(HiQNode v) { root = v; return this; }
        public Builder truncated(boolean v) { truncated = v; return this; }
        public Builder partial(boolean v) { partial = v; return this; }
        public Builder broken(boolean v) { broken = v; return this; }
        public Builder partOf(String v) { partOf = v; return this; }
        public HiQTree build() { return new HiQTree(this); }
    }
}
