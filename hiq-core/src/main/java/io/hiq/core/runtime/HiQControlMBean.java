package io.hiq.core.runtime;

/**
 * The JMX view of a traced JVM, registered as {@code hiq:type=HiQ} (DESIGN B7): switch tracing off
 * and on at run time, and read HiQ's counters. Published/Dropped count span records
 * (ENTER/EXIT/EXTRA); Trees counts completed trees; the Jack counters are trees.
 */
public interface HiQControlMBean {
    /** Turns tracing on (re-instruments the conf's methods). */
    void enable();

    /** Turns tracing off (restores the original bytecode: disabled tracing costs nothing). */
    void disable();

    boolean isEnabled();

    long getPublished();

    long getDropped();

    long getDroppedTrees();

    long getTrees();

    /** Trees flagged broken: recording was repaired (an EXIT that did not match, a thread that died mid-root). */
    long getBrokenTrees();

    /** Trees (partial ones included) flagged truncated: calls beyond {@code HIQ_MAX_NODES} were folded, or a gap skipped some. */
    long getTruncatedTrees();

    /** Partial trees emitted for long-lived roots ({@code HIQ_PARTIAL_INTERVAL}). */
    long getPartialTrees();

    /** Gaps in kept trees: stretches of a long root not recorded because the ring and the buffer were full. */
    long getGaps();

    /** Records not written in gaps (also counted in {@link #getDropped()}). */
    long getGapRecords();

    /** Tag registrations that fell back to the overflow tag because the tag registry was full. */
    long getTagOverflow();

    long getJackPublished();

    long getJackSpooled();

    long getJackReplayed();

    long getJackFailed();

    /** Trees the bounded spool had to drop (oldest segment first) because it was full. */
    long getJackSpoolDropped();

    /** Trees waiting in the spool for delivery. */
    long getJackSpoolPending();

    /** Corrupt regions skipped in Jack's spool (torn or failed writes, flipped bits); their trees are lost. */
    long getJackSpoolCorrupt();
}
