package io.hiq.core.metric;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * The metrics a node can record (DESIGN B2 {@code metrics=}). {@code time} is always read (it
 * gives every node its wall-clock start and end); the others are read on the hot path through a
 * {@link LongSupplier} each, so their cost is added to every traced call — see docs/PERFORMANCE.md.
 */
public enum Metric {
    /** Elapsed time, {@link System#nanoTime()}, nanoseconds. */
    TIME("ns", 100),
    /** Bytes allocated by the calling thread (HotSpot's per-thread allocation counter). */
    MEMORY("bytes", 1),
    /** Process resident set size, bytes (Linux {@code /proc/self/statm}). */
    RSS("bytes", 1),
    /** Bytes read and written by the process through storage (Linux {@code /proc/self/io}). */
    DISK_IO("bytes", 1),
    /** Bytes received and sent on every network interface (Linux {@code /proc/self/net/dev}). */
    NET_IO("bytes", 1),
    /** Accumulated garbage-collection time of every collector, milliseconds. */
    GC("ms", 1),
    /** A user-supplied reading ({@code HiQ.builder().customMetric(...)}). */
    CUSTOM("", 1);

    private final String unit;
    private final long zeroSpanThreshold;

    Metric(String unit, long zeroSpanThreshold) {
        this.unit = unit;
        this.zeroSpanThreshold = zeroSpanThreshold;
    }

    /** The name used in options and trees: {@code time}, {@code memory}, {@code disk_io}, … */
    public String label() { return name().toLowerCase(Locale.ROOT); }

    /** The unit of the readings, as in the tree's {@code unit} field. */
    public String unit() { return this == CUSTOM ? "custom" : unit; }

    /** A span whose absolute value is below this is a zero span (ZSP): 100 ns for time, 0 for others. */
    public long zeroSpanThreshold() { return zeroSpanThreshold; }

    /** Parses one name. */
    public static Metric parse(String s) {
        String v = s.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (Metric m : values()) if (m.name().equals(v)) return m;
        throw new IllegalArgumentException("metrics: unknown metric '" + s.trim()
                + "' (time, memory, rss, disk_io, net_io, gc, custom)");
    }

    /** Parses {@code time+memory+…}; duplicates removed, order kept; never empty. */
    public static List<Metric> parseList(String s) {
        List<Metric> out = new ArrayList<>();
        if (s == null || s.isBlank()) return List.of(TIME);
        for (String part : s.split("[+,]")) {
            if (part.isBlank()) continue;
            Metric m = parse(part);
            if (!out.contains(m)) out.add(m);
        }
        if (out.isEmpty()) out.add(TIME);
        return out;
    }
}
