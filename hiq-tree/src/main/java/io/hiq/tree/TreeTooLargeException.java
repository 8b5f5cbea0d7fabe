package io.hiq.tree;

/**
 * A tree whose encoded form would pass a size limit ({@link TreeLimits#MAX_ENCODED_BYTES} for
 * publishing): thrown by {@link TreeJsonWriter#encode(HiQTree, int)} as soon as the limit is passed,
 * so an oversized tree is never encoded whole.
 */
public final class TreeTooLargeException extends RuntimeException {
    private final int limit;

    /** @param limit the limit in bytes that the encoding passed */
    public TreeTooLargeException(int limit) {
        super("encoded tree larger than " + limit + " bytes", null, false, false);
        this.limit = limit;
    }

    /** The limit in bytes that the encoding passed. */
    public int limit() { return limit; }
}
