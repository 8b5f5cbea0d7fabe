package io.hiq.core.spi;

import io.hiq.core.event.TagRegistry;
import io.hiq.core.runtime.Counters;
import io.hiq.core.runtime.Settings;
import java.util.List;

/**
 * What the runtime offers an extension when it starts: the settings, the tags, the metric names,
 * the shared counters (the {@code hiq:type=HiQ} MBean shows them), and the two ways to subscribe:
 * to raw span events on the ring, or to completed trees.
 */
public interface HiQContext {
    /** Environment variables and system properties (DESIGN B5) plus agent arguments. */
    Settings settings();

    /** Tag ids → names and conf entries. */
    TagRegistry tags();

    /** The recorded metrics in record order; the first is the trees' {@code metric}. */
    List<String> metrics();

    /** The process id stamped on trees and LMK lines. */
    long pid();

    /** The service name stamped on every tree. */
    String service();

    /** Named counters; extensions add theirs (e.g. {@code JackPublished}). */
    Counters counters();

    /** Subscribes a handler to every span batch on the ring (its own consumer thread). */
    void addSpanHandler(SpanEventHandler handler);

    /** Subscribes a sink to every completed tree. */
    void addTreeSink(TreeSink sink);

    /** Converts a {@link System#nanoTime()} reading of this run to wall-clock microseconds since the epoch. */
    long epochMicros(long nanoTime);
}
