package io.hiq.jack.publisher;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A destination for encoded trees, in the shape of an OpenTelemetry exporter: {@link #export}
 * starts delivering one batch and returns at once with a future of its {@link ExportResult};
 * {@link #flush} and {@link #shutdown} wait a bounded time.
 *
 * <p>Contract: {@code export} is called from one thread (Jack's batcher) and must not block for
 * long (bounded by the publisher's own short timeouts, never by an unreachable service: Kafka's
 * waits at most {@code request.timeout.ms} for room in its in-flight budget); the future
 * always completes, with every tree of the batch counted exactly once as delivered, retry or
 * rejected; it never completes exceptionally. Trees larger than {@link #maxMessageBytes} are not
 * passed to {@code export} (Jack rejects them before).
 */
public interface TreePublisher extends AutoCloseable {
    /** A short name for messages: {@code kafka}, {@code oci-streaming}. */
    String name();

    /** Starts delivering {@code batch}; the future tells what was delivered. */
    CompletableFuture<ExportResult> export(List<EncodedTree> batch);

    /**
     * False while the publisher would refuse another batch as busy ({@link PublisherBusyException}):
     * Jack then does not read a replay chunk from the spool only to have it come back. A hint, never
     * a promise: {@link #export} may still answer busy.
     */
    default boolean ready() { return true; }

    /** Waits up to {@code timeout} for every batch exported so far to complete; true if they did. */
    boolean flush(Duration timeout);

    /**
     * Stops the publisher, waiting up to {@code timeout} for pending deliveries; afterwards every
     * future returned by {@link #export} has completed (undelivered trees as {@code retry}).
     */
    void shutdown(Duration timeout);

    /** The largest tree (JSON bytes) this publisher can deliver in one message. */
    int maxMessageBytes();

    /**
     * Names the real cause of a delivery failure for one stderr line (e.g. the connection refused
     * behind a metadata timeout); may take a moment (a connection attempt), never long.
     */
    default String describe(Throwable error) {
        return io.hiq.jack.report.Stderr.describe(error);
    }

    /** {@link #shutdown} with a short timeout. */
    @Override
    default void close() { shutdown(Duration.ofSeconds(1)); }
}
