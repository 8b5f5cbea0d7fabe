package io.hiq.consumer.ingest;

import io.hiq.consumer.ingest.ServiceHealth.Part;
import io.hiq.consumer.store.StoreErrors;
import io.hiq.consumer.store.StoredTree;
import io.hiq.consumer.store.TreeStore;
import io.hiq.consumer.store.WriteResult;
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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
 * <p>The store write runs on a thread of its own ({@code hiq-store-write}), one batch at a time:
 * while it writes a batch, this thread polls and decodes the next (up to {@value #MAX_BATCH}
 * records) and hands it over when the write is done — the write is most of the work, and the
 * overlap keeps it running nearly all the time (docs/PERFORMANCE.md §18). Offsets become pending only
 * when their batch is stored; a failed write makes the consumer seek back over it and over the batch
 * in hand; a rebalance first finishes the write in progress and gives up the batch in hand (its
 * partitions that stay are read again). In a heap under {@link #PIPELINE_MIN_HEAP} each batch is
 * written before the next poll, so only one is held at a time.
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
    /**
     * Most records in one store transaction. The store's cost per transaction (commit, index pages
     * rewritten, roll-up rows read and rewritten) is shared by more trees — 10 000 instead of 2 000
     * took a third off the SQLite write per tree (docs/PERFORMANCE.md §18); 10 000 trees of ~1.4 KB
     * is ~14 MB in memory.
     */
    public static final int MAX_BATCH = 10_000;
    /**
     * Records per poll (a user's {@code max.poll.records} overrides it): a batch when each is written
     * before the next poll (small heap); a part of one otherwise, small enough that decoding it
     * does not keep the writer thread waiting for its next batch.
     */
    static int maxPollRecords(boolean pipelined) { return pipelined ? 2_000 : MAX_BATCH; }
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

    private static final Duration POLL_IDLE = Duration.ofMillis(500);
    /** Poll timeout while a batch is written: short, so the next batch is handed over soon after the write ends. */
    private static final Duration POLL_WHILE_WRITING = Duration.ofMillis(2);

    /** Smallest heap in which a batch is decoded while the previous one is written: two batches (~14 MB each) are then held at once. */
    static final long PIPELINE_MIN_HEAP = 512L << 20;

    /**
     * Whether a heap of {@code maxHeap} bytes overlaps the poll and decode of a batch with the store
     * write of the previous one. The store write is most of the work, so the overlap lets it run
     * nearly all the time on its own core; below {@link #PIPELINE_MIN_HEAP} the loop writes each batch
     * before it polls the next, holding one batch at a time ({@code SmallHeapConsumerTest}).
     */
    static boolean pipelined(long maxHeap) { return maxHeap >= PIPELINE_MIN_HEAP; }

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
    /** Whether a batch is decoded while the previous one is written (see {@link #pipelined(long)}). */
    private final boolean pipelined;
    /** The store writes, one batch at a time, so that the next poll and decode overlap them. */
    private final ExecutorService writerThread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "hiq-store-write");
        t.setDaemon(true);
        return t;
    });
    /** The write in progress on {@link #writerThread} and its batch; null when none. */
    private Future<Written> inFlight;
    private Batch inFlightBatch;
    /** Records polled and decoded while {@link #inFlight} is written, handed over when it is done; null when none. */
    private Batch next;
    /** Decoded batches given up (read again) because the write before them failed or their partitions left. */
    private final AtomicLong nextDropped = new AtomicLong();
    private final AtomicLong polledAfterFailure = new AtomicLong();
    /** Set when a finished write made the store durable: the pending offsets are committed next, without another flush. */
    private boolean flushedCommitDue;

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
        this(kafkaProps, topic, store, deadLetters, metrics, health, options, pipelined(Runtime.getRuntime().maxMemory()));
    }

    /** With the overlap of decode and write chosen ({@code pipelined}) rather than derived from the heap: for tests. */
    IngestLoop(Properties kafkaProps, String topic, TreeStore store, DeadLetterFile deadLetters, IngestMetrics metrics,
               ServiceHealth health, IngestOptions options, boolean pipelined) {
        Properties p = new Properties();
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        long heap = Runtime.getRuntime().maxMemory();
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(maxPollRecords(pipelined)));
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
        this.pipelined = pipelined;
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
                    step();
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
            try {
                dropConsumer();
            } catch (Throwable t) { // the write in progress failed with an Error: already in trouble, the loop ends anyway
                if (failure == null) failure = t;
                LOG.error("consumer: ingest loop stopped", t);
            }
            writerThread.shutdown();
            stopped.countDown();
        }
    }

    private void subscribe() {
        consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                // hand the partitions over with everything stored so far committed (if Kafka answers):
                // the batch being written first (if it fails, the partitions that stay are sought back)
                settleBeforeRebalance(partitions);
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
                settleBeforeRebalance(partitions);
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
        finishWrite(false); // what it stores is counted; its offsets are dropped with the client's
        if (consumer == null) return;
        try {
            consumer.close(Duration.ofSeconds(5));
        } catch (RuntimeException e) {
            LOG.debug("consumer: close", e);
        }
        consumer = null;
        pending.clear();
        next = null; // read again by the next client, from the last commit
        flushedCommitDue = false;
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

    /**
     * One polled batch, decoded: its valid trees (with the records they came from), its poison
     * records with their reasons, and where each of its partitions begins and ends.
     */
    private record Batch(int records, List<StoredTree> trees, List<ConsumerRecord<byte[], byte[]>> treeRecords,
                         List<ConsumerRecord<byte[], byte[]>> bad, List<String> reasons,
                         Map<TopicPartition, Long> first, Map<TopicPartition, OffsetAndMetadata> next) {
        /** {@code a} followed by {@code b} (polled after it); {@code b} when {@code a} is null. */
        static Batch join(Batch a, Batch b) {
            if (a == null) return b;
            List<StoredTree> trees = new ArrayList<>(a.trees.size() + b.trees.size());
            trees.addAll(a.trees);
            trees.addAll(b.trees);
            List<ConsumerRecord<byte[], byte[]>> treeRecords = new ArrayList<>(trees.size());
            treeRecords.addAll(a.treeRecords);
            treeRecords.addAll(b.treeRecords);
            List<ConsumerRecord<byte[], byte[]>> bad = new ArrayList<>(a.bad);
            bad.addAll(b.bad);
            List<String> reasons = new ArrayList<>(a.reasons);
            reasons.addAll(b.reasons);
            Map<TopicPartition, Long> first = new HashMap<>(b.first);
            first.putAll(a.first); // a's offsets come first
            Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>(a.next);
            next.putAll(b.next); // b's go further
            return new Batch(a.records + b.records, trees, treeRecords, bad, reasons, first, next);
        }
    }

    /** What the writer thread did with a batch: the store's outcome, and whether it made the store durable after it. */
    private record Written(BatchWriter.Outcome outcome, boolean flushed) {}

    private static Batch decode(ConsumerRecords<byte[], byte[]> records) {
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
        return new Batch(records.count(), trees, treeRecords, bad, reasons, first, next);
    }

    /**
     * One turn of the loop. While the writer thread writes a batch, this thread polls with a short
     * timeout and decodes what comes into the next batch, so the writer finds it ready when it is
     * done (the next is handed over at once) — up to {@value #MAX_BATCH} records, then it
     * waits for the write. When the write fails, the consumer's position is already past the next
     * batch too: both are read again (the failed batch from its first offsets, the next from its
     * own for partitions the failed one did not have).
     */
    private void step() {
        if (inFlight != null && next != null && next.records() >= MAX_BATCH) finishWriteThenNext(); // the next batch is full
        handOverNext();
        ConsumerRecords<byte[], byte[]> records = consumer.poll(inFlight == null ? POLL_IDLE : POLL_WHILE_WRITING);
        // records are no sign that Kafka answers: they may come from the client's buffer,
        // fetched before an outage; only a commit or a probe that succeeds clears it
        boolean idle = records.isEmpty() && inFlight == null && next == null;
        Map<TopicPartition, Long> readAgain = inFlight != null && inFlight.isDone() ? finishWriteThenNext() : null;
        if (readAgain == null) readAgain = handOverNext(); // what was decoded before, ahead of decoding these records
        if (readAgain != null) {
            // the consumer sought back over a failed batch: these records come after it, and nothing
            // after a batch that is not stored may be stored first (its offsets would be committed
            // past the failed one) — they are read again in order
            seekBackUnread(records, readAgain);
            if (!records.isEmpty()) polledAfterFailure.incrementAndGet();
        } else if (!records.isEmpty()) {
            next = Batch.join(next, decode(records)); // overlaps the write in progress
            handOverNext();
        }
        if (flushedCommitDue) commitFlushed();
        else if (idle) commitPending(); // idle: everything stored is committed
        if (idle) probe();
    }

    /** Seeks each partition of {@code records} not already sought back ({@code sought}) to its first record there. */
    private void seekBackUnread(ConsumerRecords<byte[], byte[]> records, Map<TopicPartition, Long> sought) {
        for (TopicPartition tp : records.partitions()) {
            if (!sought.containsKey(tp)) seek(tp, records.records(tp).get(0).offset());
        }
    }

    /**
     * Waits for the write in progress. Returns null when it is stored; else the partitions sought
     * back with their offsets — the failed batch's, and the next batch's (dropped) for partitions
     * the failed one did not have.
     */
    private Map<TopicPartition, Long> finishWriteThenNext() {
        Map<TopicPartition, Long> failed = finishWrite(true);
        if (failed == null) return null;
        Map<TopicPartition, Long> sought = new HashMap<>(failed);
        if (next != null) {
            next.first().forEach((tp, offset) -> {
                if (sought.putIfAbsent(tp, offset) == null) seek(tp, offset);
            });
            next = null;
            nextDropped.incrementAndGet();
        }
        return sought;
    }

    /**
     * Hands the next batch over when the writer is free (and, in a small heap, waits for its write).
     * Returns null, or the partitions sought back when the batch's dead letters could not be written
     * (or, in a small heap, its write failed).
     */
    private Map<TopicPartition, Long> handOverNext() {
        if (inFlight != null || next == null) return null;
        Batch b = next;
        next = null;
        if (!handOver(b)) return b.first();
        return pipelined ? null : finishWriteThenNext(); // a small heap holds one batch at a time
    }

    /** Gives a decoded batch to the writer thread, its dead letters written first; false (sought back) when they could not be. */
    private boolean handOver(Batch batch) {
        // dead letters first: if they cannot be written, nothing of the batch is stored or committed
        if (!writeDeadLetters(batch.bad(), batch.reasons(), batch.first(), true)) return false;
        if (batch.trees().isEmpty()) { // nothing for the store: done here (offsets pending, counted)
            return finished(batch, new BatchWriter.Outcome(new WriteResult(0, 0), List.of()), false, true);
        }
        boolean flush = System.nanoTime() - lastCommitNanos >= COMMIT_INTERVAL_MS * 1_000_000L;
        inFlight = writerThread.submit(() -> {
            BatchWriter.Outcome outcome = writer.write(batch.trees());
            if (flush) store.flush();
            return new Written(outcome, flush);
        });
        inFlightBatch = batch;
        return true;
    }

    /**
     * In a rebalance callback: the write in progress finished (if it failed, its partitions are
     * sought back), and the batch in hand given up — its partitions that stay are read again from
     * its first offsets, unless the failed batch's earlier offsets already were.
     */
    private void settleBeforeRebalance(Collection<TopicPartition> leaving) {
        Map<TopicPartition, Long> failed = finishWrite(false);
        if (next == null) return;
        next.first().forEach((tp, offset) -> {
            if (!leaving.contains(tp) && (failed == null || !failed.containsKey(tp))) seek(tp, offset);
        });
        next = null;
        nextDropped.incrementAndGet();
    }

    /** How many polls' records were read again, unread, because a write failed in the same turn (a test's proof that the case was met). */
    long polledAfterFailure() { return polledAfterFailure.get(); }

    /** How many decoded batches were given up and read again (the write before them failed, their partitions left). */
    long nextDropped() { return nextDropped.get(); }

    /**
     * Waits for the batch being written, then counts it and makes its offsets pending (committed at
     * once when the writer made the store durable after it). Returns null when it is stored (or
     * there was none), else the first offsets of the failed batch, which is read again: the
     * consumer seeks back to them (in a rebalance callback too, for the partitions that stay), and
     * the loop pauses for the back-off when {@code inLoop} (never inside a callback).
     */
    private Map<TopicPartition, Long> finishWrite(boolean inLoop) {
        Future<Written> f = inFlight;
        Batch batch = inFlightBatch;
        if (f == null) return null;
        inFlight = null;
        inFlightBatch = null;
        Written written;
        try {
            written = awaitUninterruptibly(f);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Error err) throw err; // the JVM itself is in trouble: ends the loop as before
            metrics.storeErrors.incrementAndGet();
            metrics.storeRetries.incrementAndGet();
            health.failed(Part.STORE, StoreErrors.describe(cause));
            LOG.warn("consumer: store write failed ({}); the batch of {} records is retried", StoreErrors.describe(cause), batch.records());
            if (consumer != null) batch.first().forEach(this::seek);
            if (inLoop) pause(); // before the same batch is polled again
            return batch.first();
        }
        health.ok(Part.STORE);
        return finished(batch, written.outcome(), written.flushed(), inLoop) ? null : batch.first();
    }

    /**
     * A batch is stored: its refused records become dead letters, its offsets pending, and it is
     * counted. False when the dead letters could not be written (the batch is read again).
     */
    private boolean finished(Batch batch, BatchWriter.Outcome outcome, boolean flushed, boolean inLoop) {
        List<ConsumerRecord<byte[], byte[]>> refused = new ArrayList<>();
        List<String> refusedReasons = new ArrayList<>();
        for (BatchWriter.Refused r : outcome.refused()) {
            refused.add(batch.treeRecords().get(r.index()));
            refusedReasons.add(r.reason());
        }
        // the other trees are stored: a failure here reads the batch again, and they come back as redeliveries
        if (!writeDeadLetters(refused, refusedReasons, batch.first(), inLoop)) return false;
        backoff.reset();
        pending.putAll(batch.next());
        if (flushed) flushedCommitDue = true;
        metrics.records.addAndGet(batch.records());
        metrics.ingested.addAndGet(outcome.result().inserted());
        metrics.redelivered.addAndGet(outcome.result().redelivered());
        metrics.conflicts.addAndGet(outcome.result().conflicts());
        metrics.storeRejected.addAndGet(refused.size());
        for (String reason : batch.reasons()) if (TreeValidator.isAbsurd(reason)) metrics.absurd.incrementAndGet();
        metrics.batches.incrementAndGet();
        return true;
    }

    /** The write's result; an interrupt (none is sent to this thread) is kept for later, the write still awaited. */
    private static Written awaitUninterruptibly(Future<Written> f) throws ExecutionException {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return f.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    /** Seeks a partition back, unless it is no longer assigned (then its next owner reads from the last commit). */
    private void seek(TopicPartition tp, long offset) {
        if (consumer == null) return;
        try {
            consumer.seek(tp, offset);
        } catch (IllegalStateException e) {
            LOG.debug("consumer: {} no longer assigned; not sought back", tp);
        }
    }

    /** Writes dead letters; on failure counts it, seeks back to the batch and pauses, returning false. */
    private boolean writeDeadLetters(List<ConsumerRecord<byte[], byte[]>> bad, List<String> reasons, Map<TopicPartition, Long> first,
                                     boolean inLoop) {
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
            first.forEach(this::seek);
            if (inLoop) pause();
            return false;
        }
    }

    /** Commits the pending offsets after the writer thread made their batches durable (Kafka errors thrown, offsets kept). */
    private void commitFlushed() {
        flushedCommitDue = false;
        if (pending.isEmpty() || consumer == null) return;
        commitSync();
    }

    /** Makes the stored batches durable, then commits their offsets. Kafka errors are thrown, the offsets kept. */
    private void commitPending() {
        flushedCommitDue = false;
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
        commitSync();
    }

    private void commitSync() {
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
        finishWrite(false);
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
