package io.hiq.jack.kafka;

import io.hiq.core.runtime.Settings;
import io.hiq.jack.JackConfigException;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Builds Jack's Kafka producer configuration from the settings (DESIGN B5).
 *
 * <p>Order, lowest to highest precedence: Jack's defaults (idempotent, {@code acks=all}, lz4,
 * batching for throughput, short blocking bounds), then the properties file named by
 * {@code HIQ_KAFKA_PROPS} (SASL/SSL, OCI Streaming's Kafka endpoint, any tuning), then
 * {@code HIQ_KAFKA_BOOTSTRAP} when it is set. The serializers are always Jack's (byte arrays).
 * Values are never printed: the file may hold passwords.
 */
public final class KafkaProducerConfig {
    /** Default bootstrap servers. */
    public static final String DEFAULT_BOOTSTRAP = "127.0.0.1:9092";
    /** Default topic. */
    public static final String DEFAULT_TOPIC = "hiq";

    private KafkaProducerConfig() {}

    /** The topic trees go to: {@code HIQ_KAFKA_TOPIC}, default {@code hiq}. */
    public static String topic(Settings settings) {
        return settings.get("HIQ_KAFKA_TOPIC", DEFAULT_TOPIC);
    }

    /**
     * The producer properties.
     *
     * @throws JackConfigException when {@code HIQ_KAFKA_PROPS} names a file that cannot be read
     */
    public static Properties build(Settings settings, long pid) throws JackConfigException {
        Properties p = defaults(pid);
        String file = settings.get("HIQ_KAFKA_PROPS");
        if (file != null && !file.isBlank()) p.putAll(load(Path.of(file.trim())));
        String bootstrap = settings.get("HIQ_KAFKA_BOOTSTRAP");
        if (bootstrap != null && !bootstrap.isBlank()) p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap.trim());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        // always off: client telemetry (KIP-714) needs kafka-clients' shaded protobuf, which the
        // agent jar leaves out to stay small (docs/AGENT.md); a push would fail in the I/O thread
        p.put("enable.metrics.push", "false");
        return p;
    }

    /** Jack's defaults, before the properties file. */
    static Properties defaults(long pid) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, DEFAULT_BOOTSTRAP);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "hiq-jack-" + pid);
        // at-least-once without duplicates from the producer's own retries
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
        // trees are repetitive JSON: lz4 compresses them several times at little CPU cost
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "10");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(512 * 1024));
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(64L * 1024 * 1024));
        // a dead broker must cost little: send() waits at most 1 s for metadata or buffer space,
        // and a record not acknowledged within 15 s comes back as failed (then Jack spools it)
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "1000");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "15000");
        p.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, "100");
        p.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "1000");
        return p;
    }

    /** Reads a properties file; the error names the variable and the file, never a value. */
    static Properties load(Path file) throws JackConfigException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException | IllegalArgumentException e) {
            throw new JackConfigException("HIQ_KAFKA_PROPS: cannot read " + file.toAbsolutePath() + ": "
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage()), e);
        }
        return p;
    }
}
