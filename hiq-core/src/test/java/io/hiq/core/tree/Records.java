package io.hiq.core.tree;

import io.hiq.core.event.SpanBatch;
import java.util.ArrayList;
import java.util.List;

/** Builds the {@code (kind, tagId, nanoTime)} records of {@link SpanBatch#of} for one thread, in call order. */
final class Records {
    private final List<long[]> records = new ArrayList<>();

    Records enter(int tag, long nanos) {
        records.add(new long[] {SpanBatch.ENTER, tag, nanos});
        return this;
    }

    Records exit(int tag, long nanos) {
        records.add(new long[] {SpanBatch.EXIT, tag, nanos});
        return this;
    }

    int size() { return records.size(); }

    /** The records so far as one batch, and forgets them. */
    long[][] take() {
        long[][] r = records.toArray(new long[0][]);
        records.clear();
        return r;
    }

    SpanBatch batch(long threadId, String name) { return SpanBatch.of(threadId, name, take()); }
}
