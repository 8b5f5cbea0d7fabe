package io.hiq.consumer;

import java.nio.file.Path;
import java.util.Map;

/**
 * Everything the service needs, resolved from the command line and the environment.
 *
 * @param bootstrap  Kafka bootstrap servers
 * @param topic      the trees' topic
 * @param group      the consumer group
 * @param httpHost   HTTP bind address
 * @param httpPort   HTTP port (0: any free port)
 * @param storeUrl   JDBC URL of the store
 * @param home       {@code $HIQ_HOME}; the dead-letter file is {@code home/consumer/dead-letter.jsonl}
 * @param token      bearer token, or null
 * @param kafkaProps extra consumer properties ({@code HIQ_KAFKA_PROPS}: SASL/SSL …)
 */
public record ConsumerSettings(String bootstrap, String topic, String group, String httpHost, int httpPort,
                               String storeUrl, Path home, String token, Map<String, String> kafkaProps) {
    /**
     * The default H2 store of a home: {@code home/consumer/store} (file {@code store.mv.db}), with
     * page compression, which halves the file (tree JSON compresses well) at no loss of ingest speed.
     */
    public static String defaultStoreUrl(Path home) {
        return "jdbc:h2:file:" + home.resolve("consumer").resolve("store").toAbsolutePath() + ";COMPRESS=TRUE";
    }

    /** The dead-letter file. */
    public Path deadLetterFile() { return home.resolve("consumer").resolve("dead-letter.jsonl"); }
}
