package io.hiq.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hiq.consumer.support.TestBroker;
import io.hiq.consumer.support.Http;
import io.hiq.consumer.support.Kafka;
import io.hiq.consumer.support.Kafka.Rec;
import io.hiq.consumer.support.TestTrees;
import io.hiq.tree.HiQTree;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * The service in a 64 MiB heap (a separate process) ingesting a backlog that fills every poll:
 * what a poll holds is bounded by what is fetched, and the fetch sizes follow the heap — with
 * 4 MiB per partition whatever the heap, this run ended in {@code OutOfMemoryError}s (survived,
 * nothing lost, but one may strike any thread of the service).
 */
class SmallHeapConsumerTest {
    private static final int N = 30_000;
    private static EmbeddedKafkaKraftBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = TestBroker.start(new NewTopic("small", 4, (short) 1));
    }

    @AfterAll
    static void stopBroker() { broker.destroy(); }

    @Test
    void aBacklogIsIngestedInA64MiBHeapWithoutRunningOutOfMemory(@TempDir Path home) throws Exception {
        Random rnd = new Random(5);
        long now = System.currentTimeMillis() * 1000;
        String pad = "x".repeat(1_000); // ~1.4 KB per tree, as a traced HTTP handler's with its extras
        List<Rec> recs = new ArrayList<>(N);
        for (int i = 0; i < N; i++) {
            HiQTree t = TestTrees.random(rnd, "s-" + i, "svc", List.of("main", "step", "io"), now, 2);
            t.root().putExtra("note", pad);
            recs.add(new Rec(i % 4, t.id().getBytes(StandardCharsets.UTF_8), TestTrees.bytes(t)));
        }
        Kafka.send(broker.getBrokersAsString(), "small", recs);
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path log = home.resolve("consumer.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx64m", "-cp", System.getProperty("java.class.path"),
                ConsumerMain.class.getName(), "--bootstrap", broker.getBrokersAsString(), "--topic", "small",
                "--group", "g-small", "--http", "127.0.0.1:" + port);
        pb.environment().put("HIQ_HOME", home.toString());
        pb.environment().remove("HIQ_CONSUMER_TOKEN");
        pb.environment().remove("HIQ_KAFKA_PROPS");
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        Process service = pb.start();
        String base = "http://127.0.0.1:" + port;
        try {
            await("all " + N + " trees stored by the service in a 64 MiB heap").atMost(Duration.ofSeconds(180))
                    .pollInterval(Duration.ofMillis(200)).until(() -> Http.treesStored(base) == N);
        } finally {
            service.destroy();
            assertThat(service.waitFor(30, TimeUnit.SECONDS)).as("stops on SIGTERM").isTrue();
        }
        assertThat(Files.readString(log)).as("the service's output").doesNotContain("OutOfMemoryError");
    }
}
