package io.hiq.consumer;

import io.hiq.consumer.http.ApiServer;
import io.hiq.consumer.http.BearerAuth;
import io.hiq.consumer.http.ServiceStatus;
import io.hiq.consumer.ingest.DeadLetterFile;
import io.hiq.consumer.ingest.IngestLoop;
import io.hiq.consumer.ingest.IngestMetrics;
import io.hiq.consumer.store.Dialect;
import io.hiq.consumer.store.TreeStore;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The analytics consumer service: store, Kafka ingest loop (its own thread) and HTTP server, started
 * and stopped together. {@link #close()} stops the ingest loop first (leaving the group cleanly, its
 * last batch committed), then HTTP, then the store.
 */
public final class ConsumerService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ConsumerService.class);

    private final ConsumerSettings settings;
    private final IngestMetrics metrics = new IngestMetrics();
    private TreeStore store;
    private DeadLetterFile deadLetters;
    private IngestLoop loop;
    private Thread thread;
    private ApiServer http;
    private boolean closed;

    public ConsumerService(ConsumerSettings settings) { this.settings = settings; }

    /** Opens the store, starts HTTP and the ingest thread; returns this. */
    public ConsumerService start() throws Exception {
        store = TreeStore.open(settings.storeUrl());
        deadLetters = new DeadLetterFile(settings.deadLetterFile());
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrap());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, settings.group());
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "hiq-consumer-" + ProcessHandle.current().pid() + "-" + Integer.toHexString(System.identityHashCode(this)));
        p.putAll(settings.kafkaProps());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, settings.group());
        loop = new IngestLoop(p, settings.topic(), store, deadLetters, metrics);
        http = new ApiServer(settings.httpHost(), settings.httpPort(), store, status(), new BearerAuth(settings.token()));
        http.start();
        thread = new Thread(loop, "hiq-ingest");
        thread.start();
        LOG.info("consumer: topic {} group {} store {} on http://{}:{}/", settings.topic(), settings.group(),
                store.dialect().name().toLowerCase(Locale.ROOT), settings.httpHost(), http.port());
        return this;
    }

    private ServiceStatus status() {
        return new ServiceStatus() {
            @Override public boolean storeOpen() { return store.isOpen(); }
            @Override public boolean joined() { return loop.joined() && loop.isRunning(); }
            @Override public List<String> partitions() {
                return loop.assignment().stream().map(tp -> tp.topic() + "-" + tp.partition()).sorted().toList();
            }
            @Override public long records() { return metrics.records(); }
            @Override public long treesIngested() { return metrics.ingested(); }
            @Override public long duplicates() { return metrics.duplicates(); }
            @Override public long deadLetters() { return deadLetters.count(); }
            @Override public long lag() { return metrics.lag(); }
            @Override public String storeKind() { return store.dialect() == Dialect.H2 ? "h2" : "postgresql"; }
        };
    }

    /** The HTTP port bound. */
    public int httpPort() { return http.port(); }

    /** Base URL of the HTTP API, e.g. {@code http://127.0.0.1:8080}. */
    public String baseUrl() { return "http://" + settings.httpHost() + ":" + http.port(); }

    public TreeStore store() { return store; }

    public IngestMetrics metrics() { return metrics; }

    public DeadLetterFile deadLetters() { return deadLetters; }

    /** Whether the ingest thread is still running. */
    public boolean running() { return loop != null && loop.isRunning(); }

    /** Blocks until the ingest thread ends (it ends on {@link #close()} or a fatal error). */
    public void awaitTermination() throws InterruptedException { if (thread != null) thread.join(); }

    @Override
    public synchronized void close() throws Exception {
        if (closed) return;
        closed = true;
        if (loop != null && !loop.stop(Duration.ofSeconds(10))) LOG.warn("consumer: ingest thread did not stop in 10 s");
        if (http != null) http.close();
        if (deadLetters != null) deadLetters.close();
        if (store != null) store.close();
    }
}
