package io.hiq.jack.support;

import io.hiq.core.event.TagRegistry;
import io.hiq.core.runtime.Counters;
import io.hiq.core.runtime.Settings;
import io.hiq.core.spi.HiQContext;
import io.hiq.core.spi.SpanEventHandler;
import io.hiq.core.spi.TreeSink;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** A minimal runtime for driving Jack in tests: settings from a map, real counters, the sinks. */
public final class TestContext implements HiQContext {
    private final Settings settings;
    private final Counters counters = new Counters();
    public final List<TreeSink> sinks = new CopyOnWriteArrayList<>();

    public TestContext(Map<String, String> vars) { this.settings = Settings.of(vars); }

    @Override public Settings settings() { return settings; }
    @Override public TagRegistry tags() { return null; }
    @Override public List<String> metrics() { return List.of("time"); }
    @Override public long pid() { return ProcessHandle.current().pid(); }
    @Override public String service() { return "jack-test"; }
    @Override public Counters counters() { return counters; }
    @Override public void addSpanHandler(SpanEventHandler handler) { throw new UnsupportedOperationException(); }
    @Override public void addTreeSink(TreeSink sink) { sinks.add(sink); }
    @Override public long epochMicros(long nanoTime) { return nanoTime / 1000; }

    /** The single sink Jack registered. */
    public TreeSink sink() {
        if (sinks.size() != 1) throw new IllegalStateException("sinks: " + sinks);
        return sinks.get(0);
    }

    /** Hands trees to the sink the way the assembler does: accept each, then endOfBatch. */
    public void deliver(List<io.hiq.tree.HiQTree> trees) {
        TreeSink s = sink();
        for (io.hiq.tree.HiQTree t : trees) s.accept(t);
        s.endOfBatch();
    }

    /** What the runtime does at JVM exit: flush within the timeout, then close. */
    public void exit(long timeoutMillis) {
        TreeSink s = sink();
        s.flush(System.nanoTime() + timeoutMillis * 1_000_000L);
        s.close();
    }
}
