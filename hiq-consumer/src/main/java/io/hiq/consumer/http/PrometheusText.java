package io.hiq.consumer.http;

import io.hiq.consumer.store.TagStats;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes the Prometheus text exposition format (version 0.0.4) of {@code /metrics}: one summary
 * {@code hiq_<tag>} per traced tag (label {@code service}; {@code _sum} and {@code _count} over all
 * stored data, quantiles 0.5/0.95/0.99 over the last {@link #QUANTILE_WINDOW_MS} ms, NaN when
 * nothing was recorded then — as Prometheus client summaries do; in seconds, as Prometheus prefers
 * base units), and the service's own counters and gauges under {@code hiq_consumer_*}.
 */
public final class PrometheusText {
    /** The sliding window of the summaries' quantiles: ten minutes. */
    public static final long QUANTILE_WINDOW_MS = 600_000;

    /** Content type of the exposition. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final StringBuilder sb = new StringBuilder(4096);

    /** Appends one counter or gauge without labels. */
    public PrometheusText metric(String name, String type, String help, double value) {
        sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
        sb.append("# TYPE ").append(name).append(' ').append(type).append('\n');
        sb.append(name).append(' ').append(number(value)).append('\n');
        return this;
    }

    /**
     * Appends the {@code hiq_<tag>} summaries; names equal to {@code reserved} ones, or starting with
     * {@code hiq_consumer_} (the service's own metrics), are skipped.
     */
    public PrometheusText summaries(List<TagStats> stats, Set<String> reserved) {
        Map<String, StringBuilder> byName = new LinkedHashMap<>();
        for (TagStats s : stats) {
            String name = "hiq_" + sanitize(s.tag());
            if (reserved.contains(name) || name.startsWith("hiq_consumer_")) continue;
            StringBuilder b = byName.computeIfAbsent(name, n -> new StringBuilder()
                    .append("# HELP ").append(n).append(" Span of traced tag '").append(helpText(s.tag())).append("' in seconds (count and sum: every stored tree; quantiles: the last 10 minutes)\n")
                    .append("# TYPE ").append(n).append(" summary\n"));
            String svc = "service=\"" + label(s.service()) + "\"";
            quantile(b, name, svc, "0.5", s.p50Ms());
            quantile(b, name, svc, "0.95", s.p95Ms());
            quantile(b, name, svc, "0.99", s.p99Ms());
            b.append(name).append("_sum{").append(svc).append("} ").append(number(s.sumMs() / 1000.0)).append('\n');
            b.append(name).append("_count{").append(svc).append("} ").append(s.count()).append('\n');
        }
        byName.values().forEach(sb::append);
        return this;
    }

    private static void quantile(StringBuilder b, String name, String svc, String q, double ms) {
        b.append(name).append('{').append(svc).append(",quantile=\"").append(q).append("\"} ")
                .append(number(ms / 1000.0)).append('\n');
    }

    /** A metric name part: every character outside {@code [a-zA-Z0-9_]} becomes {@code _}. */
    public static String sanitize(String tag) {
        StringBuilder b = new StringBuilder(tag.length());
        for (int i = 0; i < tag.length(); i++) {
            char c = tag.charAt(i);
            b.append((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ? c : '_');
        }
        return b.toString();
    }

    /** Escapes a label value (backslash, double quote, line feed). */
    public static String label(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private static String helpText(String v) {
        return v.replace("\\", "\\\\").replace("\n", "\\n");
    }

    private static String number(double v) {
        if (Double.isNaN(v)) return "NaN";
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
        return Double.toString(v); // Prometheus parses Java's 1.5E-4 form too
    }

    @Override
    public String toString() { return sb.toString(); }
}
