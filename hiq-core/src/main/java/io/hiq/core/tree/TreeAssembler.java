package io.hiq.core.tree;

import io.hiq.core.event.SpanBatch;
import io.hiq.core.event.ExtraValue;
import io.hiq.core.event.TagRegistry;
import io.hiq.core.metric.Metric;
import io.hiq.core.spi.SpanEventHandler;
import io.hiq.core.spi.TreeSink;
import io.hiq.tree.HiQNode;
import io.hiq.tree.HiQTree;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongUnaryOperator;

/**
 * Turns the ring's span records back into {@link HiQTree}s, on the ring's consumer thread: one stack
 * per application thread; ENTER pushes a node, EXIT pops and closes it, EXTRA annotates the open
 * node; a closed root is pruned by the {@link Mode}, stamped, and handed to every {@link TreeSink}.
 *
 * <p>Single-threaded by construction (one Disruptor handler), so its maps need no locking.
 */
public final class TreeAssembler implements SpanEventHandler {
    private final TagRegistry tags;
    private final List<Metric> metrics;
    private final int[] extraIndex;
    private final Mode mode;
    private final String service;
    private final String host;
    private final long pid;
    private final LongUnaryOperator epochMicros;
    private final long anchorNanos;
    private final List<TreeSink> sinks;
    private final AtomicLong published;
    private final AtomicLong trees;
    private final String idPrefix;
    private long idCounter;
    private volatile long overheadPerRecordNs;

    private final Map<Long, Open> open = new HashMap<>();
    /** The last batch's thread and its open root: consecutive batches of one thread skip the map. */
    private long lastThread = -1;
    private Open lastOpen;
    /** Trees each thread dropped that no tree has reported yet: the next tree of that thread does. */
    private final Map<Long, Long> pendingDrops = new HashMap<>();

    /** One application thread's unfinished root. */
    private static final class Open {
        final ArrayDeque<HiQNode> stack = new ArrayDeque<>();
        HiQNode root;
        int records;
    }

    /**
     * @param metrics     the recorded metrics, in record order; the first is the trees' metric
     * @param epochMicros converts a {@link System#nanoTime()} reading to epoch microseconds
     * @param anchorNanos the run's {@code nanoTime} anchor ({@code time} values are relative to it)
     * @param published   counts records received (the MBean's {@code Published})
     * @param trees       counts trees completed (the MBean's {@code Trees})
     */
    public TreeAssembler(TagRegistry tags, List<Metric> metrics, Mode mode, String service, String host, long pid,
                         LongUnaryOperator epochMicros, long anchorNanos, List<TreeSink> sinks,
                         AtomicLong published, AtomicLong trees) {
        this.tags = tags;
        this.metrics = List.copyOf(metrics);
        this.extraIndex = new int[metrics.size()];
        int k = 0;
        for (int i = 0; i < metrics.size(); i++) extraIndex[i] = metrics.get(i) == Metric.TIME ? -1 : k++;
        this.mode = mode;
        this.service = service;
        this.host = host;
        this.pid = pid;
        this.epochMicros = epochMicros;
        this.anchorNanos = anchorNanos;
        this.sinks = sinks;
        this.published = published;
        this.trees = trees;
        this.idPrefix = String.format("%08x%08x-", ThreadLocalRandom.current().nextInt(), (int) pid);
    }

    /** Sets HiQ's estimated cost per record, used for {@code overhead_ns} (calibrated at start). */
    public void overheadPerRecordNs(long ns) { this.overheadPerRecordNs = ns; }

