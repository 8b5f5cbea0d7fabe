package io.hiq.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.hiq.consumer.store.TagStats;
import io.hiq.consumer.store.TreeStore;
import io.hiq.consumer.support.TestBroker;
import io.hiq.consumer.support.Http;
import io.hiq.consumer.support.Kafka;
import io.hiq.consumer.support.Kafka.Rec;
import io.hiq.consumer.support.TestTrees;
import io.hiq.tree.HiQTree;
import io.hiq.tree.TreeCodec;
import java.io.File;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * The service as a real separate process ({@code ConsumerMain} on this class path), killed with
 * SIGKILL in the middle of ingestion and started again on the same store: no tree lost, none counted
 * twice (the roll-ups equal a fresh recount from the raw trees), and SIGTERM stops it cleanly.
 */
class KillNineTest {
    private static final int N = 4000;
    private static EmbeddedKafkaKraftBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = TestBroker.start(new NewTopic("kill", 2, (short) 1));
    }

    @AfterAll
    static void stopBroker() { broker.destroy(); }

    private static Process launch(Path home, int port, String store, Path props, Path log) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                ConsumerMain.class.getName(), "--bootstrap", broker.getBrokersAsString(), "--topic", "kill",
                "--group", "g-kill", "--http", "127.0.0.1:" + port, "--store", store);
        pb.environment().put("HIQ_HOME", home.toString());
        pb.environment().put("HIQ_KAFKA_PROPS", props.toString());
        pb.environment().remove("HIQ_CONSUMER_TOKEN");
        pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        return pb.start();
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void killedMidIngestionThenRestartedLosesNothingAndCountsNothingTwice(@TempDir Path home) throws Exception {
        Random rnd = new Random(99);
        long now = System.currentTimeMillis() * 1000;
        List<HiQTree> trees = new ArrayList<>();
        List<Rec> recs = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            HiQTree t = TestTrees.random(rnd, "k-" + i, "svc", List.of("main", "step", "io"), now, 2);
            trees.add(t);
            recs.add(new Rec(null, t.id().getBytes(StandardCharsets.UTF_8), TestTrees.bytes(t)));
        }
        Kafka.send(broker.getBrokersAsString(), "kill", recs);
        Path props = home.resolve("kafka.properties");
        Files.writeString(props, "# small batches so that the kill lands in the middle of ingestion\nmax.poll.records=5\n# the killed member is evicted after this (the default, 45 s, would only slow the test)\nsession.timeout.ms=6000\nheartbeat.interval.ms=1000\n");
        String store = ConsumerSettings.defaultStoreUrl(home);
        Path log = home.resolve("consumer.log");
        int port = freePort();
        String base = "http://127.0.0.1:" + port;

        Process first = launch(home, port, store, props, log);
        long atKill;
        try {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() -> Http.treesStored(base) > 0);
            first.destroyForcibly(); // SIGKILL: no shutdown hook, no clean close of the store or the group
            atKill = Http.treesStored(base);
            assertThat(first.waitFor(10, TimeUnit.SECONDS)).isTrue();
        } finally {
            first.destroyForcibly();
        }
        assertThat(first.exitValue()).isEqualTo(137); // 128 + SIGKILL
        Files.writeString(home.resolve("consumer.log"), "\n--- restarted ---\n", java.nio.file.StandardOpenOption.APPEND);

        Process second = launch(home, port, store, props, log);
        try {
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100)).until(() -> Http.treesStored(base) == N);
            JsonNode health = Http.json(base + "/health");
            assertThat(health.get("status").asText()).isEqualTo("UP");
        } finally {
            second.destroy(); // SIGTERM: the service leaves the group and closes the store
        }
        assertThat(second.waitFor(30, TimeUnit.SECONDS)).as("stops on SIGTERM").isTrue();
        String output = Files.readString(log);
        assertThat(output).contains("serving http://127.0.0.1:" + port);
        assertThat(output).as("an orderly shutdown").doesNotContain("flush failed").doesNotContain("ERROR");
        // ... which committed every offset it had stored
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString()))) {
            long committed = admin.listConsumerGroupOffsets("g-kill").partitionsToOffsetAndMetadata().get().values()
                    .stream().mapToLong(OffsetAndMetadata::offset).sum();
            assertThat(committed).isEqualTo(N);
        }
        assertThat(atKill).as("killed before the end of ingestion").isLessThan(N);

        try (TreeStore s = TreeStore.open(store)) {
            List<HiQTree> stored = new ArrayList<>();
            s.forEachTreeJson(j -> {
                try {
                    stored.add(TreeCodec.decode(j));
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            Set<String> ids = new HashSet<>();
            stored.forEach(t -> ids.add(t.id()));
            assertThat(ids).hasSize(N);
            assertThat(stored).hasSize(N);
            // roll-ups equal a fresh recount from the raw trees: nothing counted twice
            Map<String, Long> recount = TestTrees.countsByTag(stored);
            Map<String, Long> rolled = new TreeMap<>();
            Map<String, Double> sums = new TreeMap<>();
            for (TagStats t : s.stats(null, null, null)) {
                rolled.put(t.tag(), t.count());
                sums.put(t.tag(), t.sumMs());
            }
            assertThat(rolled).isEqualTo(recount).isEqualTo(TestTrees.countsByTag(trees));
            TestTrees.spansByTag(trees).forEach((tag, spans) ->
                    assertThat(sums.get(tag)).isCloseTo(spans.stream().mapToLong(Long::longValue).sum() / 1e6,
                            org.assertj.core.data.Offset.offset(1e-6)));
        }
    }
}
