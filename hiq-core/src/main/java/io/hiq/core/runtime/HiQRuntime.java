package io.hiq.core.runtime;

import io.hiq.core.agent.AsyncInstrumentation;
import io.hiq.core.agent.Instrumenter;
import io.hiq.core.conf.HiQConf;
import io.hiq.core.event.DropCounters;
import io.hiq.core.event.Recorder;
import io.hiq.core.event.SpanRing;
import io.hiq.core.event.TagRegistry;
import io.hiq.core.metric.Metric;
import io.hiq.core.metric.MetricReaders;
import io.hiq.core.sink.TreeStore;
import io.hiq.core.sink.TreesFileSink;
import io.hiq.core.spi.HiQContext;
import io.hiq.core.spi.HiQExtension;
import io.hiq.core.spi.SpanEventHandler;
import io.hiq.core.spi.TreeSink;
import io.hiq.core.status.HiQStatus;
import io.hiq.core.tree.AssemblyCounters;
import io.hiq.core.tree.AssemblyLimits;
import io.hiq.core.tree.TreeAssembler;
import io.hiq.tree.HiQTree;
import io.hiq.tree.TreeRenderer;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.instrument.Instrumentation;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * One running HiQ: the conf's methods instrumented, the ring and its consumers, the sinks, the
 * extensions (LMK, Jack, exporters), the MBean and the global-status watch. The agent starts one at
 * JVM start; the driver ({@code io.hiq.HiQ}) starts one per {@code HiQ.latency(...)}. At most one
 * runs at a time in a JVM (the hot path is static).
 */
public final class HiQRuntime implements HiQContext, AutoCloseable {
    /** Registrations of a new tag name refused because the registry was full ({@link TagRegistry#OVERFLOW}). */
    public static final String TAG_OVERFLOW = "TagOverflow";
    /** Counter names of DESIGN B7. */
    public static final String PUBLISHED = "Published", DROPPED = "Dropped", DROPPED_TREES = "DroppedTrees", TREES = "Trees";
    /** Traced calls ignored because they ran inside HiQ's own recording (a traced custom metric). */
    public static final String REENTRANT = "DroppedReentrant";
    /** Gaps in kept trees (a full ring) and the records they skipped (docs/FORMATS.md §1.6). */
    public static final String GAPS = "Gaps", GAP_RECORDS = "GapRecords";
    /**
     * How long the exit waits for the extensions to finish starting (when {@code HIQ_FLUSH_TIMEOUT}
     * is shorter): no application thread waits for them, so a short program can end before a
     * Kafka producer or a logging configuration is up; its trees go out once they are.
     */
    static final long EXTENSIONS_START_WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** Counter names of the bounded assembler (docs/FORMATS.md §1.2). */
    public static final String BROKEN_TREES = "BrokenTrees", TRUNCATED_TREES = "TruncatedTrees", PARTIAL_TREES = "PartialTrees";

    private static final TagRegistry TAGS = new TagRegistry();
    private static HiQRuntime current;

    private final Instrumentation inst;
    private final HiQConf conf;
    private final RuntimeOptions options;
    private final Settings settings;
    private final PrintStream err;
    private final Counters counters = new Counters();
    private final DropCounters drops = new DropCounters();
    private final long anchorNanos;
    private final long anchorEpochMicros;
    private final long pid;
    private final String host;
    private final TreeStore store;
    private final List<TreeSink> sinks = new CopyOnWriteArrayList<>();
    private final List<SpanEventHandler> spanHandlers = new CopyOnWriteArrayList<>();
    private final List<HiQExtension> extensions = new CopyOnWriteArrayList<>();
    /**
     * In the agent, the thread starting the extensions (LMK's logback, Jack's log, spool and
     * producer) while the application goes on to {@code main}; null when they started on the
     * starting thread (the driver) or there are none.
     */
    private final Thread extensionStarter;
    /** Set when the ring took the span handlers: an extension adding one later is refused. */
    private volatile boolean spanHandlersTaken;
    private final TreeAssembler assembler;
    private final SpanRing ring;
    private final ScheduledExecutorService control;
    private volatile Instrumenter.Installation installation;
    private java.lang.instrument.ClassFileTransformer asyncTransformer;
    private volatile boolean enabled = true;
    private volatile boolean globalStatus = true;
    private volatile boolean closed;
    /** Counted down when close() has done all it does: a new runtime may start then ({@link #start}). */
    private final CountDownLatch closeFinished = new CountDownLatch(1);
    private ObjectName mbeanName;

