package io.hiq.consumer.http;

import java.util.List;

/** What the HTTP layer reads about the running service for {@code /health} and {@code /metrics}. */
public interface ServiceStatus {
    /** Whether the store is open. */
    boolean storeOpen();

    /** Whether the Kafka group gave this member its assignment (possibly empty). */
    boolean joined();

    /** Assigned partitions as {@code topic-N}. */
    List<String> partitions();

    /** Records polled. */
    long records();

    /** Trees stored for the first time by this instance. */
    long treesIngested();

    /** Redelivered or duplicate trees ignored. */
    long duplicates();

    /** Dead letters written by this instance. */
    long deadLetters();

    /** Sum of the assigned partitions' lag; -1 when unknown. */
    long lag();

    /** The store's kind ({@code h2}, {@code postgresql}). */
    String storeKind();

    /**
     * Why the service is DOWN although the store is open and the group joined (store, Kafka or
     * dead-letter file failing, with the last error), or null when nothing is wrong.
     */
    default String downReason() { return null; }

    /** Whether {@code /health} says UP: store open, group joined, nothing failing. */
    default boolean up() { return storeOpen() && joined() && downReason() == null; }

    /** Appends the ingest side's fault counters (store, Kafka, dead letters, retention) to {@code /metrics}. */
    default void exportMetrics(PrometheusText out) {}
}