    @Override
    public void onBatch(SpanBatch b, boolean endOfBatch) {
        long tid = b.threadId();
        Open o = lastThread == tid && lastOpen != null ? lastOpen : open.get(tid);
        if (b.abortOpen() && o != null) {
            open.remove(tid);
            o = null;
        }
        if (b.droppedTrees() > 0) pendingDrops.merge(tid, b.droppedTrees(), Long::sum);
        int n = b.size();
        for (int i = 0; i < n; i++) {
            int kind = b.kind(i);
            if (kind == SpanBatch.ENTER) {
                if (o == null) {
                    o = new Open();
                    open.put(tid, o);
                }
                io.hiq.core.event.Tag tag = tags.get(b.tagId(i));
                HiQNode node = new HiQNode(tag == null ? tags.name(b.tagId(i)) : tag.name(), epochMicros.applyAsLong(b.nanoTime(i)), value(b, i, 0));
                if (tag != null && !tag.staticExtra().isEmpty()) tag.staticExtra().forEach(node::putExtra);
                if (metrics.size() > 1) {
                    // the multi-metric form: every node carries every metric's readings
                    for (int m = 0; m < metrics.size(); m++) {
                        long v = value(b, i, m);
                        node.putValues(metrics.get(m).label(), v, v);
                    }
                }
                if (o.stack.isEmpty()) o.root = node;
                else o.stack.peek().addChild(node);
                o.stack.push(node);
                o.records++;
            } else if (kind == SpanBatch.EXIT) {
                if (o == null || o.stack.isEmpty()) continue; // its ENTER was dropped with an aborted root
                HiQNode node = o.stack.pop();
                node.close(epochMicros.applyAsLong(b.nanoTime(i)), value(b, i, 0));
                if (metrics.size() > 1) {
                    for (int m = 0; m < metrics.size(); m++) {
                        String label = metrics.get(m).label();
                        node.putValues(label, node.values().get(label)[0], value(b, i, m));
                    }
                }
                Throwable t = b.thrown(i);
                if (t != null) node.putExtra("exception", t.getClass().getName() + ": " + t.getMessage());
                o.records++;
                if (o.stack.isEmpty()) {
                    complete(o, b.threadName(), tid);
                    open.remove(tid);
                    o = null;
                }
            } else if (kind == SpanBatch.EXTRA) {
                if (o != null && !o.stack.isEmpty() && b.ref(i) instanceof ExtraValue ev) {
                    o.stack.peek().putExtra(ev.key(), ev.value());
                }
                if (o != null) o.records++;
            }
        }
        lastThread = tid;
        lastOpen = o;
        published.addAndGet(n);
        if (endOfBatch) {
            for (TreeSink s : sinks) s.endOfBatch();
        }
    }

    private long value(SpanBatch b, int i, int m) {
        int k = extraIndex[m];
        return k < 0 ? b.nanoTime(i) - anchorNanos : b.extraValue(i, k);
    }

    private void complete(Open o, String threadName, long threadId) {
        HiQNode root = o.root;
        Long dropped = pendingDrops.isEmpty() ? null : pendingDrops.remove(threadId);
        if (mode == Mode.CONCISE) prune(root, metrics.get(0).zeroSpanThreshold());
        long overhead = o.records * overheadPerRecordNs;
        if (mode == Mode.DEBUG) {
            root.putExtra("thread_id", threadId);
            root.putExtra("records", (long) o.records);
        }
        HiQTree tree = HiQTree.builder()
                .id(idPrefix + Long.toHexString(++idCounter))
                .service(service).host(host).pid(pid).thread(threadName)
                .metric(metrics.get(0).label()).unit(metrics.get(0).unit())
                .overheadNs(overhead).dropped(dropped == null ? 0 : dropped).mode(mode.label())
                .root(root).build();
        trees.incrementAndGet();
        for (TreeSink s : sinks) {
            try {
                s.accept(tree);
            } catch (RuntimeException e) {
                System.err.println("hiq: a tree sink failed and goes on: " + e);
            }
        }
    }

    /** Removes zero-span leaves without extra information, bottom-up; the root always stays. */
    static void prune(HiQNode node, long threshold) {
        List<HiQNode> keep = new ArrayList<>(node.children().size());
        boolean changed = false;
        for (HiQNode c : node.children()) {
            prune(c, threshold);
            if (c.children().isEmpty() && !c.hasExtra() && Math.abs(c.span()) < threshold) changed = true;
            else keep.add(c);
        }
        if (changed) node.replaceChildren(keep);
    }
}