    private HiQRuntime(Instrumentation inst, HiQConf conf, RuntimeOptions options, Settings settings,
                       List<ClassLoader> extensionLoaders, PrintStream err) {
        this.inst = inst;
        this.conf = conf;
        this.options = options;
        this.settings = settings;
        this.err = err;
        AssemblyLimits limits = AssemblyLimits.fromSettings(settings); // a bad HIQ_MAX_NODES fails before anything starts
        BatchingOptions batching = BatchingOptions.fromSettings(settings); // so does a bad HIQ_BATCH_*
        this.anchorEpochMicros = epochMicrosNow();
        this.anchorNanos = System.nanoTime();
        this.pid = ProcessHandle.current().pid();
        this.host = hostName();

        AtomicLong published = counters.counter(PUBLISHED);
        AtomicLong trees = counters.counter(TREES);
        counters.register(DROPPED, drops.droppedEvents::get);
        counters.register(DROPPED_TREES, drops.droppedTrees::get);
        counters.register(TAG_OVERFLOW, TAGS::overflowed);
        counters.register(REENTRANT, drops.reentrantCalls::get);
        counters.register(GAPS, drops.gaps::get);
        counters.register(GAP_RECORDS, drops.gapRecords::get);

        this.store = new TreeStore(options.maxTrees());
        sinks.add(store);
        if (options.treesFile() != null) {
            try {
                sinks.add(new TreesFileSink(options.treesFile()));
            } catch (IOException e) {
                err.println(io.hiq.core.redact.SafeText.line("hiq: trees file " + options.treesFile() + ": cannot open (" + e + "); trees are not written there"));
            }
        }
        io.hiq.core.agent.StartupTrace.mark("runtime basics");
        if (options.loadExtensions() && !extensionLoaders.isEmpty() && settings.flag("HIQ_AGENT")) {
            // off the application's start-up path: the ring's build (on its own thread, asked for at the
            // first publish; application threads buffer meanwhile) and close() wait for it
            List<ClassLoader> loaders = List.copyOf(extensionLoaders);
            this.extensionStarter = new Thread(() -> startExtensions(loaders), "hiq-extensions");
            extensionStarter.setDaemon(true);
            extensionStarter.start();
        } else {
            this.extensionStarter = null;
            if (options.loadExtensions()) startExtensions(extensionLoaders);
        }
        io.hiq.core.agent.StartupTrace.mark("extensions started");

        this.assembler = new TreeAssembler(TAGS, options.metrics(), options.mode(), options.service(), host, pid,
                this::epochMicros, anchorNanos, sinks, limits, new AssemblyCounters(published, trees,
                        counters.counter(BROKEN_TREES), counters.counter(TRUNCATED_TREES), counters.counter(PARTIAL_TREES)));
        io.hiq.core.agent.StartupTrace.mark("assembler");
        java.util.function.LongSupplier[] readers = MetricReaders.forMetrics(options.metrics(), options.customMetric());
        int stride = 2 + readers.length;
        int slots = options.ringSize() > 0 ? options.ringSize()
                : SpanRing.slotsFor(batching.ringMemoryBytes(), SpanRing.DEFAULT_SLOT_RECORDS, stride);
        this.ring = new SpanRing(slots, SpanRing.DEFAULT_SLOT_RECORDS, stride, options.blockOnFull(), this::ringHandlers,
                this::extensionsStarted);
        // the agent builds its ring at the first publish (not before main); the driver now, as it always did
        if (!settings.flag("HIQ_AGENT")) ring.start();
        io.hiq.core.agent.StartupTrace.mark("ring");
        Recorder.install(ring, options.bufferSize(), readers, drops, batching.batching());
        io.hiq.core.agent.StartupTrace.mark("recorder");
        if (inst != null && conf != null) this.installation = Instrumenter.install(inst, conf, TAGS, err);
        io.hiq.core.agent.StartupTrace.mark("instrumenter");
        if (inst != null && settings.flag("HIQ_ASYNC")) this.asyncTransformer = AsyncInstrumentation.install(inst, settings.home(), err);

        // Everything not needed before the first traced call happens off the starting thread.
        this.control = Executors.newSingleThreadScheduledExecutor(io.hiq.core.event.HiQThreads.daemon("hiq-control"));
        // JMX loads ~250 classes and the calibration keeps a core busy for a moment: both wait until
        // the application is past its own start-up (the MBean is there within a second)
        control.schedule(this::registerMBean, 300, TimeUnit.MILLISECONDS);
        control.schedule(() -> assembler.overheadPerRecordNs(io.hiq.core.event.OverheadCalibration.nanosPerRecord(
                        options.metrics(), options.customMetric(), slots, options.bufferSize(), batching.batching())),
                1, TimeUnit.SECONDS);
        long statusPeriod = settings.flag("HIQ_STATUS_CACHED") ? 5 : 1;
        pollStatus(); // a machine switched off at start is off from the first call
        control.scheduleWithFixedDelay(this::pollStatus, statusPeriod, statusPeriod, TimeUnit.SECONDS);
        io.hiq.core.agent.StartupTrace.mark("control thread, status");
    }

