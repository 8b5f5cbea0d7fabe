package io.hiq.export.prometheus;

import io.hiq.core.spi.TreeSink;
import io.hiq.tree.HiQNode;
import io.hiq.tree.HiQTree;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Summary;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.PrintStream;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Observes every node of every completed tree: a {@code hiq_<tag>} summary (quantiles 0.5, 0.95,
 * 0.99, {@code _count}, {@code _sum}) and a {@code hiq_<tag>_seconds} classic histogram per tag,
 * in seconds for the {@code time} metric. Trees of another metric (memory, I/O, …) are observed in
 * their own unit under {@code hiq_<tag>_<metric>} (summary only: the seconds buckets mean nothing
 * for bytes).
 *
 * <p>Runs on the assembler thread: an observation is a few atomic adds, so nothing is handed off.
 */
final class TreeMetrics implements TreeSink {
    private final PrometheusRegistry registry;
    private final PrintStream err;
    private final Map<String, Family> families = new ConcurrentHashMap<>();
    private final Set<String> rejected = ConcurrentHashMap.newKeySet();

    TreeMetrics(PrometheusRegistry registry, PrintStream err) {
        this.registry = registry;
        this.err = err;
    }

    @Override
    public void accept(HiQTree tree) {
        boolean time = "time".equals(tree.metric());
        double scale = time ? 1e-9 : 1.0;
        ArrayDeque<HiQNode> todo = new ArrayDeque<>();
        todo.push(tree.root());
        while (!todo.isEmpty()) {
            HiQNode n = todo.pop();
            Family f = family(n.name(), time ? null : tree.metric());
            if (f != null) f.observe(n.span() * scale);
            for (HiQNode c : n.children()) todo.push(c);
        }
    }

    private Family family(String tag, String otherMetric) {
        String key = otherMetric == null ? tag : tag + "\u0000" + otherMetric;
        Family f = families.get(key);
        if (f != null || rejected.contains(key)) return f;
        return families.computeIfAbsent(key, k -> create(tag, otherMetric, k));
    }

    private Family create(String tag, String otherMetric, String key) {
        String base = "hiq_" + tag + (otherMetric == null ? "" : "_" + otherMetric.toLowerCase(Locale.ROOT));
        try {
            Summary summary = Summary.builder()
                    .name(base)
                    .help(otherMetric == null
                            ? "HiQ: latency of " + tag + " in seconds"
                            : "HiQ: " + otherMetric + " of " + tag)
                    .quantile(0.5, 0.01).quantile(0.95, 0.005).quantile(0.99, 0.001)
                    // quantiles over the last 5–10 minutes: two age buckets cost a third of the
                    // client's default five per observation (each bucket keeps its own estimator)
                    .maxAgeSeconds(600).numberOfAgeBuckets(2)
                    .withoutExemplars()
                    .register(registry);
            Histogram histogram = otherMetric != null ? null : Histogram.builder()
                    .name(base + "_seconds")
                    .help("HiQ: latency of " + tag + " in seconds (histogram)")
                    .classicOnly()
                    .withoutExemplars()
                    .register(registry);
            return new Family(summary, histogram);
        } catch (IllegalArgumentException e) {
            // a tag that makes no valid or no unique Prometheus name (e.g. ends in _total): said once
            rejected.add(key);
            err.println("hiq: prometheus: tag '" + tag + "' is not exported: " + e.getMessage());
            return null;
        }
    }

    private record Family(Summary summary, Histogram histogram) {
        void observe(double v) {
            summary.observe(v);
            if (histogram != null) histogram.observe(v);
        }
    }
}
