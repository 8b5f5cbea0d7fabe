package io.hiq;

import io.hiq.core.conf.ConfException;
import io.hiq.core.conf.ConfParser;
import io.hiq.core.conf.HiQConf;
import io.hiq.core.event.ContextTask;
import io.hiq.core.event.ContextExecutorService;
import io.hiq.core.event.Recorder;
import io.hiq.core.event.Span;
import io.hiq.core.metric.Metric;
import io.hiq.core.runtime.HiQRuntime;
import io.hiq.core.runtime.RuntimeOptions;
import io.hiq.core.runtime.Settings;
import io.hiq.core.tree.Mode;
import io.hiq.tree.HiQTree;
import io.hiq.tree.TreeRenderer;
import java.io.PrintStream;
import java.lang.instrument.Instrumentation;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.function.LongSupplier;
import net.bytebuddy.agent.ByteBuddyAgent;

/**
 * Driver mode (DESIGN A5): trace the conf's methods of code running in this JVM, with no
 * {@code -javaagent} and no change to that code.
 *
 * <pre>{@code
 * try (HiQ hiq = HiQ.latency(Path.of("hiq.conf"))) {   // self-attaches and instruments
 *     Main.main(args);                                  // the target code, untouched
 *     hiq.show();                                       // prints the HiQ trees
 * }                                                     // close(): classes restored
 * }</pre>
 *
 * A conf that cannot be read prints one error line and gives a HiQ that traces nothing (the code
 * runs untraced) unless {@link Builder#fastFail(boolean)} asks for an exception.
 */
public final class HiQ implements AutoCloseable {
    private static Instrumentation instrumentation;

    private final HiQRuntime runtime;

    private HiQ(HiQRuntime runtime) { this.runtime = runtime; }

    /** Traces latency of the conf's methods. */
    public static HiQ latency(Path conf) { return builder().conf(conf).start(); }

    /** Traces latency of the listed methods ({@code module, class, method, tag} rows). */
    public static HiQ latency(List<List<String>> conf) { return builder().conf(conf).start(); }

    /** Traces bytes allocated by the conf's methods (the guide's {@code HiQMemory}). */
    public static HiQ memory(Path conf) { return builder().conf(conf).metrics(Metric.MEMORY).start(); }

    /** A builder for every option. */
    public static Builder builder() { return new Builder(); }

    /**
     * Attaches extra information to the innermost traced call of this thread (shown in trees, LMK
     * and {@code show()}); does nothing outside a traced call.
     */
    public static void extra(String key, Object value) { Recorder.extra(key, value); }

    /**
     * Opens a span named {@code tag} on this thread, ended by {@link Span#close()}: a node in the tree
     * like a traced method's (a root when no traced call is open). For code that is not a method of
     * its own: a request, a phase, a loop.
     *
     * @throws IllegalArgumentException when {@code tag} does not match {@code ^\w+$}
     */
    public static Span span(String tag) {
        if (tag == null || !TAG.matcher(tag).matches()) {
            throw new IllegalArgumentException("span tag '" + tag + "' must match ^\\w+$");
        }
        return Span.open(HiQRuntime.tagRegistry().register(tag, null, null));
    }

    private static final java.util.regex.Pattern TAG = java.util.regex.Pattern.compile("\\w+");

    /**
     * An executor whose tasks carry the traced call they were submitted from: their traced calls
     * appear under it in its tree (context captured at submit). Works for any executor, thread pools,
     * {@code CompletableFuture}'s {@code *Async(…, executor)} stages and virtual-thread executors.
     * A tree waits up to 10 s for the tasks it forked before it is emitted without them.
     */
    public static ExecutorService wrap(ExecutorService executor) { return new ContextExecutorService(executor); }

    /** An executor whose tasks carry the traced call they were submitted from (see {@link #wrap(ExecutorService)}). */
    public static Executor wrap(Executor executor) {
        if (executor instanceof ExecutorService es) return wrap(es);
        return task -> executor.execute(ContextTask.wrap(task));
    }

    /** A task that carries the traced call it was created in, for any other way of running it. */
    public static Runnable wrap(Runnable task) { return ContextTask.wrap(task); }

    /** Prints the trees kept so far to stdout, in the layout of the Python HiQ. */
    public void show() { show(System.out); }

    /** Prints the trees kept so far. */
    public void show(PrintStream out) {
        List<HiQTree> trees = trees();
        if (!trees.isEmpty()) out.print(TreeRenderer.local().render(trees));
        out.flush();
    }

