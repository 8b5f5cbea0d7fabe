package io.hiq.consumer.store;

/** One minute of one tag's latency (an element of {@code /api/stats/series}). */
public record SeriesPoint(long minuteMs, long count, double p50Ms, double p95Ms, double p99Ms) {}
