package io.hiq.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hiq.consumer.broker.EmbeddedBroker;
import io.hiq.consumer.ingest.IngestOptions;
import io.hiq.consumer.support.Http;
import io.hiq.consumer.support.Kafka;
import io.hiq.consumer.support.Kafka.Rec;
import io.hiq.consumer.support.StatsCheck;
import io.hiq.consumer.support.TestTrees;
import io.hiq.tree.HiQTree;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chaos: the broker goes away under a consumer that is ingesting, for longer than the Kafka request
 * timeout (the offset commit's, which used to end the process with an uncaught
 * {@code TimeoutException} after 60 s). The timeout is set to 3 s in this test and the outage lasts
 * at least {@value #OUTAGE_S} s — the 90-second outage, thirty timeouts and many of the
 * longest back-off — so every path (commit timed out, probe timed out, back-off at its ceiling) is
 * taken again and again. The broker is an in-process KRaft broker stopped and started again on the same port
 * and log directory, as a restarted broker would be.
 *
 * <p>Asserts: the process (ingest thread) stays up throughout; {@code /health} goes DOWN naming
 * Kafka, then UP by itself; the trees published before, and those published after the outage, are
 * all stored exactly once with exact statistics, and nothing is dead-lettered.
 */
class KafkaOutageTest {
    static final int OUTAGE_S = 90;

    @Test
    void consumerRidesOutABrokerOutageLongerThanTheKafkaTimeout(@TempDir Path home) throws Exception {
        Path kafkaDir = home.resolve("kafka");
        Random rnd = new Random(15);
        long now = System.currentTimeMillis() * 1000;
        List<HiQTree> before = trees(rnd, "before-", 3_000, now);
        List<HiQTree> after = trees(rnd, "after-", 1_000, now);
        EmbeddedBroker broker = new EmbeddedBroker(0, kafkaDir, 2).start();
        int port = broker.port();
        try {
            Kafka.send(broker.bootstrap(), "outage", recs(before));
            IngestOptions opts = IngestOptions.defaults().withWaits(Duration.ofMillis(200), Duration.ofSeconds(5),
                    Duration.ofSeconds(1), Duration.ofSeconds(3));
            // small polls: the broker stops while batches are still being stored and committed
            ConsumerSettings s = new ConsumerSettings(broker.bootstrap(), "outage", "g-outage", "127.0.0.1", 0,
                    ConsumerSettings.defaultStoreUrl(home), home, null, Map.of("max.poll.records", "20",
                    "request.timeout.ms", "3000", "default.api.timeout.ms", "3000"));
            try (ConsumerService svc = new ConsumerService(s, opts).start()) {
                AtomicBoolean everStopped = new AtomicBoolean();
                Thread watch = new Thread(() -> {
                    while (!Thread.currentThread().isInterrupted()) {
                        if (!svc.running()) everStopped.set(true);
                        try {
                            Thread.sleep(50);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }, "ingest-watch");
                watch.start();
                await("some trees stored before the outage").atMost(Duration.ofSeconds(120)).until(() -> svc.metrics().ingested() >= 300);
                long down = System.nanoTime();
                broker.stop();
                await("/health DOWN naming Kafka").atMost(Duration.ofSeconds(60)).until(() -> {
                    HttpResponse<String> r = Http.get(svc.baseUrl() + "/health");
                    return r.statusCode() == 503 && r.body().contains("kafka");
                });
                // the outage itself: held for OUTAGE_S seconds, checking all along that the service lives and says DOWN
                await("an outage of " + OUTAGE_S + " s with the service up and DOWN").atMost(Duration.ofSeconds(OUTAGE_S + 60))
                        .pollInterval(Duration.ofSeconds(1)).until(() -> {
                            assertThat(svc.running()).as("ingest thread alive during the outage").isTrue();
                            assertThat(Http.get(svc.baseUrl() + "/health").statusCode()).isEqualTo(503);
                            return System.nanoTime() - down >= OUTAGE_S * 1_000_000_000L;
                        });
                long errorsDuringOutage = svc.metrics().kafkaErrors();
                assertThat(errorsDuringOutage).as("Kafka failures counted and retried").isGreaterThanOrEqualTo(3);
                broker = new EmbeddedBroker(port, kafkaDir, 2).start(); // same port, same log directory
                Kafka.send(broker.bootstrap(), "outage", recs(after));
                int total = before.size() + after.size();
                await("every tree stored after the outage").atMost(Duration.ofSeconds(180)).until(() -> svc.store().treeCount() == total);
                await("/health UP again").atMost(Duration.ofSeconds(60)).until(() -> Http.up(svc.baseUrl()));
                await("lag 0").atMost(Duration.ofSeconds(60)).until(() -> svc.metrics().lag() == 0);
                watch.interrupt();
                watch.join();
                assertThat(everStopped.get()).as("the ingest thread never ended").isFalse();
                assertThat(svc.running()).isTrue();
                assertThat(svc.metrics().ingested()).as("each tree stored once").isEqualTo(total);
                assertThat(svc.deadLetters().count()).isZero();
                List<HiQTree> all = new ArrayList<>(before);
                all.addAll(after);
                StatsCheck.assertMatches(Http.json(svc.baseUrl() + "/api/stats?from=0"), all);
                assertThat(Http.get(svc.baseUrl() + "/metrics").body()).containsPattern("hiq_consumer_kafka_errors_total [1-9]");
            }
        } finally {
            broker.close();
        }
    }

    private static List<HiQTree> trees(Random rnd, String prefix, int n, long now) {
        List<HiQTree> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) out.add(TestTrees.random(rnd, prefix + i, "svc", List.of("a", "b", "c"), now, 5));
        return out;
    }

    private static List<Rec> recs(List<HiQTree> trees) {
        List<Rec> out = new ArrayList<>(trees.size());
        for (int i = 0; i < trees.size(); i++) out.add(new Rec(i % 2, null, TestTrees.bytes(trees.get(i))));
        return out;
    }
}
