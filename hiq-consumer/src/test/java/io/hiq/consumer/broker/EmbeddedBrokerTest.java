package io.hiq.consumer.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hiq.consumer.ConsumerService;
import io.hiq.consumer.ConsumerSettings;
import io.hiq.consumer.support.Http;
import io.hiq.consumer.support.Kafka;
import io.hiq.consumer.support.Kafka.Rec;
import io.hiq.consumer.support.StatsCheck;
import io.hiq.consumer.support.TestTrees;
import io.hiq.tree.HiQTree;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/hiq broker}'s {@link EmbeddedBroker}: formats its storage on first start, auto-creates the
 * topic with the configured partitions, serves the consumer service end to end, and keeps its data
 * across a restart on the same directory.
 */
class EmbeddedBrokerTest {
    @Test
    void servesTheConsumerAndKeepsDataAcrossRestarts(@TempDir Path dir, @TempDir Path home) throws Exception {
        Random rnd = new Random(5);
        long now = System.currentTimeMillis() * 1000;
        List<HiQTree> trees = new ArrayList<>();
        List<Rec> recs = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            HiQTree t = TestTrees.random(rnd, "b-" + i, "demo", List.of("main", "work"), now, 1);
            trees.add(t);
            recs.add(new Rec(null, t.id().getBytes(StandardCharsets.UTF_8), TestTrees.bytes(t)));
        }
        try (EmbeddedBroker broker = new EmbeddedBroker(0, dir, 3).start()) {
            assertThat(broker.bootstrap()).startsWith("127.0.0.1:");
            assertThat(Files.exists(dir.resolve("data/meta.properties"))).isTrue();
            Kafka.send(broker.bootstrap(), "hiq", recs);
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap()))) {
                assertThat(admin.describeTopics(List.of("hiq")).allTopicNames().get().get("hiq").partitions()).hasSize(3);
            }
            try (ConsumerService svc = new ConsumerService(new ConsumerSettings(broker.bootstrap(), "hiq", "g1", "127.0.0.1", 0,
                    ConsumerSettings.defaultStoreUrl(home), home, null, Map.of())).start()) {
                await().atMost(Duration.ofSeconds(30)).until(() -> svc.store().treeCount() == trees.size());
                StatsCheck.assertMatches(Http.json(svc.baseUrl() + "/api/stats"), trees);
            }
        }
        // restarted on the same directory: the storage is reused, the records are still there
        try (EmbeddedBroker broker = new EmbeddedBroker(0, dir, 3).start();
             ConsumerService svc = new ConsumerService(new ConsumerSettings(broker.bootstrap(), "hiq", "g2", "127.0.0.1", 0,
                     ConsumerSettings.defaultStoreUrl(home), home, null, Map.of())).start()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> svc.metrics().records() == trees.size());
            assertThat(svc.metrics().duplicates()).isEqualTo(trees.size());
            assertThat(svc.store().treeCount()).isEqualTo(trees.size());
        }
    }
}
