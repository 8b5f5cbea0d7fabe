package io.hiq.core.event;

/**
 * Identifies one task handed from a traced call to another thread (an executor, a
 * {@code CompletableFuture} stage, a virtual thread), so that the tree assembler can put the
 * task's calls under the call that submitted it. Compared by identity.
 */
public final class TaskLink {
    TaskLink() {}
}
