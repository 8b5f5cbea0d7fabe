package io.hiq.jack.pipeline;

import io.hiq.core.spi.TreeSink;
import io.hiq.jack.JackCounters;
import io.hiq.jack.log.JackLog;
import io.hiq.jack.publisher.EncodedTree;
import io.hiq.jack.publisher.ExportResult;
import io.hiq.jack.publisher.PublisherBusyException;
import io.hiq.jack.publisher.TreePublisher;
import io.hiq.jack.spool.DiskSpool;
import io.hiq.jack.spool.SpoolChunk;
import io.hiq.tree.HiQTree;
import io.hiq.tree.TreeCodec;
import io.hiq.tree.TreeJsonWriter;
import io.hiq.tree.TreeLimits;
import io.hiq.tree.TreeTooLargeException;
import io.hiq.tree.TreeView;
import io.hiq.jack.report.Stderr;
import io.hiq.jack.report.Throttle;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Jack's batcher: the {@link TreeSink} that takes completed trees from the assembler and gets them
 * to the publisher, the jack log and, when delivery fails, the spool.
 *
 * <p>Threads. {@link #accept} (assembler thread) only adds the tree to a list; {@link #acceptView}
 * (the assembler's arrays, no node objects) encodes the tree there and then, into a reused buffer,
 * and adds the bytes: the view does not outlive the call, and the batcher then only logs and sends; {@link #endOfBatch}
 * hands the list over (one lock-free enqueue per assembler batch) and wakes the batcher if it
 * sleeps. When more than {@code queueCapacity} trees wait, the assembler encodes the trees and
 * appends them to the jack log and the spool itself (a local file append, never the network). The
 * batcher thread {@value #THREAD} takes what was handed over (smart batching: whatever is there, up
 * to about {@code maxBatch}), encodes each tree (B4), appends it to the
 * jack log, and either exports the batch or, while the spool holds a backlog or the publisher is
 * down, appends it to the spool so that order is kept. The same thread replays the spool: up to
 * {@code window} chunks in flight while delivery works; one probe chunk per second while it does
 * not. The publisher's callbacks (its own I/O thread) spool what failed.
 *
 * <p>Shutdown. {@link #flush} waits (bounded by its deadline) until the queue is processed, the
 * spool is replayed (or the publisher is found down) and live exports completed; {@link #close}
 * stops the batcher, shuts the publisher down (what it still held comes back and is spooled),
 * syncs and closes the spool, then the jack log.
 */
public final class JackPipeline implements TreeSink {
    /** Name of the batcher thread. */
    public static final String THREAD = "hiq-jack-batcher";
    private static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long BUSY_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** Views of more nodes are handed over as objects and encoded by the batcher. */
    static final int VIEW_ENCODE_MAX_NODES = 1_000;

    private final Supplier<TreePublisher> publisherFactory;
    /** Created on the batcher thread (never on the application's); null when none could be. */
    private volatile TreePublisher publisher;
    /** False while Jack's thread is still creating the publisher (then trees can only queue). */
    private volatile boolean publisherSettled;
    private final DiskSpool spool;
    private final JackLog log;
    private final JackCounters counters;
    /**
     * Batches handed over by the assembler, in order; {@link #queued} bounds the trees they hold.
     * An item is a {@link HiQTree} (encoded by the batcher) or an {@link EncodedTree} (encoded from a view).
     */
    private final ConcurrentLinkedQueue<List<Object>> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final int capacity;
    /** Trees accepted since the last hand-over; owned by the assembler thread (guarded for flush). */
    private ArrayList<Object> pending = new ArrayList<>();
    /** Encodes views on the assembler thread (its only caller): one reused buffer, one copy per tree. */
    private final TreeJsonWriter viewWriter = new TreeJsonWriter(16 * 1024);
    private final Object pendingLock = new Object();
    private volatile boolean sleeping;
    private final int maxBatch;
    private final int window;
    private final int chunkBytes;
    private final long flushTimeoutNanos;
    private final Thread thread;

    private final AtomicLong enqueued = new AtomicLong();
    private final AtomicLong handled = new AtomicLong();
    private final AtomicInteger liveInFlight = new AtomicInteger();
    private final ArrayDeque<Replay> replays = new ArrayDeque<>();
    private final Object progress = new Object();
    private final Throttle rejectedLines = new Throttle();
    private final Throttle spoolErrorLines = new Throttle();
    private final Throttle batcherErrorLines = new Throttle();
    /** Why trees went to the spool while the destination was not down: each reason has its line. */
    private final Throttle queueFullLines = new Throttle();
    private final Throttle busyLines = new Throttle();
    private final Throttle liveAgainLines = new Throttle();
    /** True while new trees are spooled behind a backlog (batcher thread only): its end is reported. */
    private boolean behindBacklog;
    /** Ids rejected lately: a spooled tree read again at every replay probe is rejected (and counted) once. */
    private final Set<String> rejectedIds = Collections.synchronizedSet(Collections.newSetFromMap(new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> e) { return size() > 4096; }
    }));

    private volatile boolean down;
    private volatile long nextRetry;
    private long busyUntil;
    private volatile long lastProbeFailure;
    private volatile int replaysInFlight;
    private volatile boolean stopping;
    private volatile long flushDeadline;
    private volatile boolean closed;
    /** Why the publisher gave trees back when close() stopped it, for the "trees stay" line. */
    private volatile Throwable closeError;

    private record Replay(SpoolChunk chunk, CompletableFuture<ExportResult> future) {}

    /**
     * @param publisher         the destination, or null when none could be configured (every tree is spooled)
     * @see #JackPipeline(Supplier, DiskSpool, JackLog, JackCounters, int, long)
     * @param spool             the disk spool
     * @param log               the jack log, or null ({@code NO_JACK_LOG})
     * @param queueCapacity     trees waiting for the batcher before {@link #accept} spools them itself
     * @param flushTimeoutNanos bound of {@link #close} when {@link #flush} was not called
     */
    public JackPipeline(TreePublisher publisher, DiskSpool spool, JackLog log, JackCounters counters,
                        int queueCapacity, long flushTimeoutNanos) {
        this(() -> publisher, spool, log, counters, queueCapacity, flushTimeoutNanos);
    }

    /**
     * A pipeline whose publisher is created by the batcher thread when it starts: building a Kafka
     * producer or an OCI client (class loading, DNS, instance metadata) costs the starting
     * application nothing; trees accepted meanwhile wait in the queue.
     *
     * @param publisherFactory creates the destination; may return null (every tree is spooled)
     */
    public JackPipeline(Supplier<TreePublisher> publisherFactory, DiskSpool spool, JackLog log, JackCounters counters,
                        int queueCapacity, long flushTimeoutNanos) {
        this.publisherFactory = publisherFactory;
        this.spool = spool;
        this.log = log;
        this.counters = counters;
        this.capacity = queueCapacity;
        this.maxBatch = 2048;
        this.window = 4;
        this.chunkBytes = 4 * 1024 * 1024;
        this.flushTimeoutNanos = flushTimeoutNanos;
        this.thread = new Thread(this::run, THREAD);
        this.thread.setDaemon(true);
        // Kafka (class-name settings, JAAS) and the OCI SDK (Jersey's providers) load classes
        // through the context class loader; the thread that starts HiQ may carry the
        // application's, which does not see Jack's libraries (agent mode) or has other versions
        this.thread.setContextClassLoader(JackPipeline.class.getClassLoader());
    }

    /** Starts the batcher thread. */
    public JackPipeline start() {
        thread.start();
        return this;
    }

    @Override
    public void accept(HiQTree tree) {
        add(tree);
    }

    /** Jack needs bytes, not objects: the assembler may hand over its arrays. */
    @Override
    public boolean acceptsView() { return true; }

    @Override
    public void acceptView(TreeView view) {
        if (view.nodeCount() > VIEW_ENCODE_MAX_NODES) {
            // a large tree (a deep one: a traced recursion) is encoded by the batcher as before, so
            // the assembler's thread neither recurses that deep nor stalls the ring on it
            add(view.toTree());
            return;
        }
        EncodedTree e = encode(view);
        if (e != null) add(e);
    }

    private void add(Object item) {
        synchronized (pendingLock) { // uncontended: only the assembler calls this (and close, once)
            // checked under the lock: a tree added after close() took the last pending trees
            // would sit in the list forever, lost without a word
            if (closed) {
                overflow(item);
                return;
            }
            pending.add(item);
            if (pending.size() >= maxBatch) handOver();
        }
    }

    /** The assembler has nothing more right now: hand the trees accepted since the last call over. */
    @Override
    public void endOfBatch() {
        synchronized (pendingLock) {
            handOver();
        }
    }

    /** One hand-over per assembler batch (smart batching); beyond the bound the trees are spooled here. */
    private void handOver() {
        int n = pending.size();
        if (n == 0) return;
        List<Object> batch = pending;
        pending = new ArrayList<>(Math.min(maxBatch, Math.max(16, n)));
        if (queued.get() + n > capacity || closed) {
            if (!closed && queueFullLines.next()) {
                // the one way trees reach the spool with the destination up: say so, and why
                Stderr.line("queue full (" + queued.get() + " trees waiting for Jack's thread, HIQ_JACK_QUEUE=" + capacity
                        + (publisherSettled ? "" : ", which is still creating the publisher")
                        + "): spooling " + n + " trees on the assembler's thread; they are replayed"
                        + " and new trees queue behind them [" + queueFullLines.count() + " such batches so far]");
            }
            for (Object t : batch) overflow(t);
            return;
        }
        queued.addAndGet(n);
        enqueued.addAndGet(n);
        queue.offer(batch);
        if (sleeping) LockSupport.unpark(thread);
    }

    /** The queue is full (or Jack is closed): the tree goes to the jack log and the spool at once. */
    private void overflow(Object item) {
        EncodedTree e = item instanceof EncodedTree done ? done : encode((HiQTree) item);
        if (e == null) return;
        if (log != null) log.append(e.json());
        if (tooLarge(e)) return;
        spoolAll(List.of(e));
    }

    // ---------------------------------------------------------------- batcher thread

    private void run() {
        try {
            publisher = publisherFactory.get();
        } catch (RuntimeException | LinkageError e) {
            Stderr.line("cannot create the publisher (" + Stderr.describe(e) + "); trees go to the jack log and the spool only");
        }
        publisherSettled = true;
        List<Object> drained = new ArrayList<>(maxBatch);
        while (true) {
            try {
                // take what is there, up to about maxBatch trees (the hand-overs stay whole)
                List<Object> b;
                while (drained.size() < maxBatch && (b = queue.poll()) != null) {
                    queued.addAndGet(-b.size());
                    drained.addAll(b);
                }
                if (!drained.isEmpty()) {
                    process(drained);
                    drained.clear();
                } else {
                    sleep(pollMillis());
                }
                pumpReplay();
                spool.syncIfDue(); // at most every HIQ_JACK_FSYNC, on this thread, never the application's
            } catch (Throwable t) {
                drained.clear();
                if (batcherErrorLines.next()) {
                    Stderr.line("batcher error (trees of this batch may be missing from the spool): "
                            + Stderr.describe(t) + " [" + batcherErrorLines.count() + " so far]");
                }
            }
            synchronized (progress) {
                progress.notifyAll();
            }
            if (stopping && queue.isEmpty()) break;
        }
    }

    /** Parks until a hand-over, a completed export or the timeout; never misses a wake-up. */
    private void sleep(long millis) {
        if (millis <= 0) return;
        sleeping = true;
        if (queue.isEmpty()) LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(millis));
        sleeping = false;
        Thread.interrupted(); // an interrupt only means "look again"
    }

    private long pollMillis() {
        if (stopping) return 0;
        if (!replays.isEmpty()) return 5;
        if (publisher != null && !down && spool.hasUnread()) return 5; // busy publisher: look again soon
        if (publisher != null && (down || spool.hasUnread())) {
            long wait = TimeUnit.NANOSECONDS.toMillis(nextRetry - System.nanoTime());
            return Math.max(1, Math.min(250, wait));
        }
        return 250;
    }

    private void process(List<Object> items) {
        List<EncodedTree> batch = new ArrayList<>(items.size());
        int trees = 0;
        for (Object item : items) {
            trees++;
            EncodedTree e = item instanceof EncodedTree done ? done : encode((HiQTree) item);
            if (e == null) continue;
            if (log != null) log.append(e.json());
            if (tooLarge(e)) continue;
            batch.add(e);
        }
        if (log != null) log.flush();
        try {
            if (batch.isEmpty()) return;
            if (publisher == null || down || spool.hasUnread() || !replays.isEmpty()) {
                spoolAll(batch); // keep order behind the backlog
                behindBacklog = true;
            } else {
                if (behindBacklog && liveAgainLines.next()) {
                    Stderr.line(publisher.name() + ": spool replayed; new trees are delivered directly again ["
                            + liveAgainLines.count() + " times so far]");
                }
                behindBacklog = false;
                exportLive(batch);
            }
        } finally {
            handled.addAndGet(trees);
        }
    }

    private void exportLive(List<EncodedTree> batch) {
        liveInFlight.incrementAndGet();
        CompletableFuture<ExportResult> f;
        try {
            f = publisher.export(batch);
        } catch (RuntimeException e) {
            f = CompletableFuture.completedFuture(ExportResult.failure(batch, e));
        }
        f.whenComplete((r, ex) -> {
            try {
                if (r == null) r = ExportResult.failure(batch, ex);
                counters.published.addAndGet(r.delivered());
                for (EncodedTree t : r.rejected()) reject(t, "refused by " + publisher.name());
                if (!r.retry().isEmpty()) {
                    // busy is back-pressure, and what close() took back from the publisher at the
                    // deadline failed because Jack stopped it: neither is an outage to report
                    if (closed) closeError = r.error();
                    else if (!(r.error() instanceof PublisherBusyException)) markDown(r.error());
                    else if (busyLines.next()) {
                        Stderr.line(publisher.name() + " busy (" + r.error().getMessage() + "): spooling "
                                + r.retry().size() + " trees; they are replayed in order and new trees queue behind them ["
                                + busyLines.count() + " such batches so far]");
                    }
                    spoolAll(r.retry());
                }
            } finally {
                liveInFlight.decrementAndGet();
                wake();
            }
        });
    }

    private void pumpReplay() {
        if (publisher == null) return;
        harvestReplays();
        if (stopping || !spool.hasUnread() || System.nanoTime() < busyUntil) return;
        if (down) {
            if (!replays.isEmpty() || System.nanoTime() < nextRetry) return;
            nextRetry = System.nanoTime() + RETRY_NANOS;
            submitReplay(maxBatch); // the probe
        } else {
            // a busy publisher would send the chunk back at once: reading it (up to 4 MiB, checked
            // record by record) again every 100 ms only burns the CPU the sends need
            while (replays.size() < window && spool.hasUnread() && publisher.ready() && !lastReplayFailed()) {
                if (!submitReplay(maxBatch)) break;
            }
        }
        replaysInFlight = replays.size();
    }

    /** Commits, in order, the replayed chunks that were delivered; on a failure rewinds the spool. */
    private void harvestReplays() {
        while (!replays.isEmpty() && replays.peek().future().isDone()) {
            Replay r = replays.poll();
            ExportResult res = r.future().getNow(null);
            if (res == null) res = ExportResult.failure(r.chunk().trees(), null);
            for (EncodedTree t : res.rejected()) reject(t, "refused by " + publisher.name());
            if (!res.retry().isEmpty()) {
                // keep the order: everything from this chunk on is read again after the next probe
                if (res.error() instanceof PublisherBusyException) {
                    busyUntil = System.nanoTime() + BUSY_NANOS; // back-pressure: again shortly
                } else {
                    markDown(res.error());
                    lastProbeFailure = System.nanoTime();
                    nextRetry = System.nanoTime() + RETRY_NANOS;
                }
                spool.rewind();
                replays.clear();
                break;
            }
            // counted when committed: the trees acknowledged in a chunk that failed in part are
            // read and sent again after the rewind, and must not count twice
            counters.replayed.addAndGet(res.delivered());
            spool.commit(r.chunk().end(), r.chunk().size());
            if (down) {
                down = false;
                Stderr.line(publisher.name() + ": delivering again; replaying the spool ("
                        + spool.pending() + " trees left)");
            }
        }
        replaysInFlight = replays.size();
    }

    private boolean submitReplay(int records) {
        SpoolChunk chunk = spool.read(records, chunkBytes);
        if (chunk == null) return false;
        // trees spooled before the publisher (and its limit) was known must not block the replay
        List<EncodedTree> trees = new ArrayList<>(chunk.size());
        for (EncodedTree t : chunk.trees()) {
            // refused for good at an earlier probe (the chunk is read again after every failed
            // one): neither sent again nor rejected again
            if (rejectedIds.contains(t.id())) continue;
            if (!tooLarge(t)) trees.add(t);
        }
        CompletableFuture<ExportResult> f;
        try {
            f = publisher.export(trees);
        } catch (RuntimeException e) {
            f = CompletableFuture.completedFuture(ExportResult.failure(trees, e));
        }
        f.whenComplete((r, e) -> wake());
        replays.add(new Replay(chunk, f));
        return !lastReplayFailed();
    }

    /**
     * True when the newest replay chunk came back undelivered (busy: the budget stayed spent; or
     * the producer failed at once) and waits to be harvested behind older ones: no further chunk
     * may be sent meanwhile. It would be delivered, then read again after the rewind the failed
     * one causes: a duplicate, and out of order.
     */
    private boolean lastReplayFailed() {
        Replay last = replays.peekLast();
        if (last == null) return false;
        ExportResult now = last.future().getNow(null);
        return now != null && !now.isSuccess();
    }

    private void markDown(Throwable error) {
        if (down) return;
        nextRetry = System.nanoTime() + RETRY_NANOS;
        down = true;
        Stderr.line(publisher.name() + ": cannot deliver (" + publisher.describe(error)
                + "); spooling trees under " + spool.directory() + " and retrying every second");
    }

    private void wake() {
        LockSupport.unpark(thread); // a permit: the next park returns at once
    }

    // ---------------------------------------------------------------- shared helpers

    /** The one size limit, or the publisher's own when it is smaller. */
    private int limit() {
        TreePublisher p = publisher;
        return p == null ? TreeLimits.MAX_ENCODED_BYTES : Math.min(TreeLimits.MAX_ENCODED_BYTES, p.maxMessageBytes());
    }

    /** Encodes with the limit: a tree above it is never encoded whole (the writer stops at the limit). */
    private EncodedTree encode(HiQTree tree) {
        int limit = limit();
        try {
            return new EncodedTree(tree.id(), TreeCodec.encode(tree, limit));
        } catch (TreeTooLargeException e) {
            rejectTooLarge(tree.id(), limit);
            return null;
        } catch (RuntimeException e) {
            counters.failed.incrementAndGet();
            Stderr.line("cannot encode tree " + tree.id() + ": " + Stderr.describe(e));
            return null;
        }
    }

    /** {@link #encode(HiQTree)} of a view, on the assembler thread: into the reused buffer, then one copy. */
    private EncodedTree encode(TreeView view) {
        int limit = limit();
        try {
            int n = viewWriter.encode(view, limit);
            return new EncodedTree(view.id(), java.util.Arrays.copyOf(viewWriter.buffer(), n));
        } catch (TreeTooLargeException e) {
            rejectTooLarge(view.id(), limit);
            return null;
        } catch (RuntimeException e) {
            counters.failed.incrementAndGet();
            Stderr.line("cannot encode tree " + view.id() + ": " + Stderr.describe(e));
            return null;
        }
    }

    /** What is kept of a tree above the limit: a one-line note, for a human to find its id and size bound. */
    private void rejectTooLarge(String id, int limit) {
        String note = "{\"id\":\"" + id.replace("\"", "") + "\",\"rejected\":\"more than " + limit + " bytes\"}";
        reject(new EncodedTree(id, note.getBytes(StandardCharsets.UTF_8)), "larger than the limit of " + limit + " bytes");
    }

    private boolean tooLarge(EncodedTree e) {
        if (publisher == null || e.size() <= publisher.maxMessageBytes()) return false;
        reject(e, e.size() + " bytes, more than " + publisher.name() + "'s limit of " + publisher.maxMessageBytes());
        return true;
    }

    private void reject(EncodedTree e, String why) {
        if (!rejectedIds.add(e.id())) return; // read again after a rewind: rejected and counted once
        counters.failed.incrementAndGet();
        spool.reject(e);
        if (rejectedLines.next()) {
            Stderr.line("tree " + e.id() + " not published (" + why + "); kept in "
                    + spool.rejectedFile() + (log != null ? " and the jack log" : "") + " [" + rejectedLines.count() + " so far]");
        }
    }

    private void spoolAll(List<EncodedTree> trees) {
        try {
            spool.append(trees);
            counters.spooled.addAndGet(trees.size());
        } catch (RuntimeException e) {
            counters.failed.addAndGet(trees.size());
            if (spoolErrorLines.next()) {
                Stderr.line("cannot spool " + trees.size() + " trees (" + e.getMessage()
                        + "); counted in JackFailed [" + spoolErrorLines.count() + " such errors so far]");
            }
        }
    }

    // ---------------------------------------------------------------- flush and close

    /** Trees accepted and not yet through the batcher. */
    public long backlog() { return enqueued.get() - handled.get(); }

    /** The publisher once the batcher has created it; null before, or when none could be (tests, diagnostics). */
    public TreePublisher publisher() { return publisher; }

    /** True while the publisher is considered unreachable. */
    public boolean isDown() { return down; }

    @Override
    public void flush(long deadlineNanos) {
        endOfBatch(); // the assembler has stopped: what it accepted last goes now
        flushDeadline = deadlineNanos;
        long start = System.nanoTime();
        nextRetry = start; // probe at once if the publisher is down
        wake();
        await(() -> handled.get() >= enqueued.get(), deadlineNanos);
        if (publisher != null) {
            // until the deadline: the batcher keeps probing (once a second) while the destination is
            // down and replays the spool as soon as it answers; done when nothing is left to send
            await(() -> !spool.hasUnread() && replaysInFlight == 0 && liveInFlight.get() == 0
                    && handled.get() >= enqueued.get(), deadlineNanos);
            publisher.flush(Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime())));
        }
        if (log != null) log.flush();
        spool.sync();
    }

    private void join(long millis) {
        try {
            thread.join(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void await(BooleanSupplier done, long deadlineNanos) {
        synchronized (progress) {
            while (!done.getAsBoolean()) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0 || !thread.isAlive()) return;
                try {
                    progress.wait(Math.max(1, Math.min(50, TimeUnit.NANOSECONDS.toMillis(left))));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    @Override
    public void close() {
        if (closed) return;
        // one deadline for the exit: flush's, even when it has passed (then the producer gets its
        // last 200 ms below). Starting a whole new HIQ_FLUSH_TIMEOUT here made an exit with a
        // broker that accepted connections but did not answer take 13 s for HIQ_FLUSH_TIMEOUT=10
        long deadline = flushDeadline != 0 ? flushDeadline : System.nanoTime() + flushTimeoutNanos;
        stopping = true;
        wake();
        join(Math.max(100, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        synchronized (pendingLock) {
            closed = true; // from now on accept() spools (or counts as failed) each tree itself
        }
        TreePublisher pub = publisher;
        if (pub != null) {
            // at least a moment, so that a healthy producer gets its last acknowledgements; this
            // also releases a batcher blocked in send() (never interrupted: an interrupt would
            // close the spool's file channels under it)
            long left = Math.max(TimeUnit.MILLISECONDS.toNanos(200), deadline - System.nanoTime());
            pub.shutdown(Duration.ofNanos(left));
            join(1000);
            // chunks acknowledged while the producer shut down are committed, not replayed again
            if (!thread.isAlive()) harvestReplays();
        }
        // whatever the batcher did not take (it died, or the deadline passed) goes to the spool
        synchronized (pendingLock) {
            List<Object> b;
            while ((b = queue.poll()) != null) for (Object t : b) overflow(t);
            for (Object t : pending) overflow(t);
            pending.clear();
        }
        spool.close();
        if (log != null) log.close();
        long pending = spool.pending();
        if (pending > 0) {
            Stderr.line(pending + " trees stay in " + spool.directory()
                    + (publisher == null ? " (no publisher)"
                        : down ? " (" + publisher.name() + " still unreachable at the end of HIQ_FLUSH_TIMEOUT)"
                        : " (HIQ_FLUSH_TIMEOUT ended before " + publisher.name() + " acknowledged them"
                            + (closeError != null ? ": " + publisher.describe(closeError) : "") + ")")
                    + " and are replayed at the next start with the same HIQ_HOME");
        }
    }
}
