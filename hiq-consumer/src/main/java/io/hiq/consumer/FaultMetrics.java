package io.hiq.consumer;

import io.hiq.consumer.http.PrometheusText;
import io.hiq.consumer.ingest.DeadLetterFile;
import io.hiq.consumer.ingest.IngestMetrics;
import io.hiq.consumer.store.Retention;
import io.hiq.consumer.store.TreeStore;

/**
 * The {@code /metrics} counters of the service's faults and housekeeping (listed in the module
 * README's fault table): store errors and retries, store re-connections, refused and absurd trees,
 * id conflicts and redeliveries, Kafka errors, dead-letter write errors, retention deletes.
 */
final class FaultMetrics {
    private FaultMetrics() {}

    static void write(PrometheusText p, IngestMetrics m, DeadLetterFile dl, TreeStore store, Retention retention) {
        p.metric("hiq_consumer_trees_redelivered_total", "counter", "Trees whose id was stored already with the same bytes (redelivery, ignored)", m.redelivered());
        p.metric("hiq_consumer_trees_id_conflict_total", "counter", "Trees whose id was stored already with different bytes (first version kept, this one ignored)", m.conflicts());
        p.metric("hiq_consumer_store_errors_total", "counter", "Store operations that failed (the batch is retried with back-off)", m.storeErrors());
        p.metric("hiq_consumer_store_retries_total", "counter", "Batches read again after a store error", m.storeRetries());
        p.metric("hiq_consumer_store_reconnects_total", "counter", "Store connections re-opened after being found broken", store.reconnects());
        p.metric("hiq_consumer_store_rejected_total", "counter", "Trees the store refused (a value it cannot keep), dead-lettered alone", m.storeRejected());
        p.metric("hiq_consumer_absurd_values_total", "counter", "Trees dead-lettered for a negative or too long span", m.absurd());
        p.metric("hiq_consumer_kafka_errors_total", "counter", "Kafka operations that failed or timed out (retried with back-off)", m.kafkaErrors());
        p.metric("hiq_consumer_dead_letter_write_errors_total", "counter", "Dead-letter appends that failed (batch retried with back-off)", dl.failures());
        if (retention != null) {
            p.metric("hiq_consumer_retention_seconds", "gauge", "Trees and roll-ups older than this are deleted (HIQ_RETENTION)", retention.keep().toSeconds());
            p.metric("hiq_consumer_retention_deleted_trees_total", "counter", "Trees deleted by retention", retention.deletedTrees());
            p.metric("hiq_consumer_retention_deleted_rollups_total", "counter", "Roll-up rows deleted by retention", retention.deletedRollups());
            p.metric("hiq_consumer_retention_errors_total", "counter", "Retention passes that failed (tried again at the next interval)", retention.errors());
        }
    }
}
