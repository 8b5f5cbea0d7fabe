package io.hiq.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hiq.tree.HiQNode;
import io.hiq.tree.HiQTree;
import io.hiq.tree.TreeCodec;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole pipeline, as separate processes the way a user runs them: {@code bin/hiq broker}, the
 * consumer service jar, and a traced program with {@code JACK=1} through {@code bin/hiq run}. The
 * service must store exactly the program's trees (by id) and its statistics must count exactly the
 * trees' spans per tag (issue 6).
 */
class PipelineEndToEndIT {
    static final Path CONSUMER_JAR = AgentIT.REPO.resolve("hiq-consumer/target/hiq-consumer.jar");
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path work;
    final List<Process> processes = new ArrayList<>();
    final HttpClient http = HttpClient.newHttpClient();

    static final String APP = """
            package pipe;
            public class Orders {
                public static void main(String[] args) throws Exception {
                    Thread[] ts = new Thread[4];
                    for (int t = 0; t < 4; t++) {
                        final int k = t;
                        ts[t] = new Thread(() -> { for (int i = 0; i < 250; i++) order(k * 1000 + i); }, "orders-" + t);
                        ts[t].start();
                    }
                    for (Thread t : ts) t.join();
                }
                static int order(int i) { int s = 0; for (int j = 0; j < 1 + i % 3; j++) s += price(i + j); return s + pay(s); }
                static int price(int i) { busy(); return i % 7; }
                static int pay(int s) { busy(); return s; }
                static void busy() { long end = System.nanoTime() + 20_000; while (System.nanoTime() < end) { } }
            }
            """;

    @AfterEach
    void stop() throws InterruptedException {
        for (Process p : processes) p.destroy();
        for (Process p : processes) p.waitFor();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    Process start(List<String> command, Map<String, String> env, String log) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(work.toFile())
                .redirectErrorStream(true).redirectOutput(work.resolve(log).toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        processes.add(p);
        return p;
    }

    JsonNode get(String url) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
    }

    @Test
    void everyTreeOfATracedProgramIsStoredOnceAndCountedExactly() throws Exception {
        assertThat(CONSUMER_JAR).exists();
        int kafkaPort = freePort();
        int httpPort = freePort();
        String topic = "hiq-e2e";
        Path home = work.resolve("home");
        Map<String, String> env = Map.of("HIQ_HOME", home.toString());

        start(List.of(AgentIT.BIN_HIQ.toString(), "broker", "--port", "" + kafkaPort, "--dir", work.resolve("kafka").toString()), env, "broker.log");
        await("the broker accepting connections on port " + kafkaPort).atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(250)).until(() -> {
            try (Socket ignored = new Socket(InetAddress.getLoopbackAddress(), kafkaPort)) {
                return true;
            } catch (IOException e) {
                return false;
            }
        });
        start(List.of(ExternalProgram.java(), "-jar", CONSUMER_JAR.toString(), "--bootstrap", "127.0.0.1:" + kafkaPort,
                "--topic", topic, "--http", "127.0.0.1:" + httpPort), env, "consumer.log");
        String base = "http://127.0.0.1:" + httpPort;
        await("the consumer's /health saying UP").atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500)).until(() -> {
            try {
                JsonNode h = get(base + "/health");
                return h != null && "UP".equals(h.path("status").asText());
            } catch (IOException e) {
                return false;
            }
        });

        ExternalProgram app = new ExternalProgram(work.resolve("app")).compile(Map.of("pipe/Orders.java", APP));
        Path conf = work.resolve("orders.conf");
        Files.writeString(conf, "pipe, Orders, order, order\npipe, Orders, price, price\npipe, Orders, pay, pay\n");
        Path treesFile = work.resolve("trees.jsonl");
        // HIQ_FLUSH_TIMEOUT: at exit the agent assembles, writes and publishes every tree within this
        // bound, then gives up (and says so). The program's 1 000 trees are mostly assembled at exit,
        // with cold code: ~1 s at a load of 20 for the trees file alone, more with Jack's Kafka client.
        // The default 5 s lost 25 trees once at a load of 22-30; this test is about completeness.
        long t0 = System.nanoTime();
        ExternalProgram.Result run = ExternalProgram.run(List.of(AgentIT.BIN_HIQ.toString(), "run", "--conf", conf.toString(),
                        "--mode", "verbose", "--trees", treesFile.toString(), "--", "-cp", app.classes().toString(), "pipe.Orders"),
                Map.of("HIQ_HOME", home.toString(), "JACK", "1", "HIQ_KAFKA_BOOTSTRAP", "127.0.0.1:" + kafkaPort,
                        "HIQ_KAFKA_TOPIC", topic, "HIQ_SERVICE", "orders-e2e", "HIQ_RING_POLICY", "block",
                        "HIQ_FLUSH_TIMEOUT", "120"), work, 300);
        // the figure of this run (start, 1 000 roots, drain at exit), in the test's output
        System.out.printf("PipelineEndToEndIT: traced program ran %.1f s (JVM start to exit)%n", (System.nanoTime() - t0) / 1e9);
        assertThat(run.exitCode()).as("exit code; stderr: %s", run.stderr()).isZero();
        assertThat(run.stderr()).as("the program's stderr").doesNotContain("hiq: exit:");

        List<HiQTree> produced = new ArrayList<>();
        for (String line : Files.readAllLines(treesFile, StandardCharsets.UTF_8)) produced.add(TreeCodec.decode(line));
        assertThat(produced).as("trees in the trees file; the program's stderr: %s", run.stderr()).hasSize(1000);
        Map<String, Long> spansPerTag = new HashMap<>();
        Set<String> ids = new HashSet<>();
        for (HiQTree t : produced) {
            ids.add(t.id());
            count(t.root(), spansPerTag);
        }

        long[] storedSoFar = {-1};
        try {
            await("the consumer storing all " + produced.size() + " trees").atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500))
                    .until(() -> (storedSoFar[0] = get(base + "/api/trees?limit=1&service=orders-e2e").path("total").asLong()) == produced.size());
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("the consumer stored " + storedSoFar[0] + " of " + produced.size() + " trees within 180 s; program stderr: "
                    + run.stderr() + "\nconsumer log (tail): " + tail(work.resolve("consumer.log")), e);
        }
        // every id the program produced is stored, with its exact content
        for (HiQTree t : produced.subList(0, 20)) {
            HttpResponse<String> stored = http.send(HttpRequest.newBuilder(URI.create(base + "/api/trees/" + t.id())).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(stored.statusCode()).isEqualTo(200);
            assertThat(TreeCodec.encodeToString(TreeCodec.decode(stored.body()))).isEqualTo(TreeCodec.encodeToString(t));
        }
        JsonNode stats = get(base + "/api/stats?service=orders-e2e");
        Map<String, Long> counted = new HashMap<>();
        for (JsonNode tag : stats.path("tags")) counted.put(tag.path("tag").asText(), tag.path("count").asLong());
        assertThat(counted).isEqualTo(spansPerTag);
        assertThat(ids).hasSize(produced.size());
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.exists(log) ? Files.readAllLines(log, StandardCharsets.UTF_8) : List.of();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }

    private static void count(HiQNode n, Map<String, Long> perTag) {
        perTag.merge(n.name(), 1L, Long::sum);
        for (HiQNode c : n.children()) count(c, perTag);
    }
}
