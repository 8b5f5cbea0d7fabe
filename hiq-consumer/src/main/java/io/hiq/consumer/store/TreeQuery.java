package io.hiq.consumer.store;

/**
 * A filter on stored trees: service (null = all), minimum latency in ms, order and page size.
 *
 * @param slowest true: slowest first; false: newest first
 */
public record TreeQuery(String service, double minLatencyMs, boolean slowest, int limit) {}
