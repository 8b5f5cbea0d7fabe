package io.hiq.core.tree;

import io.hiq.core.event.ExtraValue;
import io.hiq.core.event.SpanBatch;
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
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongUnaryOperator;

/**
 * Turns the ring's span records back into {@link HiQTree}s, on the ring's consumer thread: one stack
 * per application thread; ENTER pushes a node, EXIT pops and closes it, EXTRA annotates the open
 * node; a closed root is stamped and handed to every {@link TreeSink}.
 *
 * <p>Bounded whatever a root does (DESIGN A2 revision, docs/FORMATS.md §1.2):
 * <ul>
 *   <li>concise mode drops a zero-span leaf as soon as it closes, not when the root ends;</li>
 *   <li>a tree holds at most {@link AssemblyLimits#maxNodes()} nodes, nested at most
 *       {@link io.hiq.tree.TreeCodec#MAX_DEPTH} deep below the root: later (or deeper) calls are
 *       folded into their nearest kept ancestor as counted summaries and the tree is flagged
 *       {@code truncated};</li>
 *   <li>a root still open after {@link AssemblyLimits#partialInterval()} emits its completed
 *       children as a {@code partial} tree and forgets them;</li>
 *   <li>an EXIT that does not match the open call is repaired (the calls whose EXIT is missing are
 *       closed there; an EXIT with no open call of its tag is skipped) and the tree flagged
 *       {@code broken}; a thread that died mid-root gets its open calls closed at its last record
 *       and the tree flagged {@code broken}.</li>
 * </ul>
 *
 * <p>Without per-node garbage where no sink needs objects: a root is assembled in a reused
 * {@link FlatTree} (parallel arrays) and handed to sinks that {@linkplain TreeSink#acceptsView() read
 * views} as such; {@link HiQTree}s are made once per tree only when some sink asks for objects, and
 * a root turns into objects mid-way only for what needs them (folding past the node cap, partial
 * trees, async grafting, several metrics).
 *
 * <p>Single-threaded by construction (one Disruptor handler), so its maps need no locking.
 */
public final class TreeAssembler implements SpanEventHandler {
    /** Extra key on a node the assembler had to close because its EXIT never came. */
    public static final String REPAIRED = "repaired";
    /** Extra key of the summaries of folded calls. */
    public static final String FOLDED = "folded";
    /** Root extra key of a tree with gaps (a full ring): {@code {"count","calls","records"}} (docs/FORMATS.md §1.6). */
    public static final String GAPS = "gaps";
    /** Extra key on a node closed at a gap: its EXIT was not recorded, it ends at the last record before the gap. */
    public static final String CLOSED_IN_GAP = "closed_in_gap";
    /** How a frame is closed: by its EXIT, by a repair, at a gap. */
    private static final int BY_EXIT = 0, BY_REPAIR = 1, AT_GAP = 2;

    private final TagRegistry tags;
    private final List<Metric> metrics;
    private final int[] extraIndex;
    private final Mode mode;
    private final long zeroSpan;
    /** The trees' metric label and unit, computed once ({@link Metric#label()} makes a String per call). */
    private final String metricLabel;
    private final String metricUnit;
    private final String service;
    private final String host;
    private final long pid;
    private final LongUnaryOperator epochMicros;
    private final long anchorNanos;
    private final List<TreeSink> sinks;
    private final AssemblyLimits limits;
    private final long partialIntervalNanos;
    private final AssemblyCounters counters;
    /** Made on first use, on this (the assembler's) thread: seeding reads the OS's entropy. */
    private TreeIds ids;
    /** Until the calibration (a second after start) reports, a typical warm figure of this machine class. */
    private volatile long overheadPerRecordNs = 40;

    private final OpenRoots open = new OpenRoots();
    /** The last batch's thread and its open root: consecutive batches of one thread skip the map. */
    private long lastThread = -1;
    private OpenRoot lastOpen;
    /** Trees each thread dropped that no tree has reported yet: the next tree of that thread does. */
    private final Map<Long, Long> pendingDrops = new HashMap<>();
    /** When open roots were last checked for a due partial tree. */
    private long lastPartialCheck = System.nanoTime();

    /** Where a forked task's calls go: under {@code node}, in the tree {@code owner}. */
    private record LinkTarget(HiQNode node, OpenRoot owner) {}

    /** How long a finished tree waits for the tasks it forked before it is emitted without them. */
    static final long ASYNC_WAIT_NANOS = 10_000_000_000L;

