package io.hiq.tree;

/**
 * The one size limit every part of the pipeline agrees on. Jack (Kafka and OCI Streaming) never
 * publishes an encoded tree larger than {@link #MAX_ENCODED_BYTES}, and the consumer service accepts
 * every tree up to that size, so a tree counted as published is never lost for its size downstream.
 *
 * <p>Why 1 000 000: Kafka's default {@code max.request.size} and a broker's default
 * {@code message.max.bytes} are about 1 MiB including the record's overhead and key, and OCI
 * Streaming caps a message (key included) at 1 MiB; a round 1 000 000 leaves room for both.
 */
public final class TreeLimits {
    /** Largest encoded tree (UTF-8 JSON bytes of one B4 object) that is published or accepted. */
    public static final int MAX_ENCODED_BYTES = 1_000_000;

    /** Default cap on nodes per tree ({@code HIQ_MAX_NODES}); beyond it calls fold into counted summaries. */
    public static final int DEFAULT_MAX_NODES = 10_000;

    private TreeLimits() {}
}
