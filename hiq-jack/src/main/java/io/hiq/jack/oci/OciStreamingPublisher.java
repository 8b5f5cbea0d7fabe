package io.hiq.jack.oci;

import com.oracle.bmc.ClientConfiguration;
import com.oracle.bmc.auth.AbstractAuthenticationDetailsProvider;
import com.oracle.bmc.circuitbreaker.NoCircuitBreakerConfiguration;
import com.oracle.bmc.model.BmcException;
import com.oracle.bmc.retrier.RetryConfiguration;
import com.oracle.bmc.streaming.StreamClient;
import com.oracle.bmc.streaming.model.PutMessagesDetails;
import com.oracle.bmc.streaming.model.PutMessagesDetailsEntry;
import com.oracle.bmc.streaming.model.PutMessagesResultEntry;
import com.oracle.bmc.streaming.requests.PutMessagesRequest;
import com.oracle.bmc.streaming.responses.PutMessagesResponse;
import io.hiq.core.runtime.Settings;
import io.hiq.jack.JackConfigException;
import io.hiq.jack.publisher.EncodedTree;
import io.hiq.jack.publisher.ExportResult;
import io.hiq.jack.publisher.PublisherBusyException;
import io.hiq.jack.publisher.TreePublisher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Publishes trees to an OCI stream with {@code PutMessages} (the SDK's {@link StreamClient}): key =
 * tree id (cut to 256 bytes), value = the B4 JSON.
 *
 * <p>A batch is split into requests within the service limits ({@link PutMessagesLimits}) and sent
 * in order on the thread {@value #THREAD}. Entries a partially failed response reports in error
 * are sent again; a throttled (429) or failed (5xx) request is retried with exponential back-off
 * and jitter; both within an attempt limit and a time budget, after which what is left comes back
 * as {@code retry} (Jack spools it and probes every second). An unreachable endpoint fails the
 * batch at once. The SDK's own retries and circuit breaker are off: this class decides.
 */
public final class OciStreamingPublisher implements TreePublisher {
    /** The sending thread. */
    public static final String THREAD = "hiq-jack-oci";

    /** Attempts, back-off and time budget of one request. */
    public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration budget, int maxPendingExports) {
        /** Production defaults: 8 attempts, 100 ms doubling to 5 s, 30 s per request, 8 exports queued. */
        public static RetryPolicy defaults() {
            return new RetryPolicy(8, Duration.ofMillis(100), Duration.ofSeconds(5), Duration.ofSeconds(30), 8);
        }
    }

    private final StreamClient client;
    private final String streamId;
    private final RetryPolicy retry;
    private final int maxRequestBytes;
    private final int maxEntries;
    private final ExecutorService executor;
    private final Set<Pending> pending = ConcurrentHashMap.newKeySet();
    private volatile boolean stopping;

    private record Pending(List<EncodedTree> batch, CompletableFuture<ExportResult> future) {}

    /**
     * @param auth     the credentials
     * @param endpoint the messages endpoint ({@code OCI_STM_END})
     * @param streamId the stream OCID ({@code OCI_STM_OCID})
     */
    public OciStreamingPublisher(AbstractAuthenticationDetailsProvider auth, String endpoint, String streamId,
                                 RetryPolicy retry, int maxRequestBytes, int maxEntries) {
        this.streamId = streamId;
        this.retry = retry;
        this.maxRequestBytes = Math.min(maxRequestBytes, PutMessagesLimits.MAX_REQUEST_BYTES);
        this.maxEntries = maxEntries;
        ClientConfiguration conf = ClientConfiguration.builder()
                .connectionTimeoutMillis(5_000)
                .readTimeoutMillis(30_000)
                .retryConfiguration(RetryConfiguration.NO_RETRY_CONFIGURATION)
                .circuitBreakerConfiguration(new NoCircuitBreakerConfiguration())
                .build();
        this.client = StreamClient.builder().endpoint(endpoint).configuration(conf).build(auth);
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, THREAD);
            t.setDaemon(true);
            return t;
        });
    }

    /** The publisher {@code HIQ_OCI_STREAMING=1} asks for; a clear error when a setting is missing. */
    public static OciStreamingPublisher create(Settings s) throws JackConfigException {
        return factory(s).get();
    }

    /**
     * Checks the settings now (missing endpoint or OCID, unreadable config file, unknown profile:
     * a {@link JackConfigException}) and returns what builds the client later. Instance principals
     * are fetched by the supplier: that talks to the instance metadata service.
     */
    public static Supplier<OciStreamingPublisher> factory(Settings s) throws JackConfigException {
        String endpoint = s.get("OCI_STM_END");
        if (endpoint == null || endpoint.isBlank()) {
            throw new JackConfigException("HIQ_OCI_STREAMING=1 but OCI_STM_END (the stream's messages endpoint) is not set");
        }
        String ocid = s.get("OCI_STM_OCID");
        if (ocid == null || ocid.isBlank()) {
            throw new JackConfigException("HIQ_OCI_STREAMING=1 but OCI_STM_OCID (the stream's OCID) is not set");
        }
        Supplier<AbstractAuthenticationDetailsProvider> auth = OciAuth.factory(s);
        String end = endpoint.trim();
        String stream = ocid.trim();
        return () -> new OciStreamingPublisher(auth.get(), end, stream, RetryPolicy.defaults(),
                PutMessagesLimits.MAX_REQUEST_BYTES, 1000);
    }

    @Override
    public String name() { return "oci-streaming"; }

    @Override
    public int maxMessageBytes() { return PutMessagesLimits.MAX_VALUE_BYTES; }

    @Override
    public CompletableFuture<ExportResult> export(List<EncodedTree> batch) {
        if (batch.isEmpty()) return CompletableFuture.completedFuture(ExportResult.success(0));
        if (stopping || pending.size() >= retry.maxPendingExports()) {
            // the service is slow or throttling: do not queue without bound, let Jack spool
            RuntimeException why = stopping ? new IllegalStateException("publisher stopped")
                    : new PublisherBusyException(pending.size() + " batches already waiting");
            return CompletableFuture.completedFuture(ExportResult.failure(batch, why));
        }
        Pending p = new Pending(List.copyOf(batch), new CompletableFuture<>());
        pending.add(p);
        p.future().whenComplete((r, e) -> pending.remove(p));
        try {
            executor.execute(() -> p.future().complete(send(p.batch())));
        } catch (RuntimeException e) {
            p.future().complete(ExportResult.failure(batch, e));
        }
        return p.future();
    }

    /** Sends a batch request by request; once one request gives up, the rest is not attempted. */
    private ExportResult send(List<EncodedTree> batch) {
        int delivered = 0;
        List<EncodedTree> left = new ArrayList<>();
        List<EncodedTree> rejected = new ArrayList<>();
        Throwable error = null;
        List<EncodedTree> fit = new ArrayList<>(batch.size());
        for (EncodedTree t : batch) {
            // the service would answer 400 for ever: a tree that cannot fit is refused here
            if (t.size() > PutMessagesLimits.MAX_VALUE_BYTES) rejected.add(t);
            else fit.add(t);
        }
        List<List<EncodedTree>> requests = PutMessagesLimits.split(fit, maxRequestBytes, maxEntries);
        for (int i = 0; i < requests.size(); i++) {
            List<EncodedTree> req = requests.get(i);
            if (error != null) {
                left.addAll(req);
                continue;
            }
            Outcome o = sendWithRetry(req);
            delivered += req.size() - o.undelivered().size();
            if (!o.undelivered().isEmpty()) {
                left.addAll(o.undelivered());
                error = o.error();
                if (error == null) error = new IllegalStateException("undelivered");
            }
        }
        return new ExportResult(delivered, left, rejected, error);
    }

    private record Outcome(List<EncodedTree> undelivered, Throwable error) {}

    private Outcome sendWithRetry(List<EncodedTree> request) {
        long deadline = System.nanoTime() + retry.budget().toNanos();
        List<EncodedTree> todo = request;
        Throwable last = null;
        for (int attempt = 1; ; attempt++) {
            try {
                PutMessagesResponse resp = client.putMessages(PutMessagesRequest.builder()
                        .streamId(streamId)
                        .putMessagesDetails(PutMessagesDetails.builder().messages(entries(todo)).build())
                        .build());
                List<PutMessagesResultEntry> results = resp.getPutMessagesResult().getEntries();
                Integer failures = resp.getPutMessagesResult().getFailures();
                if ((failures == null || failures == 0) && results != null && results.size() == todo.size()
                        && results.stream().allMatch(r -> r.getError() == null)) {
                    return new Outcome(List.of(), null);
                }
                // a partial failure: only the entries in error are sent again
                List<EncodedTree> failed = new ArrayList<>();
                for (int i = 0; i < todo.size(); i++) {
                    PutMessagesResultEntry r = results != null && i < results.size() ? results.get(i) : null;
                    if (r == null || r.getError() != null) {
                        failed.add(todo.get(i));
                        if (r != null) last = new IllegalStateException("entry error " + r.getError() + ": " + r.getErrorMessage());
                    }
                }
                todo = failed;
                if (todo.isEmpty()) return new Outcome(List.of(), null);
            } catch (BmcException e) {
                last = e;
                int status = e.getStatusCode();
                boolean retriable = status == 429 || status >= 500;
                if (!retriable) return new Outcome(todo, e); // unreachable (no status), auth, unknown stream
            } catch (RuntimeException e) {
                return new Outcome(todo, e); // transport trouble: let Jack spool and probe
            }
            if (attempt >= retry.maxAttempts() || stopping) return new Outcome(todo, last);
            long backoff = backoff(attempt);
            if (System.nanoTime() + backoff > deadline) return new Outcome(todo, last);
            try {
                TimeUnit.NANOSECONDS.sleep(backoff);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Outcome(todo, last);
            }
        }
    }

    /** Exponential back-off with full jitter on its upper half, capped. */
    private long backoff(int attempt) {
        long base = retry.initialBackoff().toNanos() << Math.min(20, attempt - 1);
        long cap = Math.min(base, retry.maxBackoff().toNanos());
        return cap / 2 + ThreadLocalRandom.current().nextLong(cap / 2 + 1);
    }

    private static List<PutMessagesDetailsEntry> entries(List<EncodedTree> trees) {
        List<PutMessagesDetailsEntry> out = new ArrayList<>(trees.size());
        for (EncodedTree t : trees) {
            out.add(PutMessagesDetailsEntry.builder().key(PutMessagesLimits.key(t)).value(t.json()).build());
        }
        return out;
    }

    @Override
    public boolean flush(Duration timeout) {
        List<CompletableFuture<ExportResult>> futures = new ArrayList<>();
        for (Pending p : pending) futures.add(p.future());
        if (futures.isEmpty()) return true;
        try {
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Exception e) {
            return true;
        }
    }

    @Override
    public void shutdown(Duration timeout) {
        flush(timeout);
        stopping = true; // a request still backing off gives up and reports its trees as retry
        executor.shutdownNow();
        try {
            executor.awaitTermination(Math.max(100, timeout.toMillis()), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Pending p : pending) p.future().complete(ExportResult.failure(p.batch(), new IllegalStateException("shut down")));
        try {
            client.close();
        } catch (RuntimeException e) {
            // nothing more to do
        }
    }
}