    private final Map<TaskLink, LinkTarget> links = new IdentityHashMap<>();
    private final Map<Long, TaskLink> adopting = new HashMap<>();
    private final Map<TaskLink, List<HiQNode>> orphans = new IdentityHashMap<>();
    private final Set<TaskLink> endedEarly = Collections.newSetFromMap(new IdentityHashMap<>());
    private final ArrayDeque<OpenRoot> waiting = new ArrayDeque<>();
    /** Delivered flat roots, kept for the next roots (bounded: at most one per thread with an open root, plus one). */
    private final ArrayDeque<OpenRoot> spare = new ArrayDeque<>();
    private static final int MAX_SPARE = 64;

    /**
     * An assembler with the default {@link AssemblyLimits}; {@code published} and {@code trees} as in
     * the full constructor, the other counters private.
     */
    public TreeAssembler(TagRegistry tags, List<Metric> metrics, Mode mode, String service, String host, long pid,
                         LongUnaryOperator epochMicros, long anchorNanos, List<TreeSink> sinks,
                         AtomicLong published, AtomicLong trees) {
        this(tags, metrics, mode, service, host, pid, epochMicros, anchorNanos, sinks, AssemblyLimits.DEFAULTS,
                new AssemblyCounters(published, trees, new AtomicLong(), new AtomicLong(), new AtomicLong()));
    }

