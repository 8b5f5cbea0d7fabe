package io.hiq.lmk.format;

import io.hiq.core.event.ExtraValue;

/**
 * The content of one LMK line, filled by the handler and read by a {@link LineFormat}. One mutable
 * instance is reused for every line (garbage-light formatting on the consumer thread).
 */
public final class SpanLine {
    /** Microseconds since the epoch. */
    public long epochMicros;
    /** True for a span start (🐵), false for an end (🙈). */
    public boolean start;
    /** The tag, without a leading {@code __}. */
    public String tag;
    /** The application thread's name. */
    public String thread;
    /** Whether {@link #value} is set. */
    public boolean hasValue;
    /** The value in the metric's raw unit (see {@link MetricValue}). */
    public long value;
    /** Extra information recorded for this call ({@code HiQ.extra}, captured arguments), in order. */
    public ExtraValue[] extras = new ExtraValue[0];
    /** How many of {@link #extras} are set. */
    public int extraCount;
    /** The exception an end line's call threw, or null. */
    public Throwable thrown;

    /** Resets the optional parts, dropping references to the application's objects. */
    public void clear() {
        hasValue = false;
        for (int i = 0; i < extraCount; i++) extras[i] = null;
        extraCount = 0;
        thrown = null;
    }
}
