package io.hiq.consumer.http;

import io.hiq.consumer.store.TagStats;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes the Prometheus text exposition format (version 0.0.4) of {@code /metrics}: one summary
 * {@code hiq_<tag>} per traced tag (label {@code service}; {@code _sum} and {@code _count} over all
 * stored data, quantiles 0.5/0.95/0.99 over the last {@link #QUANTILE_WINDOW_MS} ms, NaN when
 * nothing was recorded then — as Prometheus client summaries do; in seconds, as Prometheus prefers
 * base units, with at most nine decimals: whole nanoseconds), and the service's own counters and
 * gauges under {@code hiq_consumer_*}.
 */
public final class PrometheusText {
    /** The sliding window of the summaries' quantiles: ten minutes. */
    public static final long QUANTILE_WINDOW_MS = 600_000;

    /** Content type of the exposition. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    /** Significant digits of a non-integer sample value. */
    static final int DIGITS = 12;

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
            b.append(name).append("_sum{").append(svc).append("} ").append(seconds(s.sumMs())).append('\n');
            b.append(name).append("_count{").append(svc).append("} ").append(s.count()).append('\n');
        }
        byName.values().forEach(sb::append);
        return this;
    }

    private static void quantile(StringBuilder b, String name, String svc, String q, double ms) {
        b.append(name).append('{').append(svc).append(",quantile=\"").append(q).append("\"} ")
                .append(seconds(ms)).append('\n');
    }

    /**
     * Milliseconds (derived from nanoseconds) as seconds with at most nine decimals: the values are
     * whole nanoseconds, and printing the double quotient as is showed binary noise such as
     * {@code 0.0025292789999999997} for 2 529 279 ns.
     */
    static String seconds(double ms) {
        if (Double.isNaN(ms) || Double.isInfinite(ms)) return number(ms);
        return BigDecimal.valueOf(Math.round(ms * 1e6), 9).stripTrailingZeros().toPlainString();
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

    /**
     * A sample value: integers as such, other values rounded to {@value #DIGITS} significant digits
     * (enough for any gauge here, and free of the 17th-digit noise of a double), plain decimal
     * notation for ordinary magnitudes and Prometheus' {@code +Inf}/{@code -Inf}/{@code NaN}.
     */
    static String number(double v) {
        if (Double.isNaN(v)) return "NaN";
        if (Double.isInfinite(v)) return v > 0 ? "+Inf" : "-Inf";
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
        BigDecimal d = new BigDecimal(v).round(new MathContext(DIGITS, RoundingMode.HALF_EVEN)).stripTrailingZeros();
        double a = Math.abs(v);
        return a >= 1e-6 && a < 1e15 ? d.toPlainString() : d.toString(); // Prometheus parses 1.5E-7 too
    }

    @Override
    public String toString() { return sb.toString(); }
}
