package io.hiq.lmk.format;

/**
 * The LMK line of DESIGN B5b and docs/FORMATS.md:
 * {@code <yyyy-MM-dd HH:mm:ss.SSSSSS> - [<metric>] [🆔 <pid>] <marker> [<tag>] [<extra>]}.
 *
 * <p>{@code <extra>} is a list of {@code key=value} pairs separated by {@code ", "}, in this order:
 * {@code value} (end lines; start lines of metrics other than time), {@code thread}, the call's
 * extras, {@code exception} (last, so a message may contain anything). Control characters in
 * values are escaped ({@code \n}, {@code \r}, {@code \t}, {@code \}{@code uXXXX}) so a line is
 * always one line.
 */
public final class TextLineFormat implements LineFormat {
    /** 🐵: a span started. */
    public static final String START = "\uD83D\uDC35";
    /** 🙈: a span ended. */
    public static final String END = "\uD83D\uDE48";
    /** ⚠: the ring dropped records (logged at WARN). */
    public static final String DROPPED = "\u26A0";
    /** The tag of the drop warning line. */
    public static final String DROPPED_TAG = "hiq_dropped";

    /**
     * The one regular expression that parses every LMK text line (groups {@code ts}, {@code metric},
     * {@code pid}, {@code marker}, {@code tag}, {@code extra}); documented in docs/FORMATS.md.
     */
    public static final String REGEX = "^(?<ts>\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}\\.\\d{6}) - "
            + "\\[(?<metric>[^\\]]+)\\] \\[\uD83C\uDD94 (?<pid>\\d+)\\] (?<marker>\uD83D\uDC35|\uD83D\uDE48|\u26A0) "
            + "\\[(?<tag>[^\\]]*)\\] \\[(?<extra>.*)\\]$";

    private final WallClock clock = WallClock.local();
    private final MetricValue metric;
    /** " - [time] [🆔 1234] ": the constant middle of every line. */
    private final String middle;

    public TextLineFormat(MetricValue metric, long pid) {
        this.metric = metric;
        this.middle = " - [" + metric.label() + "] [\uD83C\uDD94 " + pid + "] ";
    }

    @Override
    public void span(StringBuilder sb, SpanLine l) {
        clock.append(sb, l.epochMicros);
        sb.append(middle).append(l.start ? START : END).append(" [").append(l.tag).append("] [");
        boolean first = true;
        if (l.hasValue) {
            sb.append("value=");
            metric.append(sb, l.value);
            first = false;
        }
        first = key(sb, "thread", first);
        escaped(sb, l.thread);
        for (int i = 0; i < l.extraCount; i++) {
            first = key(sb, l.extras[i].key(), first);
            escaped(sb, show(l.extras[i].value()));
        }
        if (l.thrown != null) {
            key(sb, "exception", first);
            escaped(sb, l.thrown.getClass().getName());
            sb.append(": ");
            escaped(sb, io.hiq.tree.redact.SecretValues.mask(String.valueOf(l.thrown.getMessage())));
        }
        sb.append(']');
    }

    @Override
    public void dropped(StringBuilder sb, long epochMicros, long records, long trees, long totalRecords) {
        clock.append(sb, epochMicros);
        sb.append(middle).append(DROPPED).append(" [").append(DROPPED_TAG).append("] [dropped=").append(records)
                .append(", dropped_trees=").append(trees).append(", total_dropped=").append(totalRecords).append(']');
    }

    private static boolean key(StringBuilder sb, String key, boolean first) {
        if (!first) sb.append(", ");
        escaped(sb, key);
        sb.append('=');
        return false;
    }

    /** {@code String.valueOf(v)}, or a note when the value's own {@code toString()} fails. */
    static String show(Object v) {
        try {
            return String.valueOf(v);
        } catch (RuntimeException e) {
            return "<toString() failed: " + e + ">";
        }
    }

    /** Appends {@code s} with control characters escaped, so that the line stays one line. */
    static void escaped(StringBuilder sb, String s) {
        if (s == null) {
            sb.append("null");
            return;
        }
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c != 0x7F) {
                sb.append(c);
            } else if (c == '\n') {
                sb.append("\\n");
            } else if (c == '\r') {
                sb.append("\\r");
            } else if (c == '\t') {
                sb.append("\\t");
            } else {
                sb.append("\\u00").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 0xF, 16));
            }
        }
    }
}
