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
 * @param allowedHosts host names accepted in the {@code Host} header besides IP literals, {@code localhost}
 *                   and the bind host ({@code HIQ_CONSUMER_HOSTS}; {@code *} accepts any)
 */
public record ConsumerSettings(String bootstrap, String topic, String group, String httpHost, int httpPort,
                               String storeUrl, Path home, String token, Map<String, String> kafkaProps,
                               java.util.Set<String> allowedHosts) {
    /** Without an allow-list of extra host names. */
    public ConsumerSettings(String bootstrap, String topic, String group, String httpHost, int httpPort,
                            String storeUrl, Path home, String token, Map<String, String> kafkaProps) {
        this(bootstrap, topic, group, httpHost, httpPort, storeUrl, home, token, kafkaProps, java.util.Set.of());
    }

    /**
     * The default store of a home: the SQLite file {@code home/consumer/store.db} — or, when the
     * home already holds the H2 store of an earlier version ({@code home/consumer/store.mv.db}) and
     * no SQLite one, that H2 store (its trees and roll-ups stay readable; move to SQLite by starting
     * afresh or with {@code --store}). SQLite took a third of H2's CPU per stored tree (issue 15,
     * docs/PERFORMANCE.md §18).
     */
    public static String defaultStoreUrl(Path home) {
        Path dir = home.resolve("consumer").toAbsolutePath();
        if (java.nio.file.Files.exists(dir.resolve("store.mv.db")) && !java.nio.file.Files.exists(dir.resolve("store.db"))) {
            return legacyH2StoreUrl(home);
        }
        return "jdbc:sqlite:" + dir.resolve("store.db");
    }

    /**
     * The H2 store earlier versions created by default: {@code home/consumer/store} (file
     * {@code store.mv.db}). H2's page compression ({@code ;COMPRESS=TRUE}) would halve the file but
     * made filtered {@code /api/trees} totals over 300 000 trees about 13 times slower.
     */
    public static String legacyH2StoreUrl(Path home) {
        return "jdbc:h2:file:" + home.resolve("consumer").resolve("store").toAbsolutePath();
    }

    /** The dead-letter file. */
    public Path deadLetterFile() { return home.resolve("consumer").resolve("dead-letter.jsonl"); }
}
