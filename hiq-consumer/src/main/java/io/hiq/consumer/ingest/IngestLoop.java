package io.hiq.consumer.ingest;

import io.hiq.consumer.store.StoredTree;
import io.hiq.consumer.store.TreeStore;
import io.hiq.consumer.store.WriteResult;
import io.hiq.tree.TreeFormatException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka side of the service, on its own thread: polls the group's partitions, turns each batch
 * into valid trees and dead letters, writes the trees in one store transaction, then commits the
 * batch's offsets (at-least-once, made exactly-once in effect by the store's id key).
 *
 * <p>Offsets are committed after their transactions, at most every {@value #COMMIT_INTERVAL_MS} ms
 * (and when idle, on revocation and on shutdown), each time right after {@link TreeStore#flush()}:
 * making H2's file durable once per interval instead of once per batch doubles ingest throughput,
 * and a crash in between only means the batches since the last commit are delivered again — and
 * ignored by id.
 *
 * <p>When the store fails, nothing is committed: the consumer seeks back to the batch's first
 * offsets and tries again after a pause, so no tree is skipped. Bad records never stop the loop.
 */
public final class IngestLoop implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(IngestLoop.class);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String topic;
    private final TreeStore store;
    private final DeadLetterFile deadLetters;
    private final IngestMetrics metrics;
    /** Longest time between two offset commits while records keep coming. */
    public static final long COMMIT_INTERVAL_MS = 200;

    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Map<TopicPartition, OffsetAndMetadata> pending = new HashMap<>();
    private long lastCommitNanos = System.nanoTime();
    private volatile boolean running = true;
    private volatile boolean joined;
    private volatile Set<TopicPartition> assignment = Set.of();
    private volatile Throwable failure;

    /**
     * @param kafkaProps the consumer configuration: bootstrap, group and any user properties; this
     *                   class fixes deserializers, manual commits and earliest reset
     */
    public IngestLoop(Properties kafkaProps, String topic, TreeStore store, DeadLetterFile deadLetters, IngestMetrics metrics) {
        Properties p = new Properties();
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "500");
        p.putAll(kafkaProps);
        // these make the delivery guarantee: never overridden by user properties
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        this.consumer = new KafkaConsumer<>(p);
        this.topic = topic;
        this.store = store;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
    }

    /** Whether the group gave this member its assignment (possibly empty: more members than partitions). */
    public boolean joined() { return joined; }

    /** The partitions currently assigned. */
    public Set<TopicPartition> assignment() { return assignment; }

    /** The error that ended the loop, or null. */
    public Throwable failure() { return failure; }

    /** Whether the loop is still polling. */
    public boolean isRunning() { return stopped.getCount() > 0; }

    @Override
    public void run() {
        try {
            consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    // hand the partitions over with everything stored so far committed
                    commitPending();
                    assignment = Set.copyOf(consumer.assignment());
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    assignment = Set.copyOf(consumer.assignment());
                    joined = true;
                    LOG.info("consumer: assigned {}", assignment);
                }

                @Override
                public void onPartitionsLost(Collection<TopicPartition> partitions) {
                    partitions.forEach(pending::remove); // no longer ours to commit
                    assignment = Set.copyOf(consumer.assignment());
                }
            });
            while (running) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(500));
                if (!records.isEmpty()) process(records);
                if (records.isEmpty() || System.nanoTime() - lastCommitNanos >= COMMIT_INTERVAL_MS * 1_000_000L) commitPending();
                updateLag();
            }
            commitPending();
        } catch (WakeupException e) {
            if (running) failure = e;
            else commitPending(); // stop() woke the poll up: the last batches still get committed
        } catch (Throwable t) {
            failure = t;
            LOG.error("consumer: ingest loop stopped", t);
        } finally {
            try {
                consumer.close(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                LOG.debug("consumer: close", e);
            }
            stopped.countDown();
        }
    }

    private void process(ConsumerRecords<byte[], byte[]> records) throws InterruptedException {
        List<StoredTree> trees = new ArrayList<>(records.count());
        List<ConsumerRecord<byte[], byte[]>> bad = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
        Map<TopicPartition, Long> first = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            TopicPartition tp = new TopicPartition(r.topic(), r.partition());
            first.putIfAbsent(tp, r.offset());
            next.put(tp, new OffsetAndMetadata(r.offset() + 1));
            try {
                trees.add(TreeValidator.validate(r.value()));
            } catch (TreeFormatException e) {
                bad.add(r);
                reasons.add(e.getMessage());
            } catch (RuntimeException e) { // a decoder bug must not stop the service either
                bad.add(r);
                reasons.add("cannot decode: " + e);
            }
        }
        WriteResult result;
        try {
            result = store.write(trees);
        } catch (Exception e) {
            metrics.storeErrors.incrementAndGet();
            LOG.warn("consumer: store write failed ({}); retrying the batch of {} records", e.toString(), records.count());
            first.forEach(consumer::seek);
            Thread.sleep(1000); // back-off before the same batch is polled again
            return;
        }
        for (int i = 0; i < bad.size(); i++) {
            ConsumerRecord<byte[], byte[]> r = bad.get(i);
            deadLetters.write(r.topic(), r.partition(), r.offset(), reasons.get(i), r.value());
        }
        pending.putAll(next);
        metrics.records.addAndGet(records.count());
        metrics.ingested.addAndGet(result.inserted());
        metrics.duplicates.addAndGet(result.duplicates());
        metrics.batches.incrementAndGet();
    }

    /** Makes the stored batches durable, then commits their offsets. */
    private void commitPending() {
        if (pending.isEmpty()) return;
        try {
            store.flush();
        } catch (Exception e) {
            // not durable: forget the pending offsets and read those batches again (ignored by id)
            LOG.warn("consumer: store flush failed ({}); re-reading from the last committed offsets", e.toString());
            for (TopicPartition tp : pending.keySet()) {
                OffsetAndMetadata c = consumer.committed(Set.of(tp)).get(tp);
                if (c == null) consumer.seekToBeginning(Set.of(tp));
                else consumer.seek(tp, c.offset());
            }
            pending.clear();
            return;
        }
        try {
            consumer.commitSync(pending);
        } catch (org.apache.kafka.clients.consumer.CommitFailedException
                 | org.apache.kafka.common.errors.RebalanceInProgressException e) {
            // the partitions moved to another member, which re-reads from the last commit: the trees
            // already stored are then duplicates and change nothing
            LOG.info("consumer: offsets not committed ({}); the new owner re-reads them", e.toString());
        }
        pending.clear();
        lastCommitNanos = System.nanoTime();
    }

    private void updateLag() {
        long sum = 0;
        boolean any = false;
        for (TopicPartition tp : consumer.assignment()) {
            var lag = consumer.currentLag(tp);
            if (lag.isPresent()) {
                sum += lag.getAsLong();
                any = true;
            }
        }
        metrics.lag = any || consumer.assignment().isEmpty() ? sum : metrics.lag;
    }

    /** Stops polling, leaves the group and waits up to {@code timeout} for the thread to end. */
    public boolean stop(Duration timeout) throws InterruptedException {
        running = false;
        consumer.wakeup();
        return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
}
