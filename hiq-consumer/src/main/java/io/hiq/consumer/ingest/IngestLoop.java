package io.hiq.consumer.ingest;

import io.hiq.consumer.ingest.ServiceHealth.Part;
import io.hiq.consumer.store.StoreErrors;
import io.hiq.consumer.store.StoredTree;
import io.hiq.consumer.store.TreeStore;
import io.hiq.tree.TreeFormatException;
import java.io.UncheckedIOException;
import java.sql.SQLException;
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
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka side of the service, on its own thread: polls the group's partitions, turns each batch
 * into valid trees and dead letters, writes the trees (one store transaction per batch), then commits
 * the batch's offsets (at-least-once, made exactly-once in effect by the store's id key).
 *
 * <p>Offsets are committed after their transactions, at most every {@value #COMMIT_INTERVAL_MS} ms
 * (and when idle, on revocation and on shutdown), each time right after {@link TreeStore#flush()}:
 * making H2's file durable once per interval instead of once per batch doubles ingest throughput,
 * and a crash in between only means the batches since the last commit are delivered again — and
 * ignored by id. (A 1 s interval was tried for issue 15: no difference measurable on the loaded
 * test machine, so the shorter redelivery window was kept.)
 *
 * <p>Faults never end the loop; each is counted, shown in {@link ServiceHealth} and retried with an
 * exponential {@link Backoff} for as long as it lasts:
 * <ul>
 *   <li>store error (connection lost, database restarting): nothing is committed, the consumer seeks
 *       back to the batch's first offsets and the batch is written again after the back-off (the
 *       store re-opens broken connections). A record whose values the store refuses is split out
 *       and dead-lettered alone ({@link BatchWriter});</li>
 *   <li>dead-letter write error (disk full, unwritable directory): the batch is not stored nor
 *       committed, and is read again after the back-off;</li>
 *   <li>Kafka error (broker down: a commit or probe times out; any other client error): the pending
 *       offsets stay pending and are committed once Kafka answers; after a non-retriable error the
 *       client is closed and a new one joins the group (uncommitted batches come again, ignored by
 *       id). An idle consumer probes the brokers every {@link IngestOptions#kafkaProbeInterval()} so
 *       an outage is reported even when no record is waiting.</li>
 * </ul>
 */
public final class IngestLoop implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(IngestLoop.class);
    /** Longest time between two offset commits while records keep coming. */
    public static final long COMMIT_INTERVAL_MS = 200;
    /** Records per poll (a user's {@code max.poll.records} overrides it): one store transaction each. */
    public static final int MAX_POLL_RECORDS = 10_000;
    /**
     * Bytes fetched per partition per request in a heap of {@code maxHeap} bytes: 4 MiB (Kafka's
     * default 1 MiB holds ~700 trees; four partitions of 4 MiB fill a 10 000-tree poll), but at
     * most 1/32 of the heap and at least that default. What a poll holds in memory is what was
     * fetched, twice (the fetched buffers and the records' values): with 4 MiB per partition a
     * 64 MiB heap ran out of memory (the service survived it, nothing lost, but an
     * {@code OutOfMemoryError} may strike any thread); {@code SmallHeapConsumerTest}.
     */
    static int partitionFetchBytes(long maxHeap) {
        return (int) Math.max(1 << 20, Math.min(4 << 20, maxHeap / 32));
    }

    /** Bytes one fetch request brings from all partitions together: 1/8 of the heap, from 4 MiB to Kafka's default 50 MiB. */
    static int fetchMaxBytes(long maxHeap) {
        return (int) Math.max(4 << 20, Math.min(50 << 20, maxHeap / 8));
    }

    private final Properties props;
    private final String topic;
    private final TreeStore store;
    private final BatchWriter writer;
    private final DeadLetterFile deadLetters;
    private final IngestMetrics metrics;
    private final ServiceHealth health;
    private final IngestOptions options;
    private final Backoff backoff;

    private KafkaConsumer<byte[], byte[]> consumer;
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Map<TopicPartition, OffsetAndMetadata> pending = new HashMap<>();
    private long lastCommitNanos = System.nanoTime();
    private long lastProbeNanos = System.nanoTime();
    /** When the current Kafka outage began (System.nanoTime), 0 while Kafka answers. */
    private long kafkaDownSinceNanos;
    private int kafkaFailuresInRow;
    private volatile boolean running = true;
    private volatile boolean joined;
    private volatile Set<TopicPartition> assignment = Set.of();
    private volatile Throwable failure;

    /** With the default options and a health of its own. */
    public IngestLoop(Properties kafkaProps, String topic, TreeStore store, DeadLetterFile deadLetters, IngestMetrics metrics) {
        this(kafkaProps, topic, store, deadLetters, metrics, new ServiceHealth(IngestOptions.defaults().storeDownAfter()), IngestOptions.defaults());
    }

    /**
     * @param kafkaProps the consumer configuration: bootstrap, group and any user properties; this
     *                   class fixes deserializers, manual commits and earliest reset
     */
    public IngestLoop(Properties kafkaProps, String topic, TreeStore store, DeadLetterFile deadLetters, IngestMetrics metrics,
                      ServiceHealth health, IngestOptions options) {
        Properties p = new Properties();
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // large batches: the store's cost per transaction (commit, index pages rewritten, roll-up rows
        // read and rewritten) is shared by more trees — 10 000 instead of 2 000 took a third off the
        // SQLite write per tree (docs/PERFORMANCE.md §18); 10 000 trees of ~1.4 KB is ~14 MB in memory
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(MAX_POLL_RECORDS));
        long heap = Runtime.getRuntime().maxMemory();
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(partitionFetchBytes(heap)));
        p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Integer.toString(fetchMaxBytes(heap)));
        p.putAll(kafkaProps);
        // these make the delivery guarantee: never overridden by user properties
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        this.props = p;
        this.consumer = new KafkaConsumer<>(p); // a bad configuration fails the start, not the loop
        this.topic = topic;
        this.store = store;
        this.writer = new BatchWriter(store);
        this.deadLetters = deadLetters;
        this.metrics = metrics;
        this.health = health;
        this.options = options;
        this.backoff = new Backoff(options.backoffMin(), options.backoffMax());
    }

    /** Whether the group gave this member its assignment (possibly empty: more members than partitions). */
    public boolean joined() { return joined; }

    /** The partitions currently assigned. */
    public Set<TopicPartition> assignment() { return assignment; }

    /** The error that ended the loop (only an error of the JVM itself, e.g. OutOfMemoryError), or null. */
    public Throwable failure() { return failure; }

    /** Whether the loop is still polling. */
    public boolean isRunning() { return stopped.getCount() > 0; }

    @Override
    public void run() {
        try {
            subscribe();
            while (running) {
                try {
                    if (consumer == null) {
                        consumer = new KafkaConsumer<>(props);
                        subscribe();
                    }
                    ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(500));
                    // records are no sign that Kafka answers: they may come from the client's buffer,
                    // fetched before an outage; only a commit or a probe that succeeds clears it
                    if (!records.isEmpty()) process(records);
                    if (records.isEmpty() || System.nanoTime() - lastCommitNanos >= COMMIT_INTERVAL_MS * 1_000_000L) commitPending();
                    if (records.isEmpty()) probe();
                    updateLag();
                } catch (WakeupException e) {
                    if (!running) break; // stop() woke the poll up
                } catch (KafkaException e) {
                    kafkaFailed(e);
                } catch (RuntimeException e) { // a bug or an unexpected client state must not end the service
                    LOG.error("consumer: unexpected error in the ingest loop; starting a new Kafka client", e);
                    health.failed(Part.KAFKA, "unexpected: " + StoreErrors.describe(e));
                    metrics.kafkaErrors.incrementAndGet();
                    dropConsumer();
                    pause();
                }
            }
            finalCommit();
        } catch (Throwable t) { // an Error: the JVM itself is in trouble
            failure = t;
            LOG.error("consumer: ingest loop stopped", t);
        } finally {
            dropConsumer();
            stopped.countDown();
        }
    }

    private void subscribe() {
        consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                // hand the partitions over with everything stored so far committed (if Kafka answers)
                try {
                    commitPending();
                } catch (KafkaException e) {
                    LOG.info("consumer: offsets not committed on revocation ({}); the new owner re-reads them", e.toString());
                }
                partitions.forEach(pending::remove);
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
    }

    private void kafkaFailed(KafkaException e) {
        metrics.kafkaErrors.incrementAndGet();
        health.failed(Part.KAFKA, StoreErrors.describe(e));
        kafkaFailuresInRow++;
        // an outage is reported once, when it starts (and again when it ends, see kafkaOk): one line
        // per retry would fill the log during a long one; the Kafka client's own warnings are
        // silenced in logback.xml for the same reason
        boolean first = kafkaDownSinceNanos == 0;
        if (first) kafkaDownSinceNanos = System.nanoTime();
        if (e instanceof RetriableException) {
            if (first) LOG.warn("consumer: Kafka not answering ({}); retrying with back-off, /health DOWN until it answers", e.toString());
            else LOG.debug("consumer: Kafka still not answering ({})", e.toString());
        } else {
            if (first) LOG.warn("consumer: Kafka error ({}); starting a new Kafka client, retrying with back-off", e.toString());
            else LOG.debug("consumer: Kafka error again ({}); starting a new Kafka client", e.toString());
            dropConsumer();
        }
        pause();
    }

    /** Kafka answered: clears the outage (health UP for Kafka) and says so once when there was one. */
    private void kafkaOk() {
        health.ok(Part.KAFKA);
        if (kafkaDownSinceNanos != 0) {
            LOG.info("consumer: Kafka answers again after {} s ({} failed attempts)",
                    (System.nanoTime() - kafkaDownSinceNanos) / 1_000_000_000L, kafkaFailuresInRow);
            kafkaDownSinceNanos = 0;
            kafkaFailuresInRow = 0;
        }
    }

    /** Closes the client (uncommitted batches are read again by whoever owns them next). */
    private void dropConsumer() {
        if (consumer == null) return;
        try {
            consumer.close(Duration.ofSeconds(5));
        } catch (RuntimeException e) {
            LOG.debug("consumer: close", e);
        }
        consumer = null;
        pending.clear();
        assignment = Set.of();
    }

    /** Waits the next back-off, or less when stop() is called. */
    private void pause() {
        try {
            stopRequested.await(backoff.next(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    private void process(ConsumerRecords<byte[], byte[]> records) {
        List<StoredTree> trees = new ArrayList<>(records.count());
        List<ConsumerRecord<byte[], byte[]>> treeRecords = new ArrayList<>(records.count());
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
                treeRecords.add(r);
            } catch (TreeFormatException e) {
                bad.add(r);
                reasons.add(e.getMessage());
            } catch (RuntimeException e) { // a decoder bug must not stop the service either
                bad.add(r);
                reasons.add("cannot decode: " + e);
            }
        }
        // dead letters first: if they cannot be written, nothing of the batch is stored or committed
        if (!writeDeadLetters(bad, reasons, first)) return;
        BatchWriter.Outcome outcome;
        try {
            outcome = writer.write(trees);
        } catch (SQLException | RuntimeException e) {
            metrics.storeErrors.incrementAndGet();
            metrics.storeRetries.incrementAndGet();
            health.failed(Part.STORE, StoreErrors.describe(e));
            LOG.warn("consumer: store write failed ({}); the batch of {} records is retried", StoreErrors.describe(e), records.count());
            first.forEach(consumer::seek);
            pause(); // before the same batch is polled again
            return;
        }
        health.ok(Part.STORE);
        List<ConsumerRecord<byte[], byte[]>> refused = new ArrayList<>();
        List<String> refusedReasons = new ArrayList<>();
        for (BatchWriter.Refused r : outcome.refused()) {
            refused.add(treeRecords.get(r.index()));
            refusedReasons.add(r.reason());
        }
        // the other trees are stored: a failure here reads the batch again, and they come back as redeliveries
        if (!writeDeadLetters(refused, refusedReasons, first)) return;
        backoff.reset();
        pending.putAll(next);
        metrics.records.addAndGet(records.count());
        metrics.ingested.addAndGet(outcome.result().inserted());
        metrics.redelivered.addAndGet(outcome.result().redelivered());
        metrics.conflicts.addAndGet(outcome.result().conflicts());
        metrics.storeRejected.addAndGet(refused.size());
        for (String reason : reasons) if (TreeValidator.isAbsurd(reason)) metrics.absurd.incrementAndGet();
        metrics.batches.incrementAndGet();
    }

    /** Writes dead letters; on failure counts it, seeks back to the batch and pauses, returning false. */
    private boolean writeDeadLetters(List<ConsumerRecord<byte[], byte[]>> bad, List<String> reasons, Map<TopicPartition, Long> first) {
        if (bad.isEmpty()) return true;
        try {
            for (int i = 0; i < bad.size(); i++) {
                ConsumerRecord<byte[], byte[]> r = bad.get(i);
                deadLetters.write(r.topic(), r.partition(), r.offset(), reasons.get(i), r.value());
            }
            health.ok(Part.DEAD_LETTERS);
            return true;
        } catch (UncheckedIOException e) {
            metrics.deadLetterErrors.incrementAndGet();
            String why = e.getCause() != null ? e.getCause().toString() : e.toString();
            health.failed(Part.DEAD_LETTERS, "cannot append to " + deadLetters.path() + ": " + why);
            LOG.warn("consumer: dead-letter write failed ({}); the batch is read again after a pause", why);
            first.forEach(consumer::seek);
            pause();
            return false;
        }
    }

    /** Makes the stored batches durable, then commits their offsets. Kafka errors are thrown, the offsets kept. */
    private void commitPending() {
        if (pending.isEmpty() || consumer == null) return;
        try {
            store.flush();
        } catch (SQLException | RuntimeException e) {
            // not durable: forget the pending offsets and read those batches again (ignored by id)
            metrics.storeErrors.incrementAndGet();
            metrics.storeRetries.incrementAndGet();
            health.failed(Part.STORE, StoreErrors.describe(e));
            LOG.warn("consumer: store flush failed ({}); re-reading from the last committed offsets", StoreErrors.describe(e));
            Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(Set.copyOf(pending.keySet()), options.kafkaTimeout());
            for (TopicPartition tp : pending.keySet()) {
                OffsetAndMetadata c = committed.get(tp);
                if (c == null) consumer.seekToBeginning(Set.of(tp));
                else consumer.seek(tp, c.offset());
            }
            pending.clear();
            return;
        }
        try {
            consumer.commitSync(pending, options.kafkaTimeout());
            kafkaOk();
        } catch (CommitFailedException | RebalanceInProgressException e) {
            // the partitions moved to another member, which re-reads from the last commit: the trees
            // already stored are then duplicates and change nothing
            LOG.info("consumer: offsets not committed ({}); the new owner re-reads them", e.toString());
        }
        pending.clear();
        lastCommitNanos = System.nanoTime();
    }

    /** When idle: checks now and then that the brokers answer (an outage shows even without records). */
    private void probe() {
        if (System.nanoTime() - lastProbeNanos < options.kafkaProbeInterval().toNanos()) return;
        lastProbeNanos = System.nanoTime();
        consumer.listTopics(options.kafkaTimeout().compareTo(Duration.ofSeconds(10)) > 0 ? Duration.ofSeconds(10) : options.kafkaTimeout());
        kafkaOk();
        backoff.reset();
    }

    /** On shutdown: the last batches committed if Kafka answers now. */
    private void finalCommit() {
        for (int i = 0; i < 2 && consumer != null; i++) {
            try {
                commitPending();
                return;
            } catch (WakeupException e) {
                // the wakeup of stop() arrived outside a poll: it is consumed now, try once more
            } catch (KafkaException e) {
                LOG.info("consumer: last offsets not committed ({}); they are read again at the next start", e.toString());
                return;
            }
        }
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
        stopRequested.countDown();
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) c.wakeup();
        return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
}
