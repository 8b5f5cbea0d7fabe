package io.hiq.consumer;

import io.hiq.consumer.http.ApiServer;
import io.hiq.consumer.http.BearerAuth;
import io.hiq.consumer.http.HostCheck;
import io.hiq.consumer.http.ServiceStatus;
import io.hiq.consumer.ingest.DeadLetterFile;
import io.hiq.consumer.ingest.IngestLoop;
import io.hiq.consumer.ingest.IngestMetrics;
import io.hiq.consumer.ingest.IngestOptions;
import io.hiq.consumer.ingest.ServiceHealth;
import io.hiq.consumer.http.PrometheusText;
import io.hiq.consumer.store.Retention;
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
 * The analytics consumer service: store, Kafka ingest loop (its own thread), retention (its own
 * thread) and HTTP server, started and stopped together. {@link #close()} stops the ingest loop first
 * (leaving the group cleanly, its last batch committed), then retention, HTTP, and the store.
 *
 * <p>Faults of the store, Kafka or the dead-letter file never end the service: they show in
 * {@code /health} (DOWN with the reason) and {@code /metrics}, and the work resumes by itself.
 */
public final class ConsumerService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ConsumerService.class);

    private final ConsumerSettings settings;
    private IngestOptions options;
    private final IngestMetrics metrics = new IngestMetrics();
    private final ServiceHealth health;
    private Retention retention;
    private TreeStore store;
    private DeadLetterFile deadLetters;
    private IngestLoop loop;
    private Thread thread;
    private ApiServer http;
    private boolean closed;

    /**
     * With the default options and {@code HIQ_RETENTION} from the environment (read by
     * {@link #start()}, which fails with a message naming the variable when it is not a valid
     * duration).
     */
    public ConsumerService(ConsumerSettings settings) { this(settings, null); }

    /** With explicit options (tests shorten the waits); null: the defaults and {@code HIQ_RETENTION}. */
    public ConsumerService(ConsumerSettings settings, IngestOptions options) {
        this.settings = settings;
        this.options = options;
        this.health = new ServiceHealth(options != null ? options.storeDownAfter() : IngestOptions.defaults().storeDownAfter());
    }

    /** Opens the store, starts HTTP, retention and the ingest thread; returns this. */
    public ConsumerService start() throws Exception {
        if (options == null) {
            options = IngestOptions.defaults().withRetention(
                    Retention.parse("HIQ_RETENTION", Env.get("HIQ_RETENTION", null)), Retention.DEFAULT_INTERVAL);
        }
        store = TreeStore.open(settings.storeUrl());
        deadLetters = new DeadLetterFile(settings.deadLetterFile());
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrap());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, settings.group());
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "hiq-consumer-" + ProcessHandle.current().pid() + "-" + Integer.toHexString(System.identityHashCode(this)));
        p.putAll(settings.kafkaProps());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, settings.group());
        loop = new IngestLoop(p, settings.topic(), store, deadLetters, metrics, health, options);
        retention = new Retention(store, options.retention(), options.retentionInterval(), System::currentTimeMillis).start();
        http = new ApiServer(settings.httpHost(), settings.httpPort(), store, status(), new BearerAuth(settings.token()),
                new HostCheck(settings.httpHost(), settings.allowedHosts()));
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
            @Override public String storeKind() { return store.dialect().name().toLowerCase(Locale.ROOT); }
            @Override public String downReason() {
                String r = health.reason();
                if (r == null && !loop.isRunning()) r = "ingest thread stopped";
                return r;
            }
            @Override public void exportMetrics(PrometheusText out) { FaultMetrics.write(out, metrics, deadLetters, store, retention); }
        };
    }

    /** What is wrong now (null: nothing): the reason {@code /health} gives for DOWN. */
    public String downReason() { return health.reason(); }

    /** The retention job. */
    public Retention retention() { return retention; }

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
        if (retention != null) retention.close();
        if (http != null) http.close();
        if (deadLetters != null) deadLetters.close();
        if (store != null) store.close();
    }
}