    /** The trees kept so far, oldest first, once every call made so far has been assembled. */
    public List<HiQTree> trees() {
        if (runtime == null) return List.of();
        runtime.awaitQuiescent(System.nanoTime() + 5_000_000_000L);
        return runtime.trees();
    }

    /** Forgets the trees kept so far. */
    public void clear() { if (runtime != null) runtime.clearTrees(); }

    /** Stops tracing and restores the traced classes' original bytecode (tracing then costs nothing). */
    public void disable() { if (runtime != null) runtime.disable(); }

    /** Re-instruments and resumes tracing after {@link #disable()}. */
    public void enable() { if (runtime != null) runtime.enable(); }

    /** Whether calls are being traced. */
    public boolean isEnabled() { return runtime != null && runtime.isEnabled(); }

    /** The underlying runtime (counters, options); null when the conf was broken. */
    public HiQRuntime runtime() { return runtime; }

    /** Disables tracing, flushes every consumer, and restores the traced classes. */
    @Override
    public void close() { if (runtime != null) runtime.close(true); }

    private static synchronized Instrumentation instrumentation() {
        if (instrumentation == null) instrumentation = ByteBuddyAgent.install();
        return instrumentation;
    }

    /** Options of a driver-mode HiQ; unset ones come from the environment (DESIGN B5). */
    public static final class Builder {
        private Path confPath;
        private List<List<String>> confRows;
        private final List<Metric> metrics = new ArrayList<>();
        private LongSupplier customMetric;
        private Mode mode;
        private Integer maxTrees;
        private String service;
        private boolean fastFail;
        private Settings settings = Settings.system();
        private PrintStream err = System.err;

        private Builder() {}

        public Builder conf(Path path) { this.confPath = path; this.confRows = null; return this; }
        public Builder conf(List<List<String>> rows) { this.confRows = rows; this.confPath = null; return this; }
        /** The metrics to record, first is the trees' metric (default {@code time}). */
        public Builder metrics(Metric... ms) { metrics.clear(); metrics.addAll(List.of(ms)); return this; }
        /** A custom metric's reader (the guide's custom metric); adds {@link Metric#CUSTOM} if absent. */
        public Builder customMetric(LongSupplier reader) {
            this.customMetric = reader;
            if (!metrics.contains(Metric.CUSTOM)) metrics.add(Metric.CUSTOM);
            return this;
        }
        public Builder mode(Mode m) { this.mode = m; return this; }
        /** How many trees {@code show()} keeps (the Python {@code max_hiq_size}). */
        public Builder maxTrees(int n) { this.maxTrees = n; return this; }
        public Builder service(String name) { this.service = name; return this; }
        /** Throw {@link IllegalArgumentException} on a broken conf instead of running untraced. */
        public Builder fastFail(boolean on) { this.fastFail = on; return this; }
        /** Settings to use instead of the process's environment (tests, embedding). */
        public Builder settings(Settings s) { this.settings = s; return this; }
        /** Where error lines go (default stderr). */
        public Builder errors(PrintStream err) { this.err = err; return this; }

        /** Self-attaches (once per JVM), instruments the conf's methods and starts tracing. */
        public HiQ start() {
            HiQConf conf;
            try {
                if (confPath != null) conf = ConfParser.parse(confPath);
                else if (confRows != null) conf = ConfParser.parse(confRows);
                else throw new IllegalArgumentException("HiQ: no conf given");
            } catch (ConfException e) {
                if (fastFail) throw new IllegalArgumentException(e.getMessage(), e);
                err.println(io.hiq.core.redact.SafeText.line(e.errorLine()));
                return new HiQ(null);
            }
            RuntimeOptions o = RuntimeOptions.fromSettings(settings);
            if (!metrics.isEmpty()) o = o.withMetrics(metrics, customMetric);
            if (mode != null) o = o.withMode(mode);
            if (maxTrees != null) o = o.withMaxTrees(maxTrees);
            if (service != null) o = o.withService(service);
            ClassLoader own = HiQ.class.getClassLoader();
            ClassLoader context = Thread.currentThread().getContextClassLoader();
            List<ClassLoader> loaders = context == null || context == own ? List.of(own) : List.of(own, context);
            return new HiQ(HiQRuntime.start(instrumentation(), conf, o, settings, loaders, err));
        }
    }
}
