package io.hiq.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.hiq.consumer.support.TestBroker;
import io.hiq.consumer.support.Http;
import io.hiq.consumer.support.Kafka;
import io.hiq.consumer.support.Kafka.Rec;
import io.hiq.consumer.support.StatsCheck;
import io.hiq.consumer.support.TestTrees;
import io.hiq.tree.HiQTree;
import io.hiq.tree.TreeCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
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
 * The ingest path against a real (in-process KRaft) broker: every valid tree stored once with exact
 * per-tag statistics, redelivery and duplicate ids change nothing, and poison records of every kind
 * become dead letters while the service stays UP and goes on.
 */
class IngestTest {
    private static EmbeddedKafkaKraftBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = TestBroker.start(Map.of("message.max.bytes", "2000000"), new NewTopic("trees", 3, (short) 1), new NewTopic("poison", 2, (short) 1));
    }

    @AfterAll
    static void stopBroker() { broker.destroy(); }

    static ConsumerSettings settings(Path home, String topic, String group) {
        return new ConsumerSettings(broker.getBrokersAsString(), topic, group, "127.0.0.1", 0,
                ConsumerSettings.defaultStoreUrl(home), home, null, Map.of());
    }

    @Test
    void storesEveryTreeOnceWithExactStatsAndIgnoresRedelivery(@TempDir Path home) throws Exception {
        Random rnd = new Random(7);
        long now = System.currentTimeMillis() * 1000;
        List<HiQTree> trees = new ArrayList<>();
        List<String> services = List.of("orders", "billing", "search");
        for (int i = 0; i < 300; i++) {
            trees.add(TestTrees.random(rnd, "t-" + i, services.get(i % 3), List.of("main", "load", "query", "render"), now, 5));
        }
        List<Rec> recs = new ArrayList<>();
        for (HiQTree t : trees) recs.add(new Rec(null, t.id().getBytes(StandardCharsets.UTF_8), TestTrees.bytes(t)));
        Kafka.send(broker.getBrokersAsString(), "trees", recs);

        try (ConsumerService svc = new ConsumerService(settings(home, "trees", "g-ingest")).start()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> svc.store().treeCount() == trees.size());
            String base = svc.baseUrl();
            assertThat(Http.up(base)).isTrue();

            Set<String> ids = new HashSet<>();
            svc.store().forEachTreeJson(j -> ids.add(decode(j).id()));
            assertThat(ids).hasSize(trees.size()).containsAll(trees.stream().map(HiQTree::id).toList());
            StatsCheck.assertMatches(Http.json(base + "/api/stats"), trees);
            StatsCheck.assertMatches(Http.json(base + "/api/stats?service=billing"),
                    trees.stream().filter(t -> t.service().equals("billing")).toList());
            // /metrics: these trees are recent, so the summary's quantiles cover all of them
            List<HiQTree> billing = trees.stream().filter(t -> t.service().equals("billing")).toList();
            List<Long> spans = TestTrees.spansByTag(billing).get("query");
            String metrics = Http.get(base + "/metrics").body();
            assertThat(metrics).contains("hiq_query_count{service=\"billing\"} " + spans.size() + "\n");
            java.util.regex.Matcher p99 = java.util.regex.Pattern
                    .compile("hiq_query\\{service=\"billing\",quantile=\"0.99\"\\} (\\S+)\n").matcher(metrics);
            assertThat(p99.find()).isTrue();
            double exact = StatsCheck.exactPercentile(spans, 99) / 1e9;
            assertThat(Double.parseDouble(p99.group(1))).isBetween(exact, exact * 1.01);

            // redelivery: the same trees again (one of them twice in a row) → nothing changes
            List<Rec> again = new ArrayList<>(recs);
            again.add(recs.get(0));
            Kafka.send(broker.getBrokersAsString(), "trees", again);
            await().atMost(Duration.ofSeconds(30)).until(() -> svc.metrics().duplicates() == again.size());
            assertThat(svc.store().treeCount()).isEqualTo(trees.size());
            assertThat(svc.metrics().ingested()).isEqualTo(trees.size());
            StatsCheck.assertMatches(Http.json(base + "/api/stats"), trees);
        }

        // a new group on the same store re-reads everything from the earliest offset: still exact
        try (ConsumerService svc = new ConsumerService(settings(home, "trees", "g-ingest-2")).start()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> svc.metrics().records() == 2L * trees.size() + 1);
            assertThat(svc.metrics().ingested()).isZero();
            assertThat(svc.store().treeCount()).isEqualTo(trees.size());
            StatsCheck.assertMatches(Http.json(svc.baseUrl() + "/api/stats"), trees);
        }
    }

    @Test
    void poisonRecordsBecomeDeadLettersAndTheServiceGoesOn(@TempDir Path home) throws Exception {
        Random rnd = new Random(11);
        long now = System.currentTimeMillis() * 1000;
        HiQTree before = TestTrees.random(rnd, "good-1", "svc", List.of("a", "b"), now, 1);
        HiQTree after = TestTrees.random(rnd, "good-2", "svc", List.of("a", "b"), now, 1);
        byte[] garbage = new byte[300];
        rnd.nextBytes(garbage);
        byte[] good = TestTrees.bytes(before);
        byte[] junk = new byte[1_000_000 - 200];
        Arrays.fill(junk, (byte) '{');
        String otherSchema = TreeCodec.encodeToString(after).replace("hiq.tree/1", "hiq.tree/2").replace("good-2", "other-schema");
        List<byte[]> poison = Arrays.asList(
                garbage,                                                      // garbage bytes
                Arrays.copyOf(good, good.length / 2),                         // truncated JSON
                new byte[0],                                                  // empty value
                null,                                                         // tombstone
                "null".getBytes(StandardCharsets.UTF_8),                      // JSON null
                "{\"hello\":\"world\",\"list\":[1,2,3]}".getBytes(StandardCharsets.UTF_8), // another shape
                "[1,2,3]".getBytes(StandardCharsets.UTF_8),                   // not an object
                otherSchema.getBytes(StandardCharsets.UTF_8),                 // another schema
                junk);                                                        // close to 1 MB of junk
        List<Rec> recs = new ArrayList<>();
        recs.add(new Rec(0, null, good));
        for (byte[] p : poison) recs.add(new Rec(0, null, p));
        recs.add(new Rec(0, null, TestTrees.bytes(after)));
        Kafka.send(broker.getBrokersAsString(), "poison", recs);

        try (ConsumerService svc = new ConsumerService(settings(home, "poison", "g-poison")).start()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> svc.store().treeCount() == 2 && svc.deadLetters().count() == poison.size());
            Path file = home.resolve("consumer/dead-letter.jsonl");
            List<String> lines = Files.readAllLines(file);
            assertThat(lines).hasSize(poison.size());
            for (int i = 0; i < lines.size(); i++) {
                JsonNode dl = TreeCodec.mapper().readTree(lines.get(i));
                assertThat(dl.get("topic").asText()).isEqualTo("poison");
                assertThat(dl.get("partition").asInt()).isZero();
                assertThat(dl.get("offset").asLong()).isEqualTo(i + 1L);
                assertThat(dl.get("reason").asText()).isNotBlank();
                byte[] value = poison.get(i);
                if (value != null) {
                    byte[] first = Base64.getDecoder().decode(dl.get("first_bytes_base64").asText());
                    assertThat(first).isEqualTo(Arrays.copyOf(value, Math.min(256, value.length)));
                    assertThat(dl.get("size").asLong()).isEqualTo(value.length);
                }
            }
            assertThat(TreeCodec.mapper().readTree(lines.get(3)).get("reason").asText()).contains("tombstone");
            assertThat(TreeCodec.mapper().readTree(lines.get(7)).get("reason").asText()).contains("schema");
            assertThat(Http.up(svc.baseUrl())).isTrue();
            String metrics = Http.get(svc.baseUrl() + "/metrics").body();
            assertThat(metrics).contains("hiq_consumer_dead_letters_total " + poison.size() + "\n");
            assertThat(metrics).contains("hiq_consumer_trees_ingested_total 2\n");
            assertThat(svc.store().treeJson("good-2")).isNotNull();
            assertThat(svc.store().treeJson("other-schema")).isNull();
            // the offsets were committed past the poison: nothing left to consume
            await().atMost(Duration.ofSeconds(10)).until(() -> svc.metrics().lag() == 0);
        }
    }

    private static HiQTree decode(String json) {
        try {
            return TreeCodec.decode(json);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
