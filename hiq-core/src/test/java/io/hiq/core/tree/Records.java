package io.hiq.core.tree;

import io.hiq.core.event.SpanBatch;
import java.util.ArrayList;
import java.util.List;

/** Builds the {@code (kind, tagId, nanoTime)} records of {@link SpanBatch#of} for one thread, in call order. */
final class Records {
    private final List<long[]> records = new ArrayList<>();
    private final List<Object> refs = new ArrayList<>();

    Records enter(int tag, long nanos) {
        records.add(new long[] {SpanBatch.ENTER, tag, nanos});
        return this;
    }

    Records exit(int tag, long nanos) {
        records.add(new long[] {SpanBatch.EXIT, tag, nanos});
        return this;
    }

    /** An EXTRA record annotating the innermost open call. */
    Records extra(String key, Object value) {
        refs.add(new io.hiq.core.event.ExtraValue(key, value));
        records.add(new long[] {SpanBatch.EXTRA, 0, 0, refs.size()});
        return this;
    }

    /** An EXIT record of a call that threw {@code t}. */
    Records exitThrowing(int tag, long nanos, Throwable t) {
        refs.add(t);
        records.add(new long[] {SpanBatch.EXIT, tag, nanos, refs.size()});
        return this;
    }

    int size() { return records.size(); }

    /** The records so far as one batch, and forgets them. */
    long[][] take() {
        long[][] r = records.toArray(new long[0][]);
        records.clear();
        return r;
    }

    SpanBatch batch(long threadId, String name) {
        Object[] r = refs.toArray();
        refs.clear();
        return io.hiq.core.event.TestBatches.withRefs(threadId, name, take(), r);
    }
}
