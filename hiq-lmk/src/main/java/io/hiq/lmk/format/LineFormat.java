package io.hiq.lmk.format;

import io.hiq.lmk.LmkOptions;

/**
 * Turns span starts and ends into text lines (without the line terminator), appended to a reused
 * {@link StringBuilder}. Implementations keep per-instance caches and are used by one thread.
 */
public interface LineFormat {
    /** Appends the line of a span start or end. */
    void span(StringBuilder sb, SpanLine line);

    /**
     * Appends the warning that the ring dropped span records.
     *
     * @param records      records dropped since the previous warning
     * @param trees        trees dropped since the previous warning
     * @param totalRecords records dropped since HiQ started
     */
    void dropped(StringBuilder sb, long epochMicros, long records, long trees, long totalRecords);

    /** The format selected by {@code LMK_FORMAT}. */
    static LineFormat of(LmkOptions.Format format, MetricValue metric, long pid) {
        return format == LmkOptions.Format.JSON ? new JsonLineFormat(metric, pid) : new TextLineFormat(metric, pid);
    }
}
