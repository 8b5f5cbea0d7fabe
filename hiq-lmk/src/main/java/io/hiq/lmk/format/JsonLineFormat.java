package io.hiq.lmk.format;

/**
 * {@code LMK_FORMAT=json}: one JSON object per line, for log shippers (docs/FORMATS.md):
 * <pre>{@code
 * {"ts":"2026-11-23T00:36:01.123456Z","metric":"time","pid":1234,"thread":"main","event":"end",
 *  "tag":"func1","value":4.005,"unit":"ms","extra":{"n":3,"exception":"java.lang.IllegalStateException: boom"}}
 * }</pre>
 * {@code ts} is ISO-8601 UTC with microseconds; {@code event} is {@code start}, {@code end} or
 * {@code dropped}; {@code value} is a number or {@code null} (same meaning as in the text line).
 */
public final class JsonLineFormat implements LineFormat {
    private final WallClock clock = WallClock.utcIso();
    private final MetricValue metric;
    /** ","metric":"time","pid":1234,"thread":": the constant middle of every line. */
    private final String middle;
    private final String unit;

    public JsonLineFormat(MetricValue metric, long pid) {
        this.metric = metric;
        StringBuilder m = new StringBuilder("Z\",\"metric\":");
        string(m, metric.label());
        m.append(",\"pid\":").append(pid).append(",\"thread\":");
        this.middle = m.toString();
        StringBuilder u = new StringBuilder(",\"unit\":");
        string(u, metric.unit());
        this.unit = u.toString();
    }

    @Override
    public void span(StringBuilder sb, SpanLine l) {
        sb.append("{\"ts\":\"");
        clock.append(sb, l.epochMicros);
        sb.append(middle);
        string(sb, l.thread);
        sb.append(",\"event\":\"").append(l.start ? "start" : "end").append("\",\"tag\":");
        string(sb, l.tag);
        sb.append(",\"value\":");
        if (l.hasValue) metric.append(sb, l.value); else sb.append("null");
        sb.append(unit).append(",\"extra\":{");
        for (int i = 0; i < l.extraCount; i++) {
            if (i > 0) sb.append(',');
            string(sb, l.extras[i].key());
            sb.append(':');
            value(sb, l.extras[i].value());
        }
        if (l.thrown != null) {
            if (l.extraCount > 0) sb.append(',');
            sb.append("\"exception\":");
            string(sb, l.thrown.getClass().getName() + ": " + io.hiq.tree.redact.SecretValues.mask(String.valueOf(l.thrown.getMessage())));
        }
        sb.append("}}");
    }

    @Override
    public void dropped(StringBuilder sb, long epochMicros, long records, long trees, long totalRecords) {
        sb.append("{\"ts\":\"");
        clock.append(sb, epochMicros);
        sb.append(middle).append("\"hiq-lmk\",\"event\":\"dropped\",\"tag\":\"").append(TextLineFormat.DROPPED_TAG)
                .append("\",\"value\":").append(records).append(",\"unit\":\"records\",\"extra\":{\"dropped_trees\":")
                .append(trees).append(",\"total_dropped\":").append(totalRecords).append("}}");
    }

    private static void value(StringBuilder sb, Object v) {
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte || v instanceof Boolean) {
            sb.append(v);
        } else if (v instanceof Double d && Double.isFinite(d)) {
            sb.append(d.doubleValue());
        } else if (v instanceof Float f && Float.isFinite(f)) {
            sb.append(f.floatValue());
        } else {
            string(sb, TextLineFormat.show(v));
        }
    }

    /** Appends a JSON string literal (RFC 8259 escaping). */
    static void string(StringBuilder sb, String s) {
        sb.append('"');
        if (s == null) s = "null";
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        sb.append("\\u").append(String.format("%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }
}