    /**
     * Starts HiQ. Fails with {@link IllegalStateException} when another runtime is running; waits
     * (at most a minute) while one is still closing on another thread.
     *
     * @param inst             instrumentation (null: no methods instrumented, e.g. API-only use)
     * @param conf             the methods to trace (null: none)
     * @param extensionLoaders where to look for {@link HiQExtension}s
     */
    public static HiQRuntime start(Instrumentation inst, HiQConf conf, RuntimeOptions options, Settings settings,
                                   List<ClassLoader> extensionLoaders, PrintStream err) {
        for (;;) {
            HiQRuntime previous;
            synchronized (HiQRuntime.class) {
                previous = current;
                if (previous == null || previous.closeFinished.getCount() == 0) {
                    current = new HiQRuntime(inst, conf, options, settings, extensionLoaders, err);
                    return current;
                }
                if (!previous.closed) throw new IllegalStateException("hiq: a HiQ runtime is already running in this JVM; close it first");
            }
            // still closing on another thread: its last steps (uninstalling the recorder, resetting the
            // traced classes, unregistering the MBean) would undo this start, so it waits — outside the
            // class's lock, which the closing runtime's extensions may take through current()
            previous.awaitClosed(CLOSING_WAIT_NANOS);
        }
    }

    /** How long a start waits for a runtime still closing on another thread (its flush is bounded, an extension's close may not be). */
    private static final long CLOSING_WAIT_NANOS = TimeUnit.SECONDS.toNanos(60);

