package io.hiq.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hiq.consumer.support.TestBroker;
import io.hiq.consumer.support.Http;
import io.hiq.consumer.support.Kafka;
import io.hiq.consumer.support.Kafka.Rec;
import io.hiq.consumer.support.StatsCheck;
import io.hiq.consumer.support.TestTrees;
import io.hiq.tree.HiQTree;
import io.hiq.tree.TreeCodec;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * Scale-out: two instances in one group on a 4-partition topic share the partitions; every tree is
 * stored once and statistics are exact — each with its own store (the default: a SQLite file), and both on one (real, embedded)
 * PostgreSQL server, with the second instance joining in the middle of ingestion.
 */
class ScaleOutTest {
    private static EmbeddedKafkaKraftBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = TestBroker.start(new NewTopic("scale-h2", 4, (short) 1), new NewTopic("scale-pg", 4, (short) 1),
                new NewTopic("scale-one", 1, (short) 1));
    }

    @AfterAll
    static void stopBroker() { broker.destroy(); }

    private static List<HiQTree> trees(String prefix, int n, long seed) {
        Random rnd = new Random(seed);
        long now = System.currentTimeMillis() * 1000;
        List<HiQTree> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(TestTrees.random(rnd, prefix + i, "svc-" + (i % 4), List.of("main", "io", "cpu", "lock", "net"), now, 3));
        }
        return out;
    }

    private static void send(String topic, List<HiQTree> trees) {
        List<Rec> recs = new ArrayList<>();
        for (HiQTree t : trees) recs.add(new Rec(null, t.id().getBytes(StandardCharsets.UTF_8), TestTrees.bytes(t)));
        Kafka.send(broker.getBrokersAsString(), topic, recs);
    }

    private static ConsumerSettings settings(Path home, String topic, String storeUrl) {
        return new ConsumerSettings(broker.getBrokersAsString(), topic, "g-" + topic, "127.0.0.1", 0, storeUrl, home, null, Map.of());
    }

    private static List<HiQTree> stored(ConsumerService svc) throws Exception {
        List<HiQTree> out = new ArrayList<>();
        svc.store().forEachTreeJson(j -> {
            try {
                out.add(TreeCodec.decode(j));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        return out;
    }

    @Test
    void twoInstancesWithTheirOwnDefaultStoresSplitThePartitions(@TempDir Path homeA, @TempDir Path homeB) throws Exception {
        List<HiQTree> all = trees("h2-", 400, 1);
        try (ConsumerService a = new ConsumerService(settings(homeA, "scale-h2", ConsumerSettings.defaultStoreUrl(homeA))).start()) {
            send("scale-h2", all.subList(0, 200));
            await().atMost(Duration.ofSeconds(30)).until(() -> a.store().treeCount() == 200 && a.metrics().lag() == 0);
            try (ConsumerService b = new ConsumerService(settings(homeB, "scale-h2", ConsumerSettings.defaultStoreUrl(homeB))).start()) {
                await().atMost(Duration.ofSeconds(30)).until(() -> Http.json(a.baseUrl() + "/health").get("partitions").size() == 2
                        && Http.json(b.baseUrl() + "/health").get("partitions").size() == 2);
                send("scale-h2", all.subList(200, 400));
                await().atMost(Duration.ofSeconds(30)).until(() -> a.store().treeCount() + b.store().treeCount() == all.size());
                assertThat(b.store().treeCount()).isPositive();
                List<HiQTree> inA = stored(a);
                List<HiQTree> inB = stored(b);
                Set<String> ids = new HashSet<>();
                inA.forEach(t -> ids.add(t.id()));
                inB.forEach(t -> assertThat(ids.add(t.id())).as("stored twice: %s", t.id()).isTrue());
                assertThat(ids).hasSize(all.size());
                StatsCheck.assertMatches(Http.json(a.baseUrl() + "/api/stats"), inA);
                StatsCheck.assertMatches(Http.json(b.baseUrl() + "/api/stats"), inB);
            }
        }
    }

    @Test
    void anInstanceWithoutPartitionsIsUpAsAStandbyAndTakesOverOnFailure(@TempDir Path home) throws Exception {
        String url = "jdbc:h2:file:" + home.resolve("shared") + ";AUTO_SERVER=FALSE";
        List<HiQTree> all = trees("one-", 40, 3);
        // one H2 database in this JVM, opened by both instances: they share it like a PostgreSQL store
        try (ConsumerService a = new ConsumerService(settings(home.resolve("a"), "scale-one", url)).start();
             ConsumerService b = new ConsumerService(settings(home.resolve("b"), "scale-one", url)).start()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> Http.up(a.baseUrl()) && Http.up(b.baseUrl())
                    && Http.json(a.baseUrl() + "/health").get("partitions").size()
                    + Http.json(b.baseUrl() + "/health").get("partitions").size() == 1);
            ConsumerService idle = Http.json(a.baseUrl() + "/health").get("partitions").isEmpty() ? a : b;
            ConsumerService busy = idle == a ? b : a;
            assertThat(Http.json(idle.baseUrl() + "/health").get("status").asText()).isEqualTo("UP");
            send("scale-one", all.subList(0, 20));
            await().atMost(Duration.ofSeconds(30)).until(() -> busy.store().treeCount() == 20);
            busy.close(); // leaves the group: the standby gets the partition
            send("scale-one", all.subList(20, 40));
            await().atMost(Duration.ofSeconds(30)).until(() -> idle.store().treeCount() == 40);
            assertThat(idle.metrics().ingested()).isEqualTo(20);
            StatsCheck.assertMatches(Http.json(idle.baseUrl() + "/api/stats"), all);
        }
    }

    @Test
    void twoInstancesOnOneEmbeddedPostgres(@TempDir Path homeA, @TempDir Path homeB) throws Exception {
        List<HiQTree> all = trees("pg-", 600, 2);
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
            String url = pg.getJdbcUrl("postgres", "postgres");
            try (ConsumerService a = new ConsumerService(settings(homeA, "scale-pg", url)).start()) {
                send("scale-pg", all.subList(0, 300));
                // the second instance joins while the first is ingesting: a rebalance in the middle
                try (ConsumerService b = new ConsumerService(settings(homeB, "scale-pg", url)).start()) {
                    send("scale-pg", all.subList(300, 600));
                    await().atMost(Duration.ofSeconds(45)).until(() -> a.store().treeCount() == all.size()
                            && a.metrics().lag() == 0 && b.metrics().lag() == 0);
                    assertThat(a.store().dialect()).isEqualTo(io.hiq.consumer.store.Dialect.POSTGRESQL);
                    assertThat(a.metrics().ingested() + b.metrics().ingested()).isEqualTo(all.size());
                    List<HiQTree> inStore = stored(a);
                    assertThat(inStore.stream().map(HiQTree::id).distinct().count()).isEqualTo(all.size());
                    StatsCheck.assertMatches(Http.json(a.baseUrl() + "/api/stats"), all);
                    StatsCheck.assertMatches(Http.json(b.baseUrl() + "/api/stats"), all);
                    assertThat(Http.json(b.baseUrl() + "/api/trees").get("total").asLong()).isEqualTo(all.size());
                }
            }
        }
    }
}
