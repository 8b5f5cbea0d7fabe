package io.hiq.consumer.store;

/**
 * One service over a window (an element of {@code /api/services}): how many trees it stored, its
 * busiest root tag, and that tag's latency statistics over the same window.
 *
 * @param service   the service name (the tree's {@code service})
 * @param trees     trees of this service that started in the window
 * @param rootTag   the root tag with the most trees in the window (ties: the first by name)
 * @param rootTrees trees with that root tag
 * @param rootStats latency statistics of {@code rootTag} in this service over the window (every node
 *                  with that tag, from the per-minute roll-ups)
 */
public record ServiceSummary(String service, long trees, String rootTag, long rootTrees, TagStats rootStats) {
}