    /**
     * @param metrics     the recorded metrics, in record order; the first is the trees' metric
     * @param pid         stamped on trees (ids do not depend on it)
     * @param epochMicros converts a {@link System#nanoTime()} reading to epoch microseconds
     * @param anchorNanos the run's {@code nanoTime} anchor ({@code time} values are relative to it)
     * @param limits      node cap and partial-tree interval
     * @param counters    the MBean's counters this assembler updates
     */
    public TreeAssembler(TagRegistry tags, List<Metric> metrics, Mode mode, String service, String host, long pid,
                         LongUnaryOperator epochMicros, long anchorNanos, List<TreeSink> sinks,
                         AssemblyLimits limits, AssemblyCounters counters) {
        this.tags = tags;
        this.metrics = List.copyOf(metrics);
        this.extraIndex = new int[metrics.size()];
        int k = 0;
        for (int i = 0; i < metrics.size(); i++) extraIndex[i] = metrics.get(i) == Metric.TIME ? -1 : k++;
        this.mode = mode;
        this.zeroSpan = this.metrics.get(0).zeroSpanThreshold();
        this.metricLabel = this.metrics.get(0).label();
        this.metricUnit = this.metrics.get(0).unit();
        this.service = service;
        this.host = host;
        this.pid = pid;
        this.epochMicros = epochMicros;
        this.anchorNanos = anchorNanos;
        this.sinks = sinks;
        this.limits = limits;
        this.partialIntervalNanos = limits.partialInterval().toNanos();
        this.counters = counters;
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
            counters.published().addAndGet(b.size() - hiqRecords(b));
            return;
        }
        long tid = b.threadId();
        OpenRoot o = lastThread == tid && lastOpen != null ? lastOpen : open.get(tid);
        if (b.abortOpen() && o != null) {
            open.remove(tid);
            // partial trees already name this root's final tree: close what is left so that one exists
            if (o.id != null && o.depth > 0) closeBroken(o, tid, b.threadName());
            o = null;
        }
        if (b.droppedTrees() > 0) pendingDrops.merge(tid, b.droppedTrees(), Long::sum);
        int n = b.size();
        int ours = 0; // GAP records: HiQ's own, standing for records counted as dropped; not published
        for (int i = 0; i < n; i++) {
            int kind = b.kind(i);
            if (kind == SpanBatch.ENTER) {
                if (o == null) {
                    o = newRoot(tid);
                    o.lastEmitNanos = System.nanoTime();
                    o.threadId = tid;
                    o.threadName = b.threadName();
                    open.put(tid, o);
                }
                enter(o, b, i);
            } else if (kind == SpanBatch.GAP) {
                ours++;
                if (o != null && o.depth > 0 && gap(o, b, i)) {
                    o.threadId = tid;
                    o.threadName = b.threadName();
                    open.remove(tid);
                    rootClosed(o);
                    o = null;
                }
            } else if (kind == SpanBatch.UNWIND) {
                if (o != null && unwind(o, b, i)) {
                    o.threadId = tid;
                    o.threadName = b.threadName();
                    open.remove(tid);
                    rootClosed(o);
                    o = null;
                }
            } else if (kind == SpanBatch.EXIT) {
                if (o == null || o.depth == 0) continue; // its ENTER was dropped with an aborted root
                if (o.skipExit) {
                    o.skipExit = false; // an UNWIND said this EXIT's call is not one held open here
                    continue;
                }
                if (exit(o, b, i)) {
                    o.threadId = tid;
                    o.threadName = b.threadName();
                    open.remove(tid);
                    rootClosed(o);
                    o = null;
                }
            } else if (kind == SpanBatch.EXTRA) {
                if (o != null && o.depth > 0) {
                    // an extra of a folded call is dropped with the call (its count is kept)
                    if (b.ref(i) instanceof ExtraValue ev) {
                        if (o.flat != null) o.flat.putExtra(o.flatTop(), ev.key(), ev.value());
                        else if (!o.topFolded()) o.top().putExtra(ev.key(), ev.value());
                    }
                    o.records++;
                }
            } else if (kind == SpanBatch.FORK) {
                if (!(b.ref(i) instanceof TaskLink link)) continue;
                if (o != null && o.depth > 0) {
                    if (o.flat != null) toObjects(o); // a task's calls are grafted in as objects
                    forked(link, o.top(), o);
                } else {
                    // forked by a task between its own calls: attach where that task is attached
                    TaskLink running = adopting.get(tid);
                    LinkTarget target = running == null ? null : links.get(running);
                    if (target != null) forked(link, target.node(), target.owner());
                }
            } else if (kind == SpanBatch.ADOPT) {
                if (b.ref(i) instanceof TaskLink link && (o == null || o.depth == 0)) adopting.put(tid, link);
            } else if (kind == SpanBatch.ADOPT_END) {
                if (b.ref(i) instanceof TaskLink link) adoptEnded(tid, link);
            }
        }
        if (b.ownerTerminated()) {
            // the thread is gone: what it left open never closes
            if (o != null) {
                open.remove(tid);
                if (o.depth > 0) closeBroken(o, tid, b.threadName());
                o = null;
            }
            adopting.remove(tid);
            pendingDrops.remove(tid); // already counted in Dropped/DroppedTrees; no later tree reports them
        }
        long now = System.nanoTime();
        if (!waiting.isEmpty()) emitExpired(now);
        if (partialIntervalNanos > 0 && now - lastPartialCheck >= Math.min(partialIntervalNanos, 100_000_000L)) {
            lastPartialCheck = now;
            emitDuePartials(now);
        }
        lastThread = tid;
        lastOpen = o;
        counters.published().addAndGet(n - ours);
        if (endOfBatch) {
            for (TreeSink s : sinks) s.endOfBatch();
        }
    }

    private void enter(OpenRoot o, SpanBatch b, int i) {
        int tagId = b.tagId(i);
        long v0 = value(b, i, 0);
        o.records++;
        o.lastNanos = b.nanoTime(i);
        o.lastValue = v0;
        boolean tooDeep = o.depth > io.hiq.tree.TreeCodec.MAX_DEPTH;
        if (o.flat != null) {
            if (o.depth == 0 || (o.held < limits.maxNodes() && !tooDeep)) {
                io.hiq.core.event.Tag tag = tags.get(tagId);
                int k = o.flat.add(tag == null ? tags.name(tagId) : tag.name(), epochMicros.applyAsLong(b.nanoTime(i)), v0,
                        o.depth == 0 ? -1 : o.flatTop(), tag == null ? null : tag.staticExtra());
                o.pushFlat(k, tagId, v0);
                o.held++;
                return;
            }
            toObjects(o); // the cap (or the readers' depth limit) is reached: calls fold into counted summaries
        }
        // a call under a folded call is folded too; past the cap every new call is; and so is a
        // call nested deeper than any reader accepts (TreeCodec.MAX_DEPTH: deep recursion), else
        // the tree would be published and then rejected downstream, lost without a count
        if (o.depth > 0 && (o.topFolded() || o.held >= limits.maxNodes() || tooDeep)) {
            o.push(null, tagId, v0);
            o.truncated = true;
            return;
        }
        io.hiq.core.event.Tag tag = tags.get(tagId);
        HiQNode node = new HiQNode(tag == null ? tags.name(tagId) : tag.name(), epochMicros.applyAsLong(b.nanoTime(i)), v0);
        if (tag != null && !tag.staticExtra().isEmpty()) tag.staticExtra().forEach(node::putExtra);
        if (metrics.size() > 1) {
            // the multi-metric form: every node carries every metric's readings
            for (int m = 0; m < metrics.size(); m++) {
                long v = value(b, i, m);
                node.putValues(metrics.get(m).label(), v, v);
            }
        }
        if (o.depth == 0) o.root = node;
        else o.top().addChild(node);
        o.push(node, tagId, v0);
        o.held++;
    }

    /**
     * Applies an UNWIND (the thread lost records; {@code tagId} calls are really open): closes the
     * deeper calls as repaired, or marks the next EXIT as not ours when fewer are held. Returns true
     * when it closed the root.
     */
    private boolean unwind(OpenRoot o, SpanBatch b, int i) {
        int open = b.tagId(i);
        if (o.depth > open) {
            o.broken = true;
            while (o.depth > open) closeTop(o, o.lastNanos, o.lastValue, null, -1, BY_REPAIR);
            return o.depth == 0;
        }
        o.skipExit = o.depth < open;
        if (o.skipExit) o.broken = true;
        return false;
    }

    /** GAP records of a batch: HiQ's own, standing for records counted as dropped. */
    private static int hiqRecords(SpanBatch b) {
        int ours = 0;
        for (int i = 0, n = b.size(); i < n; i++) if (b.kind(i) == SpanBatch.GAP) ours++;
        return ours;
    }

    /**
     * Applies a GAP (the thread skipped records while the ring was full; {@code tagId} of the calls
     * held are still open): the deeper calls exited during the gap and are closed at the last record
     * before it, marked {@link #CLOSED_IN_GAP}; the tree is flagged truncated and the gap counted for
     * its root's {@link #GAPS} extra. Returns true when it closed the root (never, from a sane thread).
     */
    private boolean gap(OpenRoot o, SpanBatch b, int i) {
        int keep = b.tagId(i);
        o.gaps++;
        o.gapCalls += b.gapCalls(i);
        o.gapRecords += b.gapRecords(i);
        o.truncated = true;
        o.skipExit = false;
        if (o.depth < keep) {
            o.broken = true; // records were lost before the gap too: the synthetic ENTERs go under what is held
            return false;
        }
        while (o.depth > keep) closeTop(o, o.lastNanos, o.lastValue, null, -1, AT_GAP);
        return o.depth == 0;
    }

    /** Writes a root's gap counts into its root node's extra (flat or object form). */
    private static void writeGaps(OpenRoot o) {
        if (o.gaps == 0) return;
        Map<String, Object> g = new java.util.LinkedHashMap<>();
        g.put("count", o.gaps);
        g.put("calls", o.gapCalls);
        g.put("records", o.gapRecords);
        if (o.flat != null) o.flat.putExtra(0, GAPS, g);
        else o.root.putExtra(GAPS, g);
    }

    /** Applies an EXIT; returns true when it closed the root. */
    private boolean exit(OpenRoot o, SpanBatch b, int i) {
        o.records++;
        long nanos = b.nanoTime(i);
        long v0 = value(b, i, 0);
        o.lastNanos = nanos;
        o.lastValue = v0;
        int tagId = b.tagId(i);
        if (o.tagIds[o.depth - 1] != tagId) {
            // the EXIT does not match the innermost open call: recording lost records (an error
            // inside HiQ, a dropped batch). Repair rather than pop blindly, and say so.
            o.broken = true;
            int d = o.innermost(tagId);
            if (d < 0) return false; // no open call of this tag: its ENTER was lost, skip the EXIT
            while (o.depth - 1 > d) closeTop(o, nanos, v0, null, -1, BY_REPAIR);
        }
        closeTop(o, nanos, v0, b, i, BY_EXIT);
        return o.depth == 0;
    }

    /**
     * Closes the innermost open frame at {@code nanos}: a folded call is counted into its kept
     * ancestor; a kept node is closed and, in concise mode, dropped at once when it is a zero-span
     * leaf without extra information. {@code b}/{@code i} give the EXIT record (metrics, exception),
     * or null when the frame is closed by a repair.
     */
    private void closeTop(OpenRoot o, long nanos, long v0, SpanBatch b, int i, int how) {
        int d = --o.depth;
        if (o.flat != null) {
            closeFlat(o, d, nanos, v0, b, i, how);
            return;
        }
        HiQNode node = o.nodes[d];
        HiQNode target = o.targets[d];
        o.nodes[d] = null;
        o.targets[d] = null;
        if (node == null) {
            o.fold(target, tagName(o.tagIds[d]), v0 - o.startValues[d]);
            return;
        }
        node.close(epochMicros.applyAsLong(nanos), v0);
        if (metrics.size() > 1) {
            for (int m = 0; m < metrics.size(); m++) {
                String label = metrics.get(m).label();
                long end = b != null ? value(b, i, m) : (m == 0 ? v0 : node.values().get(label)[0]);
                node.putValues(label, node.values().get(label)[0], end);
            }
        }
        if (b != null) {
            Throwable t = b.thrown(i);
            if (t != null) node.putExtra("exception", t.getClass().getName() + ": "
                    // a message is free text the application wrote: secret-shaped parts masked
                    + io.hiq.tree.redact.SecretValues.mask(String.valueOf(t.getMessage())));
        }
        if (how == BY_REPAIR) node.putExtra(REPAIRED, "exit not recorded");
        else if (how == AT_GAP) node.putExtra(CLOSED_IN_GAP, true);
        if (d > 0 && mode == Mode.CONCISE && node.isLeaf() && !node.hasExtra() && Math.abs(node.span()) < zeroSpan
                && (o.folded == null || !o.folded.containsKey(node))) {
            // concise mode: a zero-span leaf carries nothing; drop it now so a long root stays small
            if (o.nodes[d - 1].removeChild(node)) o.held--;
        }
    }

    /** {@link #closeTop} of the flat form: the same rules on the arrays. */
    private void closeFlat(OpenRoot o, int d, long nanos, long v0, SpanBatch b, int i, int how) {
        FlatTree f = o.flat;
        int k = o.flatIndex[d];
        f.close(k, epochMicros.applyAsLong(nanos), v0);
        if (b != null) {
            Throwable t = b.thrown(i);
            if (t != null) f.putExtra(k, "exception", t.getClass().getName() + ": "
                    // masked like the object path's: a message may quote a secret
                    + io.hiq.tree.redact.SecretValues.mask(String.valueOf(t.getMessage())));
        }
        if (how == BY_REPAIR) f.putExtra(k, REPAIRED, "exit not recorded");
        else if (how == AT_GAP) f.putExtra(k, CLOSED_IN_GAP, true);
        // concise mode: the node that has just closed is a leaf exactly when it is the last one
        if (d > 0 && mode == Mode.CONCISE && f.isLast(k) && !f.hasExtra(k) && Math.abs(v0 - f.valueStartOf(k)) < zeroSpan) {
            f.removeLast();
            o.held--;
        }
    }

    /** A root for thread {@code tid}: flat (reused) unless it must be built as objects from the start. */
    private OpenRoot newRoot(long tid) {
        OpenRoot o = spare.poll();
        if (o == null) {
            o = new OpenRoot();
            o.flat = new FlatTree();
        }
        if (metrics.size() > 1 || adopting.containsKey(tid)) {
            // several metrics' readings per node, or a task's root grafted into another tree: objects
            o.flat = null;
        }
        return o;
    }

    /** Turns a flat root into objects; its arrays are kept for a later root. */
    private void toObjects(OpenRoot o) {
        FlatTree f = o.toObjects();
        f.clear();
        if (spare.size() < MAX_SPARE) {
            OpenRoot r = new OpenRoot();
            r.reset(f);
            spare.add(r);
        }
    }

    private String tagName(int tagId) {
        io.hiq.core.event.Tag tag = tags.get(tagId);
        return tag == null ? tags.name(tagId) : tag.name();
    }

    /** Closes every open call of {@code o} at its last record, flags the tree broken and emits it. */
    private void closeBroken(OpenRoot o, long tid, String threadName) {
        o.broken = true;
        while (o.depth > 0) closeTop(o, o.lastNanos, o.lastValue, null, -1, BY_REPAIR);
        o.threadId = tid;
        o.threadName = threadName;
        rootClosed(o);
    }

    private long value(SpanBatch b, int i, int m) {
        int k = extraIndex[m];
        return k < 0 ? b.nanoTime(i) - anchorNanos : b.extraValue(i, k);
    }

    /** A task was forked from {@code node}: its calls will go under it. */
    private void forked(TaskLink link, HiQNode node, OpenRoot owner) {
        List<HiQNode> early = orphans.remove(link);
        if (early != null) early.forEach(node::addChild);
        if (!endedEarly.remove(link)) {
            links.put(link, new LinkTarget(node, owner));
            owner.pending++;
        }
    }

    /** A root closed: graft it under the call that forked its task, hold it for its tasks, or emit it. */
    private void rootClosed(OpenRoot o) {
        TaskLink adoptedBy = adopting.get(o.threadId);
        if (adoptedBy != null) {
            if (o.flat != null) toObjects(o);
            o.root.putExtra("thread", o.threadName);
            writeGaps(o);
            // the grafted subtree is complete: its summaries go into its nodes now
            boolean folded = o.writeFolded(o.root);
            LinkTarget target = links.get(adoptedBy);
            if (target != null) {
                target.node().addChild(o.root);
                OpenRoot owner = target.owner();
                owner.records += o.records;
                owner.held += o.held;
                owner.truncated |= o.truncated || folded;
                owner.broken |= o.broken;
                if (o.pending > 0) moveLinks(o, owner);
            } else {
                orphans.computeIfAbsent(adoptedBy, k -> new ArrayList<>()).add(o.root);
                if (orphans.size() > 100_000) orphans.clear(); // their forking trees were lost; never grow without bound
            }
        } else if (o.pending > 0) {
            o.holdUntilNanos = System.nanoTime() + ASYNC_WAIT_NANOS;
            waiting.add(o);
        } else {
            complete(o);
        }
    }

    /** Tasks forked from a grafted subtree now keep its new tree waiting. */
    private void moveLinks(OpenRoot from, OpenRoot to) {
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
        OpenRoot owner = target.owner();
        if (--owner.pending == 0 && waiting.remove(owner)) complete(owner);
    }

    private void emitExpired(long now) {
        while (!waiting.isEmpty() && now - waiting.peek().holdUntilNanos > 0) {
            OpenRoot o = waiting.poll();
            o.root.putExtra("async_pending", (long) o.pending);
            links.values().removeIf(t -> t.owner() == o);
            complete(o);
        }
    }

    /** Emits the trees still waiting for their tasks (at close: nothing more will come). */
    @Override
    public void flush(long deadlineNanos) {
        while (!waiting.isEmpty()) {
            OpenRoot o = waiting.poll();
            if (o.pending > 0) o.root.putExtra("async_pending", (long) o.pending);
            complete(o);
        }
        for (TreeSink s : sinks) s.endOfBatch();
    }

    private String nextId() {
        if (ids == null) ids = new TreeIds();
        return ids.next();
    }

    private void complete(OpenRoot o) {
        if (o.flat != null) {
            completeFlat(o);
            return;
        }
        HiQNode root = o.root;
        Long dropped = pendingDrops.isEmpty() ? null : pendingDrops.remove(o.threadId);
        writeGaps(o);
        boolean folded = o.writeFolded(root);
        long overhead = (o.records - o.recordsReported) * overheadPerRecordNs;
        if (mode == Mode.DEBUG) {
            root.putExtra("thread_id", o.threadId);
            root.putExtra("records", o.records);
        }
        boolean truncated = o.truncated || folded;
        HiQTree tree = HiQTree.builder()
                .id(o.id != null ? o.id : nextId())
                .service(service).host(host).pid(pid).thread(o.threadName)
                .metric(metricLabel).unit(metricUnit)
                .overheadNs(overhead).dropped(dropped == null ? 0 : dropped).mode(mode.label())
                .truncated(truncated).broken(o.broken)
                .root(root).build();
        counters.trees().incrementAndGet();
        if (truncated) counters.truncated().incrementAndGet();
        if (o.broken) counters.broken().incrementAndGet();
        deliver(tree);
    }

    /** {@link #complete} of the flat form: stamps the arrays, hands them over, then reuses them. */
    private void completeFlat(OpenRoot o) {
        FlatTree f = o.flat;
        Long dropped = pendingDrops.isEmpty() ? null : pendingDrops.remove(o.threadId);
        writeGaps(o);
        if (mode == Mode.DEBUG) {
            f.putExtra(0, "thread_id", o.threadId);
            f.putExtra(0, "records", o.records);
        }
        f.id = o.id != null ? o.id : nextId();
        f.service = service;
        f.host = host;
        f.pid = pid;
        f.thread = o.threadName;
        f.metric = metricLabel;
        f.unit = metricUnit;
        f.overheadNs = (o.records - o.recordsReported) * overheadPerRecordNs;
        f.dropped = dropped == null ? 0 : dropped;
        f.mode = mode.label();
        f.truncated = o.truncated;
        f.broken = o.broken;
        counters.trees().incrementAndGet();
        if (o.truncated) counters.truncated().incrementAndGet();
        if (o.broken) counters.broken().incrementAndGet();
        HiQTree tree = null;
        for (TreeSink s : sinks) {
            // a sink that uses no trees (the agent's in-memory store, kept for show()) must not make
            // the assembler build objects for it
            if (!s.wantsTrees()) continue;
            try {
                if (s.acceptsView()) {
                    s.acceptView(f);
                } else {
                    if (tree == null) tree = f.toTree(); // made once, shared by the sinks that keep objects
                    s.accept(tree);
                }
            } catch (RuntimeException e) {
                System.err.println(io.hiq.core.redact.SafeText.line("hiq: a tree sink failed and goes on: " + e));
            }
        }
        f.clear();
        o.reset(f);
        if (spare.size() < MAX_SPARE) spare.add(o);
    }

    private void deliver(HiQTree tree) {
        for (TreeSink s : sinks) {
            try {
                s.accept(tree);
            } catch (RuntimeException e) {
                System.err.println(io.hiq.core.redact.SafeText.line("hiq: a tree sink failed and goes on: " + e));
            }
        }
    }

    /** Emits a partial tree for every open root whose interval has passed. */
    private void emitDuePartials(long now) {
        for (int k = 0, n = open.slots(); k < n; k++) {
            OpenRoot o = open.at(k);
            if (o != null && o.depth > 0 && o.pending == 0 && now - o.lastEmitNanos >= partialIntervalNanos) {
                if (o.flat != null) toObjects(o); // partial trees are cut from the object form
                emitPartial(o, now);
            }
        }
    }

    /**
     * The partial-tree contract (docs/FORMATS.md §1.3): the root's completed children leave memory in
     * a tree flagged {@code partial}, with its own id and {@code part_of} naming the final tree, under
     * a placeholder of the root that ends at its latest record. They never appear again. Roots with forked tasks still
     * running are skipped (a task may still graft into a completed child).
     */
    private void emitPartial(OpenRoot o, long now) {
        o.lastEmitNanos = now;
        HiQNode root = o.root;
        if (root.isLeaf()) return;
        HiQNode openChild = o.depth > 1 ? o.nodes[1] : null; // null: nothing open, or folded
        List<HiQNode> done = new ArrayList<>(root.children());
        if (openChild != null) done.remove(openChild);
        if (done.isEmpty()) return;
        root.replaceChildren(openChild == null ? List.of() : List.of(openChild));

        // ends at the latest record seen: the emission time on the application's clock (the
        // assembler's own clock runs ahead of the records, and could pass the root's real end)
        HiQNode placeholder = new HiQNode(root.name(), root.start(), root.valueStart());
        placeholder.close(epochMicros.applyAsLong(o.lastNanos), o.lastValue);
        root.extra().forEach(placeholder::putExtra);
        root.values().forEach((label, v) -> placeholder.putValues(label, v[0], v[0]));
        boolean folded = false;
        for (HiQNode c : done) {
            o.held -= c.size();
            folded |= o.writeFolded(c);
            placeholder.addChild(c);
        }
        if (o.id == null) o.id = nextId();
        long overhead = (o.records - o.recordsReported) * overheadPerRecordNs;
        o.recordsReported = o.records;
        HiQTree tree = HiQTree.builder()
                .id(nextId()).partOf(o.id).partial(true)
                .service(service).host(host).pid(pid).thread(o.threadName)
                .metric(metricLabel).unit(metricUnit)
                .overheadNs(overhead).dropped(0).mode(mode.label())
                .truncated(folded).broken(o.broken)
                .root(placeholder).build();
        counters.partial().incrementAndGet();
        if (folded) counters.truncated().incrementAndGet();
        deliver(tree);
    }

    /** Roots kept for reuse (tests: reused, not one per tree). */
    int spareRoots() { return spare.size(); }

    /** Nodes held in memory by roots still open (for tests of the bounds). */
    int heldNodes() {
        int n = 0;
        for (int k = 0; k < open.slots(); k++) if (open.at(k) != null) n += open.at(k).held;
        for (OpenRoot o : waiting) n += o.held;
        return n;
    }
}
