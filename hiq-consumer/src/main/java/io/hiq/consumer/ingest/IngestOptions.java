package io.hiq.consumer.ingest;

import java.time.Duration;

/**
 * How the service rides out faults, and how long it keeps data. Defaults suit production; tests
 * shorten the waits (the behaviour is the same, only sooner).
 *
 * @param backoffMin         first pause after a failure (store, Kafka, dead-letter file)
 * @param backoffMax         longest pause: retries go on forever, at most this far apart
 * @param storeDownAfter     consecutive store failures before {@code /health} says DOWN
 * @param kafkaProbeInterval how often an idle consumer checks that the brokers answer
 * @param kafkaTimeout       how long one Kafka request (probe, offset commit) may take before it
 *                           counts as a failure and is retried after the back-off
 * @param retention          trees and roll-ups older than this are deleted ({@code HIQ_RETENTION})
 * @param retentionInterval  time between two retention passes
 */
public record IngestOptions(Duration backoffMin, Duration backoffMax, int storeDownAfter,
                            Duration kafkaProbeInterval, Duration kafkaTimeout,
                            Duration retention, Duration retentionInterval) {
    /** The production defaults: back-off 0.5 s – 30 s, DOWN after 3 store failures, probe every 5 s, 60 s Kafka timeout, 7 days' retention checked every 5 minutes. */
    public static IngestOptions defaults() {
        return new IngestOptions(Duration.ofMillis(500), Duration.ofSeconds(30), 3, Duration.ofSeconds(5),
                Duration.ofSeconds(60), io.hiq.consumer.store.Retention.DEFAULT, io.hiq.consumer.store.Retention.DEFAULT_INTERVAL);
    }

    /** These options with another retention. */
    public IngestOptions withRetention(Duration keep, Duration interval) {
        return new IngestOptions(backoffMin, backoffMax, storeDownAfter, kafkaProbeInterval, kafkaTimeout, keep, interval);
    }

    /** These options with other back-off bounds and Kafka waits. */
    public IngestOptions withWaits(Duration backoffMin, Duration backoffMax, Duration kafkaProbeInterval, Duration kafkaTimeout) {
        return new IngestOptions(backoffMin, backoffMax, storeDownAfter, kafkaProbeInterval, kafkaTimeout, retention, retentionInterval);
    }
}
