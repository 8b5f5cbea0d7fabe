package io.hiq.core.runtime;

import io.hiq.core.metric.Metric;
import io.hiq.core.tree.Mode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Everything a HiQ runtime is started with, resolved from agent arguments, the driver's builder and
 * the environment (DESIGN B2, B5).
 *
 * @param service      name stamped on every tree
 * @param mode         concise, verbose or debug
 * @param metrics      recorded metrics; the first is the trees' metric
 * @param customMetric supplier for {@link Metric#CUSTOM}, or null
 * @param maxTrees     trees kept in memory for {@code show()}
 * @param treesFile    file every tree is appended to as JSON, or null
 * @param showAtExit   print the kept trees to stderr at JVM exit
 * @param ringSize     ring slots (power of two); 0: as many as {@code HIQ_RING_MEMORY_MB} allows
 * @param bufferSize   per-thread buffer records
 * @param blockOnFull  {@code HIQ_RING_POLICY=block}
 * @param flushTimeout bound on the flush at exit/close
 * @param loadExtensions whether to look for LMK/Jack/export extensions
 */
public record RuntimeOptions(String service, Mode mode, List<Metric> metrics, LongSupplier customMetric, int maxTrees,
                             Path treesFile, boolean showAtExit, int ringSize, int bufferSize, boolean blockOnFull,
                             Duration flushTimeout, boolean loadExtensions) {

    public RuntimeOptions {
        metrics = List.copyOf(metrics);
        if (metrics.isEmpty()) throw new IllegalArgumentException("metrics: none given");
    }

    /**
     * Default ring slots: 0, derived from the ring's memory budget ({@code HIQ_RING_MEMORY_MB},
     * 16 MiB: 2 048 slots of 256 records with the time metric alone). DESIGN A2's first version had
     * 65 536 slots of one root each; its revision bounds the ring's memory instead.
     */
    public static final int DEFAULT_RING_SIZE = 0;
    /** Default per-thread buffer records (DESIGN A2). */
    public static final int DEFAULT_BUFFER_SIZE = 4_096;
    /** Default number of trees kept for {@code show()}. */
    public static final int DEFAULT_MAX_TREES = 1_000;

    /**
     * Options from the environment and system properties ({@code HIQ_MODE}, {@code HIQ_METRICS},
     * {@code HIQ_TREES_FILE}, {@code HIQ_SHOW}, {@code HIQ_SERVICE}, {@code HIQ_RING_SIZE},
     * {@code HIQ_BUFFER_SIZE}, {@code HIQ_RING_POLICY}, {@code HIQ_FLUSH_TIMEOUT}).
     */
    public static RuntimeOptions fromSettings(Settings s) {
        String policy = s.get("HIQ_RING_POLICY", "drop").toLowerCase(java.util.Locale.ROOT);
        if (!policy.equals("drop") && !policy.equals("block")) {
            throw new IllegalArgumentException("HIQ_RING_POLICY: unknown value '" + policy + "' (drop or block)");
        }
        String trees = s.get("HIQ_TREES_FILE", null);
        return new RuntimeOptions(
                s.get("HIQ_SERVICE", defaultService()),
                Mode.parse(s.get("HIQ_MODE", "concise")),
                Metric.parseList(s.get("HIQ_METRICS", "time")),
                null,
                // agent mode keeps trees only to print them at exit (show=true); the driver reads them
                (int) s.number("HIQ_MAX_TREES", s.flag("HIQ_AGENT") && !s.flag("HIQ_SHOW") ? 0 : DEFAULT_MAX_TREES),
                trees == null ? null : Path.of(trees),
                s.flag("HIQ_SHOW"),
                (int) s.number("HIQ_RING_SIZE", DEFAULT_RING_SIZE),
                (int) s.number("HIQ_BUFFER_SIZE", DEFAULT_BUFFER_SIZE),
                policy.equals("block"),
                flushTimeout(s, w -> System.err.println("hiq: " + w)),
                true);
    }

    /** Default of {@code HIQ_FLUSH_TIMEOUT}, seconds. */
    public static final int DEFAULT_FLUSH_TIMEOUT_SECONDS = 5;
    /** Largest {@code HIQ_FLUSH_TIMEOUT}, seconds: an hour; beyond, a typo rather than a wish. */
    public static final int MAX_FLUSH_TIMEOUT_SECONDS = 3600;

    /**
     * {@code HIQ_FLUSH_TIMEOUT}: seconds (decimals allowed) from 0 to {@value #MAX_FLUSH_TIMEOUT_SECONDS}.
     * Anything else ({@code Infinity}, {@code NaN}, a negative number, garbage) is reported to
     * {@code warn} on one line naming the variable, and the default is used: a bad timeout never
     * stops HiQ from starting nor overflows a deadline.
     */
    public static Duration flushTimeout(Settings s, java.util.function.Consumer<String> warn) {
        String v = s.get("HIQ_FLUSH_TIMEOUT", Integer.toString(DEFAULT_FLUSH_TIMEOUT_SECONDS));
        try {
            double seconds = Double.parseDouble(v.trim());
            if (seconds >= 0 && seconds <= MAX_FLUSH_TIMEOUT_SECONDS) return Duration.ofMillis((long) (seconds * 1000));
        } catch (NumberFormatException e) {
            // reported below
        }
        StringBuilder shown = new StringBuilder();
        for (char c : v.toCharArray()) shown.append(c < 0x20 || c == 0x7f ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        warn.accept("HIQ_FLUSH_TIMEOUT: not a number of seconds from 0 to " + MAX_FLUSH_TIMEOUT_SECONDS + ": '" + shown
                + "'; using " + DEFAULT_FLUSH_TIMEOUT_SECONDS + " s");
        return Duration.ofSeconds(DEFAULT_FLUSH_TIMEOUT_SECONDS);
    }

    /** The main class (or jar) of this JVM, from {@code sun.java.command}; {@code java} when unknown. */
    public static String defaultService() {
        String cmd = System.getProperty("sun.java.command", "").trim();
        if (cmd.isEmpty()) return "java";
        String first = cmd.split("\\s+")[0];
        if (first.endsWith(".jar")) {
            String name = Path.of(first).getFileName().toString();
            return name.substring(0, name.length() - 4);
        }
        return first;
    }

    public RuntimeOptions withService(String v) { return new RuntimeOptions(v, mode, metrics, customMetric, maxTrees, treesFile, showAtExit, ringSize, bufferSize, blockOnFull, flushTimeout, loadExtensions); }
    public RuntimeOptions withMode(Mode v) { return new RuntimeOptions(service, v, metrics, customMetric, maxTrees, treesFile, showAtExit, ringSize, bufferSize, blockOnFull, flushTimeout, loadExtensions); }
    public RuntimeOptions withMetrics(List<Metric> v, LongSupplier custom) { return new RuntimeOptions(service, mode, v, custom, maxTrees, treesFile, showAtExit, ringSize, bufferSize, blockOnFull, flushTimeout, loadExtensions); }
    public RuntimeOptions withMaxTrees(int v) { return new RuntimeOptions(service, mode, metrics, customMetric, v, treesFile, showAtExit, ringSize, bufferSize, blockOnFull, flushTimeout, loadExtensions); }
    public RuntimeOptions withTreesFile(Path v) { return new RuntimeOptions(service, mode, metrics, customMetric, maxTrees, v, showAtExit, ringSize, bufferSize, blockOnFull, flushTimeout, loadExtensions); }
    public RuntimeOptions withShowAtExit(boolean v) { return new RuntimeOptions(service, mode, metrics, customMetric, maxTrees, treesFile, v, ringSize, bufferSize, blockOnFull, flushTimeout, loadExtensions); }
    public RuntimeOptions withRing(int ring, int buffer, boolean block) { return new RuntimeOptions(service, mode, metrics, customMetric, maxTrees, treesFile, showAtExit, ring, buffer, block, flushTimeout, loadExtensions); }
    public RuntimeOptions withExtensions(boolean v) { return new RuntimeOptions(service, mode, metrics, customMetric, maxTrees, treesFile, showAtExit, ringSize, bufferSize, blockOnFull, flushTimeout, v); }
}
