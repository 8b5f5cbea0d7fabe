package io.hiq.core.tree;

import io.hiq.core.event.SpanBatch;
import io.hiq.core.event.ExtraValue;
import io.hiq.core.event.TagRegistry;
import io.hiq.core.event.TaskLink;
import io.hiq.core.metric.Metric;
import io.hiq.core.spi.SpanEventHandler;
import io.hiq.core.spi.TreeSink;
import io.hiq.tree.HiQNode;
import io.hiq.tree.HiQTree;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
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
    /** Until the calibration (a second after start) reports, a typical warm figure of this machine class. */
    private volatile long overheadPerRecordNs = 40;

    private final Map<Long, Open> open = new HashMap<>();
    /** The last batch's thread and its open root: consecutive batches of one thread skip the map. */
    private long lastThread = -1;
    private Open lastOpen;
    /** Trees each thread dropped that no tree has reported yet: the next tree of that thread does. */
    private final Map<Long, Long> pendingDrops = new HashMap<>();

    /** One application thread's unfinished root (or a finished one waiting for its async tasks). */
    private static final class Open {
        final ArrayDeque<HiQNode> stack = new ArrayDeque<>();
        HiQNode root;
        int records;
        /** Tasks forked from this tree that have not finished yet. */
        int pending;
        long threadId;
        String threadName;
        long holdUntilNanos;
    }

    /** Where a forked task's calls go: under {@code node}, in the tree {@code owner}. */
    private record LinkTarget(HiQNode node, Open owner) {}

    /** How long a finished tree waits for the tasks it forked before it is emitted without them. */
    static final long ASYNC_WAIT_NANOS = 10_000_000_000L;

    private final Map<TaskLink, LinkTarget> links = new IdentityHashMap<>();
    private final Map<Long, TaskLink> adopting = new HashMap<>();
    private final Map<TaskLink, List<HiQNode>> orphans = new IdentityHashMap<>();
    private final Set<TaskLink> endedEarly = Collections.newSetFromMap(new IdentityHashMap<>());
    private final ArrayDeque<Open> waiting = new ArrayDeque<>();

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

    private boolean anySinkWantsTrees() {
        for (TreeSink s : sinks) if (s.wantsTrees()) return true;
        return false;
    }

    /** Sets HiQ's estimated cost per record, used for {@code overhead_ns} (calibrated at start). */
    public void overheadPerRecordNs(long ns) { this.overheadPerRecordNs = ns; }

    @Override
    public void onBatch(SpanBatch b, boolean endOfBatch) {
        if (!anySinkWantsTrees()) {
            published.addAndGet(b.size());
            return;
        }
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
                    o.threadId = tid;
                    o.threadName = b.threadName();
                    rootClosed(o);
                    open.remove(tid);
                    o = null;
                }
            } else if (kind == SpanBatch.EXTRA) {
                if (o != null && !o.stack.isEmpty() && b.ref(i) instanceof ExtraValue ev) {
                    o.stack.peek().putExtra(ev.key(), ev.value());
                }
                if (o != null) o.records++;
            } else if (kind == SpanBatch.FORK) {
                if (!(b.ref(i) instanceof TaskLink link)) continue;
                if (o != null && !o.stack.isEmpty()) {
                    forked(link, o.stack.peek(), o);
                } else {
                    // forked by a task between its own calls: attach where that task is attached
                    TaskLink running = adopting.get(tid);
                    LinkTarget target = running == null ? null : links.get(running);
                    if (target != null) forked(link, target.node(), target.owner());
                }
            } else if (kind == SpanBatch.ADOPT) {
                if (b.ref(i) instanceof TaskLink link && (o == null || o.stack.isEmpty())) adopting.put(tid, link);
            } else if (kind == SpanBatch.ADOPT_END) {
                if (b.ref(i) instanceof TaskLink link) adoptEnded(tid, link);
            }
        }
        if (!waiting.isEmpty()) emitExpired(System.nanoTime());
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

    /** A task was forked from {@code node}: its calls will go under it. */
    private void forked(TaskLink link, HiQNode node, Open owner) {
        List<HiQNode> early = orphans.remove(link);
        if (early != null) early.forEach(node::addChild);
        if (!endedEarly.remove(link)) {
            links.put(link, new LinkTarget(node, owner));
            owner.pending++;
        }
    }

    /** A root closed: graft it under the call that forked its task, hold it for its tasks, or emit it. */
    private void rootClosed(Open o) {
        TaskLink adoptedBy = adopting.get(o.threadId);
        if (adoptedBy != null) {
            o.root.putExtra("thread", o.threadName);
            LinkTarget target = links.get(adoptedBy);
            if (target != null) {
                target.node().addChild(o.root);
                target.owner().records += o.records;
                if (o.pending > 0) moveLinks(o, target.owner());
            } else {
                orphans.computeIfAbsent(adoptedBy, k -> new ArrayList<>()).add(o.root);
                if (orphans.size() > 100_000) orphans.clear(); // their forking trees were lost; never grow without bound
            }
        } else if (o.pending > 0) {
            o.holdUntilNanos = System.nanoTime() + ASYNC_WAIT_NANOS;
            waiting.add(o);
        } else {
            complete(o, o.threadName, o.threadId);
        }
    }

    /** Tasks forked from a grafted subtree now keep its new tree waiting. */
    private void moveLinks(Open from, Open to) {
        for (Map.Entry<TaskLink, LinkTarget> e : links.entrySet()) {
            if (e.getValue().owner() == from) {
                e.setValue(new LinkTarget(e.getValue().node(), to));
                to.pending++;
            }
        }
        from.pending = 0;
    }

    private void adoptEnded(long tid, TaskLink link) {
        adopting.remove(tid);
        LinkTarget target = links.remove(link);
        if (target == null) {
            endedEarly.add(link);
            if (endedEarly.size() > 100_000) endedEarly.clear();
            return;
        }
        Open owner = target.owner();
        if (--owner.pending == 0 && waiting.remove(owner)) complete(owner, owner.threadName, owner.threadId);
    }

    private void emitExpired(long now) {
        while (!waiting.isEmpty() && now - waiting.peek().holdUntilNanos > 0) {
            Open o = waiting.poll();
            o.root.putExtra("async_pending", (long) o.pending);
            links.values().removeIf(t -> t.owner() == o);
            complete(o, o.threadName, o.threadId);
        }
    }

    /** Emits the trees still waiting for their tasks (at close: nothing more will come). */
    @Override
    public void flush(long deadlineNanos) {
        while (!waiting.isEmpty()) {
            Open o = waiting.poll();
            if (o.pending > 0) o.root.putExtra("async_pending", (long) o.pending);
            complete(o, o.threadName, o.threadId);
        }
        for (TreeSink s : sinks) s.endOfBatch();
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
        if (node.children().isEmpty()) return;
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
