package io.hiq.consumer.store;

/**
 * A filter on stored trees for {@link TreeStore#trees(TreeQuery)}: nulls and zero mean "any".
 *
 * @param service      the tree's service, or null
 * @param rootTag      the root's tag, or null
 * @param minLatencyMs smallest root latency in ms (0: no minimum)
 * @param maxLatencyMs largest root latency in ms (negative: no maximum)
 * @param slowest      true: slowest first; false: newest first
 * @param limit        rows on the page
 */
public record TreeQuery(String service, String rootTag, double minLatencyMs, double maxLatencyMs, boolean slowest, int limit) {
    /** By service and minimum latency only. */
    public TreeQuery(String service, double minLatencyMs, boolean slowest, int limit) {
        this(service, null, minLatencyMs, -1, slowest, limit);
    }
}
