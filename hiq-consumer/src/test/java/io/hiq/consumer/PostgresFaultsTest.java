package io.hiq.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.hiq.consumer.ingest.IngestOptions;
import io.hiq.consumer.support.TestBroker;
import io.hiq.consumer.support.Http;
import io.hiq.consumer.support.Kafka;
import io.hiq.consumer.support.Kafka.Rec;
import io.hiq.consumer.support.StatsCheck;
import io.hiq.consumer.support.TestTrees;
import io.hiq.tree.HiQNode;
import io.hiq.tree.HiQTree;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * Chaos on a real PostgreSQL server (zonky embedded) under a real broker: the server restarted while
 * the service ingests ~21 000 trees (all stored once, exact statistics, {@code /health} DOWN with the
 * reason, then UP by itself), and a U+0000 tree among 1 000 valid ones (the 1 000 stored, the bad one
 * dead-lettered, the service UP).
 */
class PostgresFaultsTest {
    private static EmbeddedKafkaKraftBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = TestBroker.start(new NewTopic("pg-nul", 2, (short) 1), new NewTopic("pg-restart", 3, (short) 1));
    }

    @AfterAll
    static void stopBroker() { broker.destroy(); }

    private static IngestOptions fastRetries() {
        return IngestOptions.defaults().withWaits(Duration.ofMillis(100), Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofSeconds(10));
    }

    private static ConsumerSettings settings(Path home, String topic, String url) {
        return new ConsumerSettings(broker.getBrokersAsString(), topic, "g-" + topic, "127.0.0.1", 0, url, home, null, Map.of());
    }

    private static List<HiQTree> trees(String prefix, int n, long seed) {
        Random rnd = new Random(seed);
        long now = System.currentTimeMillis() * 1000;
        List<HiQTree> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(TestTrees.random(rnd, prefix + i, "svc" + (i % 3), List.of("main", "load", "query"), now, 5));
        return out;
    }

    private static List<Rec> recs(List<HiQTree> trees) {
        List<Rec> out = new ArrayList<>();
        for (HiQTree t : trees) out.add(new Rec(null, t.id().getBytes(StandardCharsets.UTF_8), TestTrees.bytes(t)));
        return out;
    }

    @Test
    void nulCharacterTreeIsDeadLetteredAloneOnPostgres(@TempDir Path home) throws Exception {
        List<HiQTree> valid = trees("v-", 1_000, 5);
        HiQNode bad = HiQNode.of("main", 1, 2, 10, 20);
        bad.addChild(HiQNode.of("na\u0000me", 1, 2, 11, 12));
        HiQTree nul = HiQTree.builder().id("nul-1").service("svc0").host("h").pid(1).thread("main").overheadNs(1).mode("verbose")
                .root(bad).build();
        List<Rec> recs = recs(valid.subList(0, 500));
        recs.add(new Rec(null, "nul-1".getBytes(StandardCharsets.UTF_8), TestTrees.bytes(nul)));
        recs.addAll(recs(valid.subList(500, 1_000)));
        Kafka.send(broker.getBrokersAsString(), "pg-nul", recs);
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
             ConsumerService svc = new ConsumerService(settings(home, "pg-nul", pg.getJdbcUrl("postgres", "postgres")), fastRetries()).start()) {
            await("1 000 valid trees stored and one dead letter").atMost(Duration.ofSeconds(120))
                    .until(() -> svc.store().treeCount() == 1_000 && svc.deadLetters().count() == 1);
            assertThat(svc.store().treeJson("nul-1")).isNull();
            await("UP").atMost(Duration.ofSeconds(30)).until(() -> Http.up(svc.baseUrl()));
            StatsCheck.assertMatches(Http.json(svc.baseUrl() + "/api/stats"), valid);
            String dl = Files.readString(home.resolve("consumer/dead-letter.jsonl"));
            assertThat(dl.lines().count()).isEqualTo(1);
            assertThat(dl).contains("\"offset\"");
            await("offsets committed past the bad record").atMost(Duration.ofSeconds(30)).until(() -> svc.metrics().lag() == 0);
        }
    }

    @Test
    void postgresRestartedMidIngestLosesNothingAndCountsNothingTwice(@TempDir Path home, @TempDir Path data) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        List<HiQTree> all = trees("r-", 21_000, 9);
        EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false).setPort(port).start();
        String url = pg.getJdbcUrl("postgres", "postgres");
        try (ConsumerService svc = new ConsumerService(settings(home, "pg-restart", url), fastRetries()).start()) {
            Thread producer = new Thread(() -> Kafka.send(broker.getBrokersAsString(), "pg-restart", recs(all)), "test-producer");
            producer.start();
            await("some trees stored before the restart").atMost(Duration.ofSeconds(120)).until(() -> svc.store().treeCount() >= 2_000);
            pg.close();
            await("/health DOWN naming the store").atMost(Duration.ofSeconds(60)).until(() -> {
                var r = Http.get(svc.baseUrl() + "/health");
                return r.statusCode() == 503 && r.body().contains("store");
            });
            pg = EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false).setPort(port).start();
            producer.join(120_000);
            await("all 21 000 trees stored").atMost(Duration.ofSeconds(240)).until(() -> {
                try {
                    return svc.store().treeCount() == all.size();
                } catch (Exception e) {
                    return false;
                }
            });
            await("UP again by itself").atMost(Duration.ofSeconds(60)).until(() -> Http.up(svc.baseUrl()));
            assertThat(svc.metrics().ingested()).as("each tree inserted once").isEqualTo(all.size());
            StatsCheck.assertMatches(Http.json(svc.baseUrl() + "/api/stats"), all);
            String metrics = Http.get(svc.baseUrl() + "/metrics").body();
            assertThat(metrics).containsPattern("hiq_consumer_store_errors_total [1-9]");
            assertThat(metrics).containsPattern("hiq_consumer_store_retries_total [1-9]");
            assertThat(metrics).contains("hiq_consumer_dead_letters_total 0\n");
        } finally {
            pg.close();
        }
    }
}
