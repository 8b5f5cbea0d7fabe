package io.hiq.consumer.store;

/** One row of the requests table: a stored tree's id, service, root tag, start (epoch µs) and latency. */
public record TreeSummary(String id, String service, String rootTag, long startUs, double latencyMs) {}
