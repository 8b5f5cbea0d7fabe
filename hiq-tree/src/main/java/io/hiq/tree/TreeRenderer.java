package io.hiq.tree;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders HiQ trees as text in the layout of the Python HiQ (DESIGN B5c): one node a line,
 *
 * <pre>
 * [2026-11-22 10:00:00.000100 - 10:00:04.004600] [100.00%] 🟢_root_time(4.0045)
 *                                                          [OH:191us]
 * [2026-11-22 10:00:00.000100 - 10:00:04.004600] [100.00%] l_[main] (4.004500)
 * [2026-11-22 10:00:00.000150 - 10:00:04.004550] [100.00%]    l_[func1] (4.004400)
 * [2026-11-22 10:00:01.501900 - 10:00:04.004500] [ 62.50%]       |_[func2] (2.502600)
 * </pre>
 *
 * The synthetic {@code _root_<metric>} line spans the tree's root call and prints its span with four
 * decimals; nodes print theirs with six. Spans are shown in the metric's display unit: seconds for
 * {@code ns}, megabytes for {@code bytes}, seconds for {@code ms}, the raw value otherwise.
 * Percentages are of the root's span. A node with extra information ends with {@code  ({k=v, …})}.
 * A tree flagged partial, truncated or broken says so after {@code [OH:…]}.
 *
 * <p>A tree that records several metrics ({@code metrics=time+memory}, every node's {@code values})
 * renders one block per metric, the tree's own metric first and then the others in the order of the
 * root's {@code values}: each further block starts with its own {@code _root_<metric>} line and
 * repeats the nodes with their span and percentage in that metric (no second {@code [OH:…]} line:
 * the overhead is the tree's, not a metric's). A tree of one metric renders exactly as before.
 */
public final class TreeRenderer {
    private static final DateTimeFormatter DAY_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS", Locale.ROOT);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSSSSS", Locale.ROOT);
    /** The root glyph of the Python HiQ. */
    public static final String ROOT_GLYPH = "\uD83D\uDFE2";

    private final ZoneId zone;

    /** A renderer that prints wall-clock times in {@code zone}. */
    public TreeRenderer(ZoneId zone) { this.zone = zone; }

    /** A renderer in the system's default time zone, as the Python HiQ prints local time. */
    public static TreeRenderer local() { return new TreeRenderer(ZoneId.systemDefault()); }

    /** Renders one tree; every line ends with {@code \n}. */
    public String render(HiQTree tree) {
        StringBuilder sb = new StringBuilder(256);
        render(tree, sb);
        return sb.toString();
    }

    /** Renders several trees, one blank line between two. */
    public String render(List<HiQTree> trees) {
        StringBuilder sb = new StringBuilder(256 * Math.max(1, trees.size()));
        for (int i = 0; i < trees.size(); i++) {
            if (i > 0) sb.append('\n');
            render(trees.get(i), sb);
        }
        return sb.toString();
    }

    /** Renders one tree into {@code sb}. */
    public void render(HiQTree tree, StringBuilder sb) {
        HiQNode root = tree.root();
        double scale = scale(tree.unit());
        long rootSpan = root.span();
        int prefixStart = sb.length();
        times(sb, root);
        sb.append(" [100.00%] ");
        int prefixWidth = sb.codePointCount(prefixStart, sb.length());
        sb.append(ROOT_GLYPH).append("_root_").append(tree.metric()).append('(')
                .append(String.format(Locale.ROOT, "%.4f", rootSpan / scale)).append(")\n");
        sb.append(" ".repeat(prefixWidth)).append("[OH:").append(Math.round(tree.overheadNs() / 1000.0)).append("us]");
        markers(sb, tree);
        sb.append('\n');
        node(sb, root, null, rootSpan, scale, "", true);
        for (String metric : root.values().keySet()) {
            if (metric.equals(tree.metric())) continue; // already rendered above, from the tree's own readings
            long[] v = root.values().get(metric);
            double s = scale(unitOf(metric));
            times(sb, root);
            sb.append(" [100.00%] ").append(ROOT_GLYPH).append("_root_").append(metric).append('(')
                    .append(String.format(Locale.ROOT, "%.4f", (v[1] - v[0]) / s)).append(")\n");
            node(sb, root, metric, v[1] - v[0], s, "", true);
        }
    }

    /**
     * The unit of a metric's readings, by its name: what a tree states in {@code unit} for its own
     * metric, needed here for the others ({@code values} carries readings, not units).
     */
    public static String unitOf(String metric) {
        return switch (metric) {
            case "time" -> "ns";
            case "memory", "rss", "disk_io", "net_io" -> "bytes";
            case "gc" -> "ms";
            default -> "custom";
        };
    }

    /**
     * The flags of B4 after the overhead, only when set, so that ordinary trees render exactly as
     * before: {@code [partial of <id>]} (the root line is then a placeholder for a root still
     * running), {@code [truncated]} (see the nodes' {@code folded} extra), {@code [broken]}.
     */
    private static void markers(StringBuilder sb, HiQTree tree) {
        if (tree.partial()) {
            sb.append(" [partial");
            if (tree.partOf() != null) sb.append(" of ").append(tree.partOf());
            sb.append(']');
        }
        if (tree.truncated()) sb.append(" [truncated]");
        if (tree.broken()) sb.append(" [broken]");
    }

    /**
     * One node and its subtree; {@code metric} null for the tree's own metric (the node's span),
     * otherwise the name of one of its {@code values}. A node without a reading of that metric (a
     * tree from another producer) prints {@code n/a} rather than a made-up zero.
     */
    private void node(StringBuilder sb, HiQNode n, String metric, long rootSpan, double scale, String indent, boolean last) {
        times(sb, n);
        long[] v = metric == null ? null : n.values().get(metric);
        boolean known = metric == null || v != null;
        long span = metric == null ? n.span() : v == null ? 0 : v[1] - v[0];
        double pct = rootSpan == 0 ? (span == 0 ? 100.0 : 0.0) : 100.0 * span / rootSpan;
        sb.append(' ').append('[').append(known ? String.format(Locale.ROOT, "%6.2f", pct) : "   n/a").append("%] ");
        sb.append(indent).append(last ? "l_" : "|_").append('[').append(n.name()).append("] (")
                .append(known ? String.format(Locale.ROOT, "%.6f", span / scale) : "n/a").append(')');
        if (n.hasExtra()) sb.append(" (").append(extra(n.extra())).append(')');
        sb.append('\n');
        List<HiQNode> children = n.children();
        String childIndent = indent + (last ? "   " : "|  ");
        for (int i = 0; i < children.size(); i++) {
            node(sb, children.get(i), metric, rootSpan, scale, childIndent, i == children.size() - 1);
        }
    }

    private void times(StringBuilder sb, HiQNode n) {
        sb.append('[').append(DAY_TIME.format(instant(n.start()).atZone(zone))).append(" - ")
                .append(TIME.format(instant(n.end()).atZone(zone))).append(']');
    }

    private static String extra(Map<String, Object> extra) {
        StringBuilder sb = new StringBuilder("{");
        boolean first = true;
        for (Map.Entry<String, Object> e : extra.entrySet()) {
            if (!first) sb.append(", ");
            first = false;
            sb.append(e.getKey()).append('=').append(e.getValue());
        }
        return sb.append('}').toString();
    }

    private static Instant instant(long epochMicros) {
        return Instant.ofEpochSecond(Math.floorDiv(epochMicros, 1_000_000L), Math.floorMod(epochMicros, 1_000_000L) * 1000L);
    }

    /** Divisor from the metric's unit to its display unit (ns → s, bytes → MB, ms → s). */
    public static double scale(String unit) {
        return switch (unit) {
            case "ns" -> 1e9;
            case "us" -> 1e6;
            case "ms" -> 1e3;
            case "bytes" -> 1e6;
            default -> 1.0;
        };
    }
}
