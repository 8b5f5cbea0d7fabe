package io.hiq.jack.kafka;

import io.hiq.jack.publisher.EncodedTree;
import io.hiq.jack.publisher.ExportResult;
import io.hiq.jack.publisher.TreePublisher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
 * <p>{@link #export} sends every tree of the batch and returns; the producer's I/O thread
 * completes the batch's future through the send callbacks. When a send fails at once (no metadata
 * within {@code max.block.ms}: broker unreachable; buffer full; producer closed) the rest of the
 * batch is not attempted and comes back as {@code retry}, so a dead broker costs one
 * {@code max.block.ms} per batch, on Jack's thread, never the application's.
 */
public final class KafkaTreePublisher implements TreePublisher {
    /** Room left in {@code max.request.size} for the record's key and framing. */
    static final int RECORD_OVERHEAD = 1024;

    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final int maxMessageBytes;
    private final Set<BatchState> pending = ConcurrentHashMap.newKeySet();

    /**
     * @param config producer properties ({@link KafkaProducerConfig#build})
     * @param topic  the topic
     */
    public KafkaTreePublisher(Properties config, String topic) {
        this.topic = topic;
        Object maxRequest = config.getOrDefault(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, "1048576");
        this.maxMessageBytes = Integer.parseInt(String.valueOf(maxRequest).trim()) - RECORD_OVERHEAD;
        // serializer instances, not class names: no class lookup through a foreign context loader
        this.producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
    }

    @Override
    public String name() { return "kafka"; }

    /** The topic trees go to. */
    public String topic() { return topic; }

    @Override
    public int maxMessageBytes() { return maxMessageBytes; }

    @Override
    public CompletableFuture<ExportResult> export(List<EncodedTree> batch) {
        BatchState state = new BatchState(batch);
        if (batch.isEmpty()) return CompletableFuture.completedFuture(ExportResult.success(0));
        pending.add(state);
        state.future.whenComplete((r, e) -> pending.remove(state));
        for (int i = 0; i < batch.size(); i++) {
            final int index = i;
            EncodedTree t = batch.get(i);
            Future<RecordMetadata> f;
            try {
                f = producer.send(new ProducerRecord<>(topic, t.key(), t.json()),
                        (md, e) -> state.complete(index, e));
            } catch (RuntimeException e) {
                state.abandonFrom(index, e); // producer closed, interrupted, serializer trouble
                break;
            }
            // The producer reports metadata timeouts and a full buffer through an already failed
            // future (and the callback) instead of throwing: stop here, the broker is unreachable.
            if (f.isDone() && failedFast(f)) {
                state.abandonFrom(index + 1, null);
                break;
            }
        }
        return state.future;
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
        try {
            // close(timeout) waits for acknowledgements, then aborts what is left: the callbacks
            // report those records as failed, so they come back as retry and Jack spools them
            producer.close(timeout);
        } catch (RuntimeException e) {
            // nothing more to do: the pending batches are completed below
        }
        for (BatchState s : pending) s.abandonFrom(0, null);
    }

    /** Per-batch bookkeeping: which trees were acknowledged, which must be retried or rejected. */
    private static final class BatchState {
        private static final byte PENDING = 0, OK = 1, RETRY = 2, REJECTED = 3;
        final List<EncodedTree> trees;
        final byte[] status;
        final CompletableFuture<ExportResult> future = new CompletableFuture<>();
        int remaining;
        Throwable error;

        BatchState(List<EncodedTree> trees) {
            this.trees = trees;
            this.status = new byte[trees.size()];
            this.remaining = trees.size();
        }

        synchronized void complete(int index, Exception e) {
            if (status[index] != PENDING) return;
            if (e == null) {
                status[index] = OK;
            } else {
                status[index] = e instanceof RecordTooLargeException || e instanceof InvalidRecordException ? REJECTED : RETRY;
                if (error == null) error = e;
            }
            if (--remaining == 0) finish();
        }

        /** Marks every still-pending tree from {@code from} on as retry (never sent, or aborted). */
        synchronized void abandonFrom(int from, Throwable e) {
            if (e != null && error == null) error = e;
            for (int i = from; i < status.length; i++) {
                if (status[i] == PENDING) {
                    status[i] = RETRY;
                    remaining--;
                }
            }
            if (remaining == 0) finish();
        }

        private void finish() {
            int ok = 0;
            List<EncodedTree> retry = new ArrayList<>();
            List<EncodedTree> rejected = new ArrayList<>();
            for (int i = 0; i < status.length; i++) {
                switch (status[i]) {
                    case OK -> ok++;
                    case REJECTED -> rejected.add(trees.get(i));
                    default -> retry.add(trees.get(i));
                }
            }
            future.complete(new ExportResult(ok, retry, rejected, error));
        }
    }
}
