package io.hiq.consumer.store;

/**
 * One row of the requests table: a stored tree's id, service, root tag, start (epoch µs) and
 * latency, the root's thread and how many of its spans carry an exception.
 */
public record TreeSummary(String id, String service, String rootTag, long startUs, double latencyMs, String thread, int errors) {}
