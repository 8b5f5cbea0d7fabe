package io.hiq.lmk;

import io.hiq.core.event.ExtraValue;
import io.hiq.core.event.SpanBatch;
import io.hiq.core.event.TagRegistry;
import io.hiq.core.runtime.HiQRuntime;
import io.hiq.core.spi.HiQContext;
import io.hiq.core.spi.SpanEventHandler;
import io.hiq.lmk.format.LineFormat;
import io.hiq.lmk.format.MetricValue;
import io.hiq.lmk.format.SpanLine;
import io.hiq.lmk.output.LineSink;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The LMK consumer on the ring: one line per span start (🐵) and one per span end (🙈), in ring
 * order, so per application thread in call order (DESIGN A3, B5b).
 *
 * <p>Runs on its own ring consumer thread; the application thread only publishes. Formatting goes
 * into one reused {@link StringBuilder} and {@link SpanLine}; per application thread it keeps a
 * small stack of the open calls (their start reading, for the end line's value, and the extras
 * recorded while they run, which are shown on their end line). Drops of the ring are reported as a
 * WARN line at most once per second ({@link DropWarner}).
 */
public final class LmkHandler implements SpanEventHandler {
    private static final int KEEP_SB_CAPACITY = 64 * 1024;
    private static final int PRUNE_THREADS_AT = 4096;

    private final HiQContext context;
    private final TagRegistry tags;
    private final LineFormat format;
    private final LineSink sink;
    private final DropWarner warner;
    /** Index of the line's metric among the non-time readings, or -1 for time. */
    private final int metricIndex;
    private final SpanLine line = new SpanLine();
    private final Map<Long, ThreadState> threads = new HashMap<>();
    private StringBuilder sb = new StringBuilder(256);
    private String[] tagNames = new String[64];
    private long lastThreadId = Long.MIN_VALUE;
    private ThreadState lastThread;

    /**
     * @param context the runtime (tags, metrics, pid, clock, drop counters)
     * @param format  the line format ({@code LMK_FORMAT})
     * @param sink    where lines go
     */
    public LmkHandler(HiQContext context, LmkOptions.Format format, LineSink sink) {
        this.context = context;
        this.tags = context.tags();
        this.sink = sink;
        List<String> metrics = context.metrics();
        String first = metrics.isEmpty() ? "time" : metrics.get(0);
        this.metricIndex = first.equals("time") ? -1 : nonTimeIndex(metrics, 0);
        this.format = LineFormat.of(format, MetricValue.of(first), context.pid());
        this.warner = new DropWarner(() -> context.counters().get(HiQRuntime.DROPPED),
                () -> context.counters().get(HiQRuntime.DROPPED_TREES), System::nanoTime);
    }

    /** Where this handler writes, for messages. */
    public String output() { return sink.description(); }

    @Override
    public synchronized void onBatch(SpanBatch b, boolean endOfBatch) {
        sink.beginBatch();
        ThreadState ts = state(b.threadId());
        if (b.abortOpen()) ts.reset();
        String thread = b.threadName();
        for (int i = 0, n = b.size(); i < n; i++) {
            switch (b.kind(i)) {
                case SpanBatch.ENTER -> {
                    long reading = reading(b, i);
                    ts.push(reading);
                    SpanLine l = line;
                    l.clear();
                    l.start = true;
                    l.epochMicros = context.epochMicros(b.nanoTime(i));
                    l.tag = tagName(b.tagId(i));
                    l.thread = thread;
                    if (metricIndex >= 0) {
                        // for time the start reading is the timestamp itself; other metrics show it
                        l.hasValue = true;
                        l.value = reading;
                    }
                    emit();
                }
                case SpanBatch.EXIT -> {
                    SpanLine l = line;
                    l.clear();
                    l.start = false;
                    l.epochMicros = context.epochMicros(b.nanoTime(i));
                    l.tag = tagName(b.tagId(i));
                    l.thread = thread;
                    if (ts.depth > 0) {
                        l.hasValue = true;
                        l.value = reading(b, i) - ts.startReading[ts.depth - 1];
                        ts.popInto(l);
                    }
                    l.thrown = b.thrown(i);
                    emit();
                    ts.releaseExtras();
                }
                case SpanBatch.EXTRA -> {
                    if (b.ref(i) instanceof ExtraValue e) ts.addExtra(e);
                }
                default -> { }
            }
        }
        if (endOfBatch) {
            warnIfDropped(false);
            sink.endOfBatch();
            if (threads.size() > PRUNE_THREADS_AT) pruneIdleThreads();
        }
    }

