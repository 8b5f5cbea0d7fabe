package io.hiq.jack.kafka;

import io.hiq.jack.publisher.EncodedTree;
import io.hiq.jack.publisher.ExportResult;
import io.hiq.jack.publisher.PublisherBusyException;
import io.hiq.jack.publisher.TreePublisher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Publishes trees to a Kafka topic, record key = tree id, value = the B4 JSON.
 *
 * <p>{@link #export} returns at once: the batch is sent, batches in order, by the thread
 * {@value #THREAD}, and the producer's I/O thread completes the batch's future through the send
 * callbacks. {@code send()} can block (no metadata yet, buffer full) up to {@code max.block.ms}:
 * only that thread waits, never Jack's batcher, never the application. When a send fails at once
 * (broker unreachable, buffer full, producer closed) the rest of the batch is not attempted and
 * comes back as {@code retry}. Before its first batch the thread waits for the topic's metadata:
 * {@value #WARM_UP_MS} ms at least, and beyond that for as long as a bootstrap address accepts
 * connections, up to {@code delivery.timeout.ms} (the time any record is given to be acknowledged),
 * at least {@value #WARM_UP_ACCEPTING_MS} ms.
 * A slow start (class loading, the producer's I/O thread starved on a loaded machine: its first
 * metadata arrived 7 to 20 s after the producer was created at a load of 20 on 2 cores) is then
 * not taken for an outage, while a broker that refuses connections is still found down after
 * {@value #WARM_UP_MS} ms.
 *
 * <p>What is in flight is bounded in bytes, not batches ({@link InFlightBudget}: the trees' JSON
 * and keys from {@code export} until the batch's last acknowledgement). When the budget is spent,
 * {@code export} waits on the calling thread (Jack's batcher, never the application's) up to
 * {@code request.timeout.ms} for acknowledgements to free room: a broker that is slow but
 * answering is waited for. Only when that wait ends first does the
 * batch come back as retry with a {@link PublisherBusyException} (back-pressure, not an outage:
 * Jack spools it and replays it in order). The budget defaults to {@value #DEFAULT_INFLIGHT_MB} MiB,
 * never more than half the producer's {@code buffer.memory} (so that the producer's own buffer, which
 * holds the same records compressed, cannot fill first and turn a slow broker into failed sends) nor
 * an eighth of the heap.
 */
public final class KafkaTreePublisher implements TreePublisher {
    /** Room left in {@code max.request.size} for the record's key and framing. */
    static final int RECORD_OVERHEAD = 1024;
    /** The sending thread. */
    public static final String THREAD = "hiq-jack-kafka-send";
    /** Least wait for the first metadata; beyond it only while the broker accepts connections. */
    static final long WARM_UP_MS = 5_000;
    /** Least wait for the first metadata while the broker accepts connections (Jack's delivery.timeout.ms). */
    static final long WARM_UP_ACCEPTING_MS = 15_000;
    /** Pause between two metadata attempts that failed at once (never a busy loop of probes). */
    private static final long WARM_UP_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    /** After a send failed at once, batches already queued fail without waiting again. */
    static final long FAILED_FAST_WINDOW_NANOS = TimeUnit.MILLISECONDS.toNanos(900);
    /** Default in-flight budget, MiB ({@code HIQ_JACK_INFLIGHT_MB}). */
    public static final int DEFAULT_INFLIGHT_MB = 32;
    /** Bytes counted per record besides its key and value (the producer's record and batch framing). */
    static final int RECORD_BYTES = 64;
    /** Longest wait for room in the budget, whatever {@code request.timeout.ms} says. */
    static final long MAX_WAIT_MS = 30_000;

    private final KafkaProducer<byte[], byte[]> producer;
    private final String bootstrap;
    private final String topic;
    private final int maxMessageBytes;
    private final Set<BatchState> pending = ConcurrentHashMap.newKeySet();
    private final InFlightBudget budget;
    private final long budgetWaitNanos;
    private final ExecutorService sender;
    /** Longest wait for the first metadata: {@code delivery.timeout.ms}, at least {@value #WARM_UP_ACCEPTING_MS} ms. */
    private final long warmUpMaxNanos;
    private volatile boolean warmedUp;
    private volatile long lastFastFailure = System.nanoTime() - FAILED_FAST_WINDOW_NANOS;
    private volatile Throwable lastFastError;
    private volatile boolean closed;

    /**
     * @param config producer properties ({@link KafkaProducerConfig#build})
     * @param topic  the topic
     */
    public KafkaTreePublisher(Properties config, String topic) {
        this(config, topic, 0);
    }

    /**
     * @param config         producer properties ({@link KafkaProducerConfig#build})
     * @param topic          the topic
     * @param inflightBytes  the in-flight budget asked for ({@code HIQ_JACK_INFLIGHT_MB}); 0 or less:
     *                       the default; in any case at most half of {@code buffer.memory}
     */
    public KafkaTreePublisher(Properties config, String topic, long inflightBytes) {
        this.topic = topic;
        this.budget = new InFlightBudget(budgetBytes(config, inflightBytes, Runtime.getRuntime().maxMemory()));
        this.budgetWaitNanos = InFlightBudget.nanos(budgetWaitMillis(config));
        this.warmUpMaxNanos = InFlightBudget.nanos(warmUpMaxMillis(config));
        this.bootstrap = String.valueOf(config.getOrDefault(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, ""));
        Object maxRequest = config.getOrDefault(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, "1048576");
        this.maxMessageBytes = Integer.parseInt(String.valueOf(maxRequest).trim()) - RECORD_OVERHEAD;
        // serializer instances, not class names: no class lookup through a foreign context loader
        this.producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
        this.sender = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, THREAD);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * The in-flight budget: {@code asked} bytes (default {@value #DEFAULT_INFLIGHT_MB} MiB, capped at
     * an eighth of {@code maxHeap}), never more than half the producer's {@code buffer.memory}.
     */
    static long budgetBytes(Properties config, long asked, long maxHeap) {
        long bytes = asked > 0 ? asked : Math.min(DEFAULT_INFLIGHT_MB * 1024L * 1024, Math.max(1024 * 1024, maxHeap / 8));
        Object buffer = config.getOrDefault(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(32L * 1024 * 1024));
        long bufferMemory = Long.parseLong(String.valueOf(buffer).trim());
        return Math.max(1, Math.min(bytes, bufferMemory / 2));
    }

    /**
     * How long the batcher waits for room in the budget: as long as the producer waits for a
     * broker's answer ({@code request.timeout.ms}, Jack's default 5 s), at most {@value #MAX_WAIT_MS} ms.
     * A broker that answers within that is slow, not down; {@code max.block.ms} (1 s, how long a
     * send may wait for metadata) was too short on a loaded machine, where one late acknowledgement
     * at start-up sent a whole run through the spool.
     */
    static long budgetWaitMillis(Properties config) {
        Object v = config.getOrDefault(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "30000");
        return Math.max(0, Math.min(MAX_WAIT_MS, Long.parseLong(String.valueOf(v).trim())));
    }

    /**
     * How long the first batch may wait for the topic's metadata while the broker accepts
     * connections: {@code delivery.timeout.ms} (Kafka's default 120 s, Jack's 15 s), at least
     * {@value #WARM_UP_ACCEPTING_MS} ms. A record already handed to the producer would wait as long
     * for its acknowledgement; the first ones are not given less because the client is still
     * starting, nor less than Jack's default when a short delivery timeout is asked for the
     * records' sake (the chaos IT's 6 s was shorter than a loaded machine's first metadata).
     */
    static long warmUpMaxMillis(Properties config) {
        Object v = config.getOrDefault(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "120000");
        return Math.max(WARM_UP_ACCEPTING_MS, Long.parseLong(String.valueOf(v).trim()));
    }

    /** What is in flight, in bytes (tests, the bench). */
    public InFlightBudget budget() { return budget; }

    @Override
    public String name() { return "kafka"; }

    /** The topic trees go to. */
    public String topic() { return topic; }

    @Override
    public int maxMessageBytes() { return maxMessageBytes; }

    @Override
    public boolean ready() { return !closed && budget.hasRoom(); }

    @Override
    public CompletableFuture<ExportResult> export(List<EncodedTree> batch) {
        if (batch.isEmpty()) return CompletableFuture.completedFuture(ExportResult.success(0));
        if (closed) return CompletableFuture.completedFuture(ExportResult.failure(batch, new IllegalStateException("publisher closed")));
        long bytes = 0;
        for (EncodedTree t : batch) bytes += t.json().length + t.id().length() + RECORD_BYTES;
        // the one place Jack waits for a slow broker: the batcher's thread, at most max.block.ms
        if (!budget.acquire(bytes, budgetWaitNanos)) {
            if (closed) return CompletableFuture.completedFuture(ExportResult.failure(batch, new IllegalStateException("publisher closed")));
            return CompletableFuture.completedFuture(ExportResult.failure(batch,
                    new PublisherBusyException(budget.used() + " bytes already waiting for acknowledgement (budget "
                            + budget.limit() + ")" + (warmedUp ? "" : "; the producer has not got the topic's metadata yet"))));
        }
        BatchState state = new BatchState(batch);
        pending.add(state);
        final long taken = bytes;
        state.future.whenComplete((r, e) -> {
            pending.remove(state);
            budget.release(taken);
        });
        try {
            sender.execute(() -> send(state));
        } catch (RuntimeException e) {
            state.abandonFrom(0, e);
        }
        return state.future;
    }

    /**
     * Waits (once) for the topic's metadata, so that the first batch does not fail on a slow start:
     * at least {@value #WARM_UP_MS} ms, then on while a bootstrap address accepts connections, up to
     * {@link #warmUpMaxMillis}. Batches exported meanwhile wait in the in-flight budget.
     */
    private void warmUp() {
        long start = System.nanoTime();
        while (!closed) {
            long attempt = System.nanoTime();
            try {
                producer.partitionsFor(topic);
                break;
            } catch (org.apache.kafka.common.errors.AuthenticationException
                     | org.apache.kafka.common.errors.AuthorizationException e) {
                break; // waiting does not heal it: the first send reports it
            } catch (RuntimeException e) {
                // not yet (each attempt waits up to max.block.ms)
            }
            long now = System.nanoTime();
            long waited = now - start;
            // refused, unknown host, timed out: down, reported after the least wait as before.
            // Accepting connections: slow, or this client's own I/O thread starved; waited for
            if (waited >= warmUpMaxNanos || waited >= TimeUnit.MILLISECONDS.toNanos(WARM_UP_MS) && !BootstrapProbe.accepting(bootstrap)) break;
            if (now - attempt < WARM_UP_PAUSE_NANOS) java.util.concurrent.locks.LockSupport.parkNanos(WARM_UP_PAUSE_NANOS);
        }
        warmedUp = true;
    }

    private void send(BatchState state) {
        if (!warmedUp) warmUp();
        if (System.nanoTime() - lastFastFailure < FAILED_FAST_WINDOW_NANOS) {
            // the broker was unreachable a moment ago: the batches queued behind it do not each
            // wait max.block.ms again (Jack probes once a second)
            state.abandonFrom(0, lastFastError);
            return;
        }
        List<EncodedTree> batch = state.trees;
        for (int i = 0; i < batch.size(); i++) {
            final int index = i;
            EncodedTree t = batch.get(i);
            Future<RecordMetadata> f;
            try {
                f = producer.send(new ProducerRecord<>(topic, t.key(), t.json()),
                        (md, e) -> state.complete(index, e));
            } catch (RuntimeException e) {
                state.abandonFrom(index, e); // producer closed, interrupted, serializer trouble
                markFailedFast(e);
                break;
            }
            // The producer reports metadata timeouts and a full buffer through an already failed
            // future (and the callback) instead of throwing: stop here, the broker is unreachable.
            if (f.isDone() && failedFast(f)) {
                state.abandonFrom(index + 1, null);
                markFailedFast(state.error);
                break;
            }
        }
    }

    private void markFailedFast(Throwable e) {
        lastFastError = e;
        lastFastFailure = System.nanoTime();
    }

    private static boolean failedFast(Future<RecordMetadata> f) {
        try {
            f.get();
            return false;
        } catch (ExecutionException e) {
            // a record the broker will never take is the record's problem, not the broker's
            return !(e.getCause() instanceof RecordTooLargeException || e.getCause() instanceof InvalidRecordException);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    /**
     * The producer hides why it cannot deliver behind "not present in metadata" timeouts or, once
     * closed, "Cannot perform operation after producer has been closed": name the real cause
     * instead — an authentication failure as such, otherwise what a connection attempt to each
     * bootstrap address says (unknown host, connection refused, timed out).
     */
    @Override
    public String describe(Throwable error) {
        Throwable e = error;
        while (e != null && e.getCause() != null && e.getCause() != e
                && (e instanceof ExecutionException || e instanceof java.util.concurrent.CompletionException
                    || e instanceof org.apache.kafka.common.KafkaException && !(e instanceof org.apache.kafka.common.errors.ApiException))) {
            e = e.getCause();
        }
        if (e instanceof org.apache.kafka.common.errors.AuthenticationException
                || e instanceof org.apache.kafka.common.errors.AuthorizationException) {
            return io.hiq.jack.report.Stderr.describe(e);
        }
        String probe = BootstrapProbe.explain(bootstrap);
        if (e == null || e instanceof IllegalStateException) return probe;
        return probe + "; " + io.hiq.jack.report.Stderr.describe(e);
    }

    @Override
    public boolean flush(Duration timeout) {
        List<CompletableFuture<ExportResult>> futures = new ArrayList<>();
        for (BatchState s : pending) futures.add(s.future);
        if (futures.isEmpty()) return true;
        try {
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
                    .get(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException e) {
            return true; // futures never fail; defensive
        }
    }

    @Override
    public void shutdown(Duration timeout) {
        closed = true;
        budget.close(); // a batcher waiting for room gives its batch back at once
        try {
            // close(timeout) waits for acknowledgements, then aborts what is left: the callbacks
            // report those records as failed, so they come back as retry and Jack spools them
            producer.close(timeout);
        } catch (RuntimeException e) {
            // nothing more to do: the pending batches are completed below
        }
        // batches not started yet find the producer closed and come back at once
        sender.shutdown();
        try {
            sender.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (BatchState s : pending) s.abandonAll();
    }

    /**
     * Per-batch bookkeeping: which trees were acknowledged, which must be retried or rejected.
     * Lock-free: each record's callback (the producer's I/O thread) writes only its own slot and
     * counts down; the thread that counts the last one builds the result. Slots of records never
     * sent are written by the sending thread, which no callback will ever race.
     */
    private static final class BatchState {
        private static final byte PENDING = 0, OK = 1, RETRY = 2, REJECTED = 3;
        final List<EncodedTree> trees;
        final byte[] status;
        final CompletableFuture<ExportResult> future = new CompletableFuture<>();
        private final AtomicInteger remaining;
        private final AtomicBoolean finished = new AtomicBoolean();
        volatile Throwable error;

        BatchState(List<EncodedTree> trees) {
            this.trees = trees;
            this.status = new byte[trees.size()];
            this.remaining = new AtomicInteger(trees.size());
        }

        /** The record at {@code index} was acknowledged ({@code e} null) or failed; called once per record sent. */
        void complete(int index, Exception e) {
            if (e == null) {
                status[index] = OK;
            } else {
                status[index] = e instanceof RecordTooLargeException || e instanceof InvalidRecordException ? REJECTED : RETRY;
                if (error == null) error = e;
            }
            if (remaining.decrementAndGet() == 0) finish();
        }

        /** The records from {@code from} on were never sent (no callback will come): retry. */
        void abandonFrom(int from, Throwable e) {
            if (e != null && error == null) error = e;
            int n = status.length - from;
            for (int i = from; i < status.length; i++) status[i] = RETRY;
            if (n > 0 ? remaining.addAndGet(-n) == 0 : remaining.get() == 0) finish();
        }

        /** Shutdown: whatever has no answer yet comes back as retry (a late acknowledgement is ignored). */
        void abandonAll() {
            finish();
        }

        private void finish() {
            if (!finished.compareAndSet(false, true)) return;
            int ok = 0;
            List<EncodedTree> retry = new ArrayList<>();
            List<EncodedTree> rejected = new ArrayList<>();
            for (int i = 0; i < status.length; i++) {
                switch (status[i]) {
                    case OK -> ok++;
                    case REJECTED -> rejected.add(trees.get(i));
                    default -> retry.add(trees.get(i)); // RETRY, or PENDING when abandoned at shutdown
                }
            }
            future.complete(new ExportResult(ok, retry, rejected, error));
        }
    }
}
