package io.hiq.jack.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hiq.jack.JackExtension;
import io.hiq.jack.support.PortForwarder;
import io.hiq.jack.support.StderrCapture;
import io.hiq.jack.support.TestContext;
import io.hiq.jack.support.TestTrees;
import io.hiq.jack.support.TopicReader;
import io.hiq.tree.HiQTree;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * A broker that accepts connections but answers late at start — what Jack's producer sees when its
 * own I/O thread is starved on a loaded machine (its first metadata came 7 to 20 s after it was
 * created at a load of 20 on 2 cores) — is waited for, not taken for an outage: the trees go
 * directly to the topic, none through the spool. One that never answers is given up on after
 * {@code delivery.timeout.ms} (at least 15 s), with the line that says so, and loses nothing.
 */
class SlowBrokerAtStartTest {
    static final String TOPIC = "hiq-slow-start";

    @TempDir Path home;
    EmbeddedKafkaKraftBroker broker;
    PortForwarder door;

    @BeforeEach
    void start() throws IOException {
        broker = new EmbeddedKafkaKraftBroker(1, 2, TOPIC);
        broker.afterPropertiesSet();
        String servers = broker.getBrokersAsString();
        door = new PortForwarder();
        door.openTo(Integer.parseInt(servers.substring(servers.lastIndexOf(':') + 1)));
    }

    @AfterEach
    void stop() throws IOException {
        door.close();
        broker.destroy();
    }

    TestContext jack(String producerProps) throws IOException {
        Path props = home.resolve("producer.properties");
        Files.writeString(props, producerProps);
        TestContext ctx = new TestContext(Map.of("JACK", "1", "HIQ_HOME", home.toString(), "NO_JACK_LOG", "1",
                "HIQ_KAFKA_BOOTSTRAP", "127.0.0.1:" + door.port(), "HIQ_KAFKA_TOPIC", TOPIC,
                "HIQ_KAFKA_PROPS", props.toString()));
        assertThat(new JackExtension().start(ctx)).isTrue();
        return ctx;
    }

    static void awaitOnTopic(String bootstrap, List<HiQTree> trees) {
        try (TopicReader reader = new TopicReader(bootstrap, TOPIC, 2)) {
            await("all trees on the topic").atMost(Duration.ofSeconds(60)).until(() -> {
                reader.poll();
                return trees.stream().allMatch(t -> reader.byKey.containsKey(t.id()));
            });
        }
    }

    @Test
    void aBrokerThatAnswersLateAtStartIsWaitedForAndTheTreesGoDirectly() throws Exception {
        // 9 s: more than the 5 s (+ max.block.ms) after which Jack used to declare the broker down,
        // less than Jack's delivery.timeout.ms (15 s)
        door.holdAnswersUntil(System.nanoTime() + TimeUnit.SECONDS.toNanos(9));
        try (StderrCapture err = new StderrCapture()) {
            TestContext ctx = jack("");
            List<HiQTree> trees = TestTrees.trees(300);
            ctx.deliver(trees);
            await("the trees delivered or spooled").atMost(Duration.ofSeconds(60))
                    .until(() -> ctx.counters().get("JackPublished") + ctx.counters().get("JackSpooled") >= trees.size());
            assertThat(err.lines("hiq: jack:")).as("Jack's lines").isEmpty();
            assertThat(ctx.counters().get("JackSpooled")).as("trees spooled").isZero();
            assertThat(ctx.counters().get("JackPublished")).as("trees delivered directly").isEqualTo(trees.size());
            awaitOnTopic(broker.getBrokersAsString(), trees);
            ctx.exit(15_000);
        }
    }

    @Test
    void aBrokerThatNeverAnswersIsGivenUpOnAfterTheWarmUpBoundAndNothingIsLost() throws Exception {
        door.holdAnswersUntil(System.nanoTime() + TimeUnit.HOURS.toNanos(1));
        try (StderrCapture err = new StderrCapture()) {
            long t0 = System.nanoTime();
            // a delivery timeout shorter than Jack's 15 s does not shorten the wait for the first metadata
            TestContext ctx = jack("delivery.timeout.ms=8000\n");
            List<HiQTree> trees = TestTrees.trees(200);
            ctx.deliver(trees);
            await("the trees spooled").atMost(Duration.ofSeconds(60))
                    .until(() -> ctx.counters().get("JackSpooled") == trees.size());
            // not given up on after the 5 s a refused connection gets: after 15 s
            assertThat(System.nanoTime() - t0).as("time until spooled").isGreaterThanOrEqualTo(TimeUnit.SECONDS.toNanos(15));
            assertThat(err.lines("hiq: jack: kafka: cannot deliver")).singleElement().asString()
                    .contains("127.0.0.1:" + door.port() + " accepts connections but does not answer as the broker expected");
            assertThat(ctx.counters().get("JackPublished")).isZero();

            door.holdAnswersUntil(System.nanoTime()); // it answers now: the spool is replayed
            awaitOnTopic(broker.getBrokersAsString(), trees);
            await("the spool replayed").atMost(Duration.ofSeconds(30)).until(() -> ctx.counters().get("JackSpoolPending") == 0);
            assertThat(ctx.counters().get("JackReplayed")).isEqualTo(trees.size());
            ctx.exit(15_000);
        }
    }
}
