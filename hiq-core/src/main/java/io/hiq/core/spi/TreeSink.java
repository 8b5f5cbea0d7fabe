package io.hiq.core.spi;

import io.hiq.tree.HiQTree;
import io.hiq.tree.TreeView;

/**
 * Receives every completed {@link HiQTree}, in completion order per application thread.
 *
 * <p>{@link #accept} is called on the tree assembler's thread: an implementation that does I/O
 * (Jack, exporters) must hand the tree to its own thread or buffer and return at once, or it delays
 * every other sink. It must never throw; failures are counted and reported by the sink itself.
 */
public interface TreeSink {
    /** Takes one completed tree. */
    void accept(HiQTree tree);

    /**
     * Whether this sink reads trees in place ({@link #acceptView}) rather than as objects. When every
     * sink does, the assembler makes no object per node: the tree goes from its arrays straight to
     * the sinks (Jack encodes it into bytes there). Default: objects.
     */
    default boolean acceptsView() { return false; }

    /**
     * Takes one completed tree as a view of the assembler's arrays, called instead of
     * {@link #accept} when {@link #acceptsView()} is true. The view is valid only during this call
     * (its arrays are reused for the next tree): copy or encode what you keep, or call
     * {@link TreeView#toTree()}. Same rules as {@link #accept}: never block, never throw.
     */
    default void acceptView(TreeView view) { accept(view.toTree()); }

    /**
     * Whether this sink uses trees at all. When no sink does, the assembler does not build them
     * (span records are still counted): tracing with no output configured costs only the hot path.
     */
    default boolean wantsTrees() { return true; }

    /**
     * Called after a run of trees, when the assembler has nothing more to hand over right now: the
     * place to hand a batch on (the Disruptor's {@code endOfBatch}).
     */
    default void endOfBatch() {}

    /** Delivers whatever is buffered, waiting at most until {@code deadlineNanos} ({@link System#nanoTime()}). */
    default void flush(long deadlineNanos) {}

    /** Releases resources; called once, after the last {@link #flush}. */
    default void close() {}
}
