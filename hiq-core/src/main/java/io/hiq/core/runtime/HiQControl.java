package io.hiq.core.runtime;

/** The {@code hiq:type=HiQ} MBean over a running {@link HiQRuntime}. */
public final class HiQControl implements HiQControlMBean {
    /** The MBean's object name. */
    public static final String OBJECT_NAME = "hiq:type=HiQ";

    private final HiQRuntime runtime;

    HiQControl(HiQRuntime runtime) { this.runtime = runtime; }

    @Override public void enable() { runtime.enable(); }
    @Override public void disable() { runtime.disable(); }
    @Override public boolean isEnabled() { return runtime.isEnabled(); }
    @Override public long getPublished() { return runtime.counters().get(HiQRuntime.PUBLISHED); }
    @Override public long getDropped() { return runtime.counters().get(HiQRuntime.DROPPED); }
    @Override public long getDroppedTrees() { return runtime.counters().get(HiQRuntime.DROPPED_TREES); }
    @Override public long getTrees() { return runtime.counters().get(HiQRuntime.TREES); }
    @Override public long getBrokenTrees() { return runtime.counters().get(HiQRuntime.BROKEN_TREES); }
    @Override public long getTruncatedTrees() { return runtime.counters().get(HiQRuntime.TRUNCATED_TREES); }
    @Override public long getPartialTrees() { return runtime.counters().get(HiQRuntime.PARTIAL_TREES); }
    @Override public long getGaps() { return runtime.counters().get(HiQRuntime.GAPS); }
    @Override public long getGapRecords() { return runtime.counters().get(HiQRuntime.GAP_RECORDS); }
    @Override public long getTagOverflow() { return runtime.counters().get(HiQRuntime.TAG_OVERFLOW); }
    @Override public long getJackPublished() { return runtime.counters().get("JackPublished"); }
    @Override public long getJackSpooled() { return runtime.counters().get("JackSpooled"); }
    @Override public long getJackReplayed() { return runtime.counters().get("JackReplayed"); }
    @Override public long getJackFailed() { return runtime.counters().get("JackFailed"); }
    @Override public long getJackSpoolDropped() { return runtime.counters().get("JackSpoolDropped"); }
    @Override public long getJackSpoolPending() { return runtime.counters().get("JackSpoolPending"); }
    @Override public long getJackSpoolCorrupt() { return runtime.counters().get("JackSpoolCorrupt"); }
}