    @Override
    public synchronized void flush(long deadlineNanos) {
        warnIfDropped(true);
        sink.flush();
    }

    @Override
    public synchronized void close() { sink.close(); }

    private void emit() {
        StringBuilder s = sb;
        s.setLength(0);
        format.span(s, line);
        line.clear(); // the line's extras and exception must not outlive their call
        sink.line(s);
        if (s.capacity() > KEEP_SB_CAPACITY) sb = new StringBuilder(256);
    }

    private void warnIfDropped(boolean force) {
        DropWarner.Warning w = warner.poll(force);
        if (w == null) return;
        StringBuilder s = sb;
        s.setLength(0);
        format.dropped(s, context.epochMicros(System.nanoTime()), w.records(), w.trees(), w.totalRecords());
        sink.warn(s);
    }

    private long reading(SpanBatch b, int i) { return metricIndex < 0 ? b.nanoTime(i) : b.extraValue(i, metricIndex); }

    private String tagName(int id) {
        if (id >= 0 && id < tagNames.length) {
            String cached = tagNames[id];
            if (cached != null) return cached;
        }
        String name = tags.name(id);
        if (name.startsWith("__")) name = name.substring(2);
        if (tags.get(id) != null && id >= 0) {
            if (id >= tagNames.length) tagNames = Arrays.copyOf(tagNames, Math.max(id + 1, tagNames.length * 2));
            tagNames[id] = name;
        }
        return name;
    }

    private ThreadState state(long threadId) {
        if (threadId == lastThreadId && lastThread != null) return lastThread;
        ThreadState ts = threads.computeIfAbsent(threadId, k -> new ThreadState());
        lastThreadId = threadId;
        lastThread = ts;
        return ts;
    }

    /** Forgets threads with no open call (e.g. finished pool threads), so the map stays small. */
    private void pruneIdleThreads() {
        threads.values().removeIf(t -> t.depth == 0);
        lastThread = null;
        lastThreadId = Long.MIN_VALUE;
    }

    private static int nonTimeIndex(List<String> metrics, int position) {
        int k = 0;
        for (int m = 0; m < position; m++) if (!metrics.get(m).equals("time")) k++;
        return k;
    }

    /** The open calls of one application thread, innermost last. */
    private static final class ThreadState {
        long[] startReading = new long[16];
        int[] extraStart = new int[16];
        ExtraValue[] extras = new ExtraValue[8];
        int extraLen;
        int depth;
        private int releaseFrom = -1;

        void push(long reading) {
            if (depth == startReading.length) {
                startReading = Arrays.copyOf(startReading, depth * 2);
                extraStart = Arrays.copyOf(extraStart, depth * 2);
            }
            startReading[depth] = reading;
            extraStart[depth] = extraLen;
            depth++;
        }

        void addExtra(ExtraValue e) {
            if (depth == 0) return; // no open call to attach it to
            if (extraLen == extras.length) extras = Arrays.copyOf(extras, extraLen * 2);
            extras[extraLen++] = e;
        }

        /** Pops the innermost call and lends its extras to the line (until {@link #releaseExtras}). */
        void popInto(SpanLine l) {
            depth--;
            int from = extraStart[depth];
            int count = extraLen - from;
            if (count > 0) {
                if (l.extras.length < count) l.extras = new ExtraValue[Math.max(count, 8)];
                System.arraycopy(extras, from, l.extras, 0, count);
                l.extraCount = count;
            }
            releaseFrom = from;
        }

        void releaseExtras() {
            if (releaseFrom < 0) return;
            for (int r = releaseFrom; r < extraLen; r++) extras[r] = null;
            extraLen = releaseFrom;
            releaseFrom = -1;
        }

        void reset() {
            depth = 0;
            Arrays.fill(extras, 0, extraLen, null);
            extraLen = 0;
            releaseFrom = -1;
        }
    }
}
