package io.hiq.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hiq.consumer.ingest.IngestOptions;
import io.hiq.consumer.support.TestBroker;
import io.hiq.consumer.support.Http;
import io.hiq.consumer.support.Kafka;
import io.hiq.consumer.support.Kafka.Rec;
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
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * The dead-letter file cannot be written (its path is a directory: refused even to root, unlike a
 * chmod): the process stays up, {@code /health} is DOWN naming the dead-letter file, the failures are
 * counted in {@code /metrics}, the batch is retried; once the path is writable the poison record is
 * dead-lettered once and every tree stored once.
 */
class DeadLetterFaultTest {
    @Test
    void unwritableDeadLetterFileIsRetriedCountedAndRecovered(@TempDir Path home) throws Exception {
        EmbeddedKafkaKraftBroker broker = TestBroker.start(new NewTopic("dl", 1, (short) 1));
        try {
            Path dlPath = home.resolve("consumer/dead-letter.jsonl");
            Files.createDirectories(dlPath); // a directory where the file should be: every append fails
            Random rnd = new Random(2);
            long now = System.currentTimeMillis() * 1000;
            List<HiQTree> trees = new ArrayList<>();
            List<Rec> recs = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                HiQTree t = TestTrees.random(rnd, "d-" + i, "svc", List.of("a", "b"), now, 5);
                trees.add(t);
                recs.add(new Rec(0, null, TestTrees.bytes(t)));
                if (i == 100) recs.add(new Rec(0, null, "not a tree".getBytes(StandardCharsets.UTF_8)));
            }
            Kafka.send(broker.getBrokersAsString(), "dl", recs);
            IngestOptions opts = IngestOptions.defaults().withWaits(Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(10));
            ConsumerSettings s = new ConsumerSettings(broker.getBrokersAsString(), "dl", "g-dl", "127.0.0.1", 0,
                    ConsumerSettings.defaultStoreUrl(home), home, null, Map.of());
            try (ConsumerService svc = new ConsumerService(s, opts).start()) {
                await("/health DOWN naming the dead-letter file").atMost(Duration.ofSeconds(60)).until(() -> {
                    var r = Http.get(svc.baseUrl() + "/health");
                    return r.statusCode() == 503 && r.body().contains("dead-letter");
                });
                await("several failed appends counted").atMost(Duration.ofSeconds(60)).until(() -> svc.deadLetters().failures() >= 3);
                assertThat(svc.running()).isTrue();
                assertThat(Http.get(svc.baseUrl() + "/metrics").body()).containsPattern("hiq_consumer_dead_letter_write_errors_total [1-9]");
                Files.delete(dlPath); // the disk is writable again
                await("every tree stored and the poison dead-lettered once").atMost(Duration.ofSeconds(60))
                        .until(() -> svc.store().treeCount() == trees.size() && svc.deadLetters().count() == 1);
                await("UP again").atMost(Duration.ofSeconds(30)).until(() -> Http.up(svc.baseUrl()));
                assertThat(Files.readAllLines(dlPath)).hasSize(1);
                assertThat(svc.metrics().ingested()).isEqualTo(trees.size());
                await("lag 0").atMost(Duration.ofSeconds(30)).until(() -> svc.metrics().lag() == 0);
            }
        } finally {
            broker.destroy();
        }
    }
}
