package io.hiq.jack;

import io.hiq.core.runtime.Counters;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Jack's counters in the shared {@link Counters} (the {@code hiq:type=HiQ} MBean shows them):
 * {@code JackPublished} trees delivered at once, {@code JackSpooled} trees written to the spool,
 * {@code JackReplayed} spooled trees delivered later, {@code JackFailed} trees that will never be
 * delivered (larger than the publisher's limit, unencodable, or dropped by the spool's bound),
 * {@code JackSpoolDropped} the part of JackFailed the spool's bound dropped, and
 * {@code JackSpoolPending} spooled trees not yet delivered, and {@code JackSpoolCorrupt} corrupt
 * regions skipped in the spool (a torn or failed write, flipped bits; the trees in them are lost).
 */
public final class JackCounters {
    public final AtomicLong published;
    public final AtomicLong spooled;
    public final AtomicLong replayed;
    public final AtomicLong failed;
    public final AtomicLong spoolDropped;
    public final AtomicLong spoolCorrupt;

    public JackCounters(Counters c) {
        published = c.counter("JackPublished");
        spooled = c.counter("JackSpooled");
        replayed = c.counter("JackReplayed");
        failed = c.counter("JackFailed");
        spoolDropped = c.counter("JackSpoolDropped");
        spoolCorrupt = c.counter("JackSpoolCorrupt");
    }
}
