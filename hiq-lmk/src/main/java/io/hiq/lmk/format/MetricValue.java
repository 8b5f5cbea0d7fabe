package io.hiq.lmk.format;

/**
 * How an LMK line shows a metric's value (docs/FORMATS.md, "LMK line"): {@code time} spans are
 * shown in milliseconds with three decimals (microsecond resolution, like the timestamps); every
 * other metric is shown as an integer in its own unit (bytes, GC milliseconds, a custom reading).
 */
public final class MetricValue {
    private final String label;
    private final boolean time;
    private final String unit;

    private MetricValue(String label, boolean time, String unit) {
        this.label = label;
        this.time = time;
        this.unit = unit;
    }

    /** The rendering for the metric named {@code label} ({@code time}, {@code memory}, {@code gc}, …). */
    public static MetricValue of(String label) {
        String unit = switch (label) {
            case "time" -> "ms";
            case "memory", "rss", "disk_io", "net_io" -> "bytes";
            case "gc" -> "ms";
            default -> "";
        };
        return new MetricValue(label, label.equals("time"), unit);
    }

    /** The metric's name, shown as {@code [<metric>]}. */
    public String label() { return label; }

    /** Whether this is the time metric: its start reading is the line's timestamp, so start lines carry no value. */
    public boolean isTime() { return time; }

    /** The unit values are shown in: {@code ms} for time, {@code bytes}, … (empty for custom). */
    public String unit() { return unit; }

    /** Appends a value given in the metric's raw unit (nanoseconds for time). */
    public void append(StringBuilder sb, long raw) {
        if (!time) {
            sb.append(raw);
            return;
        }
        // nanoseconds → milliseconds with 3 decimals, rounded half up, by integer arithmetic
        long micros = raw >= 0 ? (raw + 500) / 1000 : -((-raw + 500) / 1000);
        if (micros < 0) {
            sb.append('-');
            micros = -micros;
        }
        sb.append(micros / 1000).append('.');
        int frac = (int) (micros % 1000);
        sb.append((char) ('0' + frac / 100)).append((char) ('0' + (frac / 10) % 10)).append((char) ('0' + frac % 10));
    }
}