    /** Waits until this runtime's close has finished; fails when it takes longer than {@code nanos} or the wait is interrupted. */
    private void awaitClosed(long nanos) {
        try {
            if (!closeFinished.await(nanos, TimeUnit.NANOSECONDS)) {
                throw new IllegalStateException("hiq: the previous HiQ runtime is still closing after " + nanos / 1_000_000_000L
                        + " s; a new one cannot start before it has");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("hiq: interrupted while the previous HiQ runtime was closing", e);
        }
    }

    /** The running runtime, or null. */
    public static synchronized HiQRuntime current() { return current != null && !current.closed ? current : null; }

    /** The JVM-wide tag registry (ids stay stable across runtimes). */
    public static TagRegistry tagRegistry() { return TAGS; }

    /** Whether the extensions have started (or none start on a thread of their own): the ring's build would not wait. */
    private boolean extensionsStarted() {
        Thread t = extensionStarter;
        return t == null || !t.isAlive();
    }

    /** The ring's consumers, when it is built: the assembler and the extensions' span handlers. */
    private List<SpanEventHandler> ringHandlers() {
        awaitExtensions(0);
        spanHandlersTaken = true;
        List<SpanEventHandler> handlers = new ArrayList<>();
        handlers.add(assembler);
        handlers.addAll(spanHandlers);
        return handlers;
    }

    /**
     * Waits for the extensions starting on their own thread (at most until the deadline; 0: no
     * deadline: the ring's builder, {@code hiq-ring-start}, never an application thread). Not on
     * that thread itself.
     */
    private void awaitExtensions(long deadlineNanos) {
        Thread t = extensionStarter;
        if (t == null || t == Thread.currentThread()) return;
        boolean interrupted = false;
        while (t.isAlive()) {
            long left = deadlineNanos == 0 ? 0 : deadlineNanos - System.nanoTime();
            if (deadlineNanos != 0 && left <= 0) break;
            try {
                t.join(deadlineNanos == 0 ? 0 : Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    private void startExtensions(List<ClassLoader> loaders) {
        for (ClassLoader loader : loaders) {
            try {
                for (HiQExtension ext : ServiceLoader.load(HiQExtension.class, loader)) {
                    try {
                        if (ext.start(this)) extensions.add(ext);
                    } catch (Throwable t) {
                        err.println(io.hiq.core.redact.SafeText.line("hiq: extension " + ext.name() + " failed to start (tracing goes on without it): " + t));
                    }
                }
            } catch (ServiceConfigurationError e) {
                err.println(io.hiq.core.redact.SafeText.line("hiq: cannot load extensions: " + e.getMessage()));
            }
        }
    }

    /**
     * Under this runtime's lock, as {@link #close} sets {@code closed} and takes {@link #mbeanName}:
     * a registration still running when close() began (its 300 ms came during the close; shutdownNow
     * does not wait for a running task) is either seen by close() and unregistered, or not made.
     * It used to be made after close() had looked, and the platform MBean server then kept the
     * closed runtime, and its ring, until the next runtime registered.
     */
    private synchronized void registerMBean() {
        if (closed) return;
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            ObjectName name = new ObjectName(HiQControl.OBJECT_NAME);
            if (server.isRegistered(name)) server.unregisterMBean(name);
            server.registerMBean(new HiQControl(this), name);
            mbeanName = name;
        } catch (Exception e) {
            err.println(io.hiq.core.redact.SafeText.line("hiq: cannot register the MBean " + HiQControl.OBJECT_NAME + ": " + e));
        }
    }

    private void pollStatus() {
        boolean g = HiQStatus.get(settings);
        if (g != globalStatus) {
            globalStatus = g;
            applySwitch();
        }
    }

    private void applySwitch() { Recorder.setEnabled(enabled && globalStatus && !closed); }

    /** Re-instruments the conf's methods and resumes recording. */
    public synchronized void enable() {
        if (closed || enabled) return;
        enabled = true;
        if (inst != null && conf != null) installation = Instrumenter.install(inst, conf, TAGS, err, false); // warned at start
        applySwitch();
    }

    /** Stops recording and restores the original bytecode of every traced class. */
    public synchronized void disable() {
        if (closed || !enabled) return;
        enabled = false;
        applySwitch();
        Instrumenter.Installation i = installation;
        if (i != null) i.reset();
    }

    /** Whether this runtime records (its own switch and the global status). */
    public boolean isEnabled() { return enabled && globalStatus && !closed; }

    /** The trees kept in memory, oldest first. */
    public List<HiQTree> trees() { return store.trees(); }

    /** Forgets the trees kept in memory. */
    public void clearTrees() { store.clear(); }

    /** The current instrumentation, or null. */
    public Instrumenter.Installation installation() { return installation; }

    /**
     * Waits until every span published so far has been assembled and handed to the sinks, at most
     * until the deadline; for {@code show()} and tests.
     */
    public boolean awaitQuiescent(long deadlineNanos) {
        boolean published = Recorder.awaitPublished(deadlineNanos);
        return ring.awaitDrained(deadlineNanos) && published;
    }

    /** Stops tracing, drains and flushes everything within the flush timeout, and restores the classes. */
    @Override
    public void close() { close(true); }

    /**
     * Stops this runtime.
     *
     * @param restoreClasses re-transform the traced classes back (the driver does; at JVM exit it is pointless)
     */
    public void close(boolean restoreClasses) {
        synchronized (this) {
            if (closed) return;
            closed = true;
        }
        try {
            closeNow(restoreClasses);
        } finally {
            closeFinished.countDown();
        }
    }

    /** What close() does, once. */
    private void closeNow(boolean restoreClasses) {
        long flush = options.flushTimeout().toNanos();
        long deadline = System.nanoTime() + flush;
        Thread starter = extensionStarter;
        if (starter != null && starter.isAlive()) {
            // their sinks must be there before the last trees are assembled. No application thread
            // waited for their start (a short program may end first): the exit does, at most
            // EXTENSIONS_START_WAIT (or the flush timeout if longer), and the flush then has its own
            // timeout
            long startWait = Math.max(flush, EXTENSIONS_START_WAIT_NANOS);
            awaitExtensions(System.nanoTime() + startWait);
            if (starter.isAlive() && !ring.built()) {
                // an extension's start hangs (a broker that does not answer): the ring, whose consumers
                // include the extensions', was never built; what was recorded is counted as dropped below
                err.println(io.hiq.core.redact.SafeText.line("hiq: exit: the extensions were still starting "
                        + startWait / 1_000_000 / 1000.0 + " s after the exit began; the ring waits for them, so the calls recorded meanwhile reach no sink (counted as dropped)"));
            } else {
                deadline = System.nanoTime() + flush;
            }
        }
        Recorder.setEnabled(false);
        // every completed root of every thread, live or dead, goes out or is counted as dropped
        Recorder.drainForShutdown(deadline);
        Instrumenter.Installation i = installation;
        if (restoreClasses && i != null) i.reset();
        if (asyncTransformer != null) AsyncInstrumentation.uninstall(inst, restoreClasses ? asyncTransformer : null);
        ring.shutdown(deadline);
        long lost = ring.backlog();
        if (lost > 0) {
            // the flush timeout ran out (a loaded machine, a slow sink): never lose trees silently
            err.println(io.hiq.core.redact.SafeText.line("hiq: exit: HIQ_FLUSH_TIMEOUT (" + options.flushTimeout().toMillis() / 1000.0
                    + " s) ran out with " + lost + " batch(es) of recorded calls not assembled; their trees are in no sink (raise HIQ_FLUSH_TIMEOUT)"));
        }
        long droppedTrees = drops.droppedTrees.get();
        if (droppedTrees > 0) {
            // counted all along (Dropped/DroppedTrees), said once at the end: a full ring drops whole
            // trees, and a user reading only the output would otherwise never know
            err.println(io.hiq.core.redact.SafeText.line("hiq: exit: " + droppedTrees + " tree(s) dropped because the ring was full ("
                    + (drops.droppedEvents.get() - drops.gapRecords.get()) + " records; the application outran HiQ's consumer): HIQ_RING_POLICY=block or a larger HIQ_RING_MEMORY_MB keeps them"));
        }
        long gaps = drops.gaps.get();
        if (gaps > 0) {
            // the trees are kept (flagged truncated, extra.gaps), but calls are missing from them: say so once
            err.println(io.hiq.core.redact.SafeText.line("hiq: exit: " + gaps + " gap(s) in kept trees because the ring was full ("
                    + drops.gapRecords.get() + " records not recorded; the trees are flagged truncated and count them in extra.gaps): "
                    + "HIQ_RING_POLICY=block or a larger HIQ_RING_MEMORY_MB records every call"));
        }
        assembler.flush(deadline); // trees still waiting for async tasks go out now
        for (TreeSink s : sinks) {
            try {
                s.flush(deadline);
                s.close();
            } catch (RuntimeException e) {
                err.println(io.hiq.core.redact.SafeText.line("hiq: a tree sink failed to flush: " + e));
            }
        }
        for (SpanEventHandler h : spanHandlers) {
            try {
                h.flush(deadline);
                h.close();
            } catch (RuntimeException e) {
                err.println(io.hiq.core.redact.SafeText.line("hiq: a span handler failed to flush: " + e));
            }
        }
        for (HiQExtension e : extensions) {
            try {
                e.close();
            } catch (RuntimeException ex) {
                err.println(io.hiq.core.redact.SafeText.line("hiq: extension " + e.name() + " failed to close: " + ex));
            }
        }
        Recorder.uninstall();
        control.shutdownNow();
        ObjectName registered;
        synchronized (this) {
            registered = mbeanName; // registerMBean() is done, or will not register (closed)
            mbeanName = null;
        }
        if (registered != null) {
            try {
                ManagementFactory.getPlatformMBeanServer().unregisterMBean(registered);
            } catch (Exception ignored) {
                // already gone
            }
        }
        if (options.showAtExit()) {
            List<HiQTree> kept = store.trees();
            if (!kept.isEmpty()) err.print(TreeRenderer.local().render(kept));
        }
    }

    /** Prints the warnings for conf entries whose class never loaded (agent mode, at exit). */
    public void warnUnmatched() {
        Instrumenter.Installation i = installation;
        if (i != null) i.warnUnmatched();
    }

    /** The options this runtime runs with. */
    public RuntimeOptions options() { return options; }

    // --- HiQContext -----------------------------------------------------------------------------

    @Override public Settings settings() { return settings; }
    @Override public TagRegistry tags() { return TAGS; }
    @Override public List<String> metrics() { return options.metrics().stream().map(Metric::label).toList(); }
    @Override public long pid() { return pid; }
    @Override public String service() { return options.service(); }
    @Override public Counters counters() { return counters; }
    @Override public void addSpanHandler(SpanEventHandler handler) {
        if (spanHandlersTaken) throw new IllegalStateException("span handlers are added while extensions start");
        spanHandlers.add(handler);
    }
    @Override public void addTreeSink(TreeSink sink) { sinks.add(sink); }
    @Override public long epochMicros(long nanoTime) { return anchorEpochMicros + (nanoTime - anchorNanos) / 1000L; }

    /** The ring of this runtime (tools and tests: a closed runtime's ring must become unreachable). */
    public SpanRing ring() { return ring; }

    /** The run's {@code nanoTime} anchor: {@code time} readings in trees are relative to it. */
    public long anchorNanos() { return anchorNanos; }

    private static long epochMicrosNow() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1000L;
    }

    /** The host name without a DNS lookup (which can take seconds on a misconfigured machine). */
    private static String hostName() {
        String h = System.getenv("HOSTNAME");
        if (h != null && !h.isBlank()) return h.trim();
        try {
            String f = Files.readString(Path.of("/etc/hostname")).trim();
            if (!f.isEmpty()) return f;
        } catch (IOException | RuntimeException ignored) {
            // not Linux
        }
        return "localhost";
    }
}
