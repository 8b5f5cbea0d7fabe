package io.hiq.consumer.store;

/** Statistics of one tag over a window, in milliseconds (an element of {@code /api/stats}). */
public record TagStats(String service, String tag, long count, double sumMs, double meanMs,
                       double p50Ms, double p95Ms, double p99Ms, double maxMs) {
    static TagStats of(String service, String tag, Aggregate a) {
        return new TagStats(service, tag, a.count(), a.sum() / 1e6, a.mean() / 1e6,
                a.percentile(50) / 1e6, a.percentile(95) / 1e6, a.percentile(99) / 1e6, a.max() / 1e6);
    }
}
