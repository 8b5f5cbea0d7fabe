package io.hiq.jack.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hiq.jack.JackExtension;
import io.hiq.jack.pipeline.JackPipeline;
import io.hiq.jack.support.StderrCapture;
import io.hiq.jack.support.TestContext;
import io.hiq.jack.support.TestTrees;
import io.hiq.jack.support.TopicReader;
import io.hiq.tree.HiQTree;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * The in-flight byte budget against a broker whose acknowledgements come late: the producer holds
 * every batch {@code linger.ms} before sending it (as a slow broker or link would make Jack wait),
 * and its {@code buffer.memory} is small, so that the budget (half of it) is spent after a few
 * hundred trees. Jack must wait for acknowledgements, spool only when the wait ({@code request.timeout.ms})
 * ends first, never call the broker down, and count every tree exactly once.
 */
class SlowAcknowledgementTest {
    static EmbeddedKafkaKraftBroker broker;

    @TempDir Path home;

    @BeforeAll
    static void startBroker() {
        broker = new EmbeddedKafkaKraftBroker(1, 2);
        broker.afterPropertiesSet();
    }

    @AfterAll
    static void stopBroker() {
        broker.destroy();
    }

    private TestContext start(String topic, String producerProps) throws Exception {
        broker.addTopics(topic);
        Path props = home.resolve("producer-" + topic + ".properties");
        Files.writeString(props, producerProps);
        Map<String, String> vars = new HashMap<>();
        vars.put("JACK", "1");
        vars.put("NO_JACK_LOG", "1");
        vars.put("HIQ_HOME", home.resolve(topic).toString());
        vars.put("HIQ_KAFKA_BOOTSTRAP", broker.getBrokersAsString());
        vars.put("HIQ_KAFKA_TOPIC", topic);
        vars.put("HIQ_KAFKA_PROPS", props.toString());
        TestContext ctx = new TestContext(vars);
        assertThat(new JackExtension().start(ctx)).isTrue();
        return ctx;
    }

    private static KafkaTreePublisher publisher(TestContext ctx) {
        JackPipeline p = (JackPipeline) ctx.sink();
        await("the batcher creating the publisher").atMost(Duration.ofSeconds(60)).until(() -> p.publisher() != null);
        return (KafkaTreePublisher) p.publisher();
    }

    /** Every tree in the topic exactly once. */
    private static void assertTopicHoldsEachOnce(String topic, List<HiQTree> trees) {
        try (TopicReader reader = new TopicReader(broker.getBrokersAsString(), topic, 2)) {
            Set<String> ids = new HashSet<>();
            for (HiQTree t : trees) ids.add(t.id());
            await("all " + trees.size() + " trees in " + topic).atMost(Duration.ofSeconds(60)).until(() -> {
                reader.poll();
                return reader.byKey.keySet().containsAll(ids);
            });
            reader.poll(); // a duplicate written after the last one we waited for
            assertThat(reader.records).as("records in the topic (a duplicate would be more)").isEqualTo(trees.size());
        }
    }

    private static void deliverInBatches(TestContext ctx, List<HiQTree> trees) {
        for (int i = 0; i < trees.size(); i += 100) ctx.deliver(trees.subList(i, Math.min(trees.size(), i + 100)));
    }

    @Test
    void aSpentBudgetWaitsForAcknowledgementsThenSpoolsWhatCouldNotWaitAndLosesNothing() throws Exception {
        String topic = "slow-" + UUID.randomUUID().toString().substring(0, 8);
        // budget = 256 KiB (half the buffer); each batch waits 3 s for the broker; Jack waits 1 s
        // (request.timeout.ms: a request takes that long at most, the lingering batches are not sent yet)
        try (StderrCapture err = new StderrCapture()) {
            TestContext ctx = start(topic, "buffer.memory=524288\nbatch.size=65536\nlinger.ms=3000\nrequest.timeout.ms=1000\n");
            KafkaTreePublisher pub = publisher(ctx);
            assertThat(pub.budget().limit()).isEqualTo(256 * 1024);
            List<HiQTree> trees = TestTrees.trees(6000); // about 2 MB of JSON: 8 budgets
            deliverInBatches(ctx, trees);
            await("every tree delivered, live or replayed").atMost(Duration.ofSeconds(120))
                    .until(() -> ctx.counters().get("JackPublished") + ctx.counters().get("JackReplayed") == trees.size());
            assertThat(pub.budget().waits()).as("times the batcher waited for acknowledgements").isPositive();
            assertThat(pub.budget().timeouts()).as("waits that ended first: those batches were spooled").isPositive();
            assertThat(ctx.counters().get("JackSpooled")).isPositive();
            ctx.exit(30_000);
            assertThat(ctx.counters().get("JackPublished") + ctx.counters().get("JackReplayed")).isEqualTo(trees.size());
            assertThat(ctx.counters().get("JackReplayed")).isEqualTo(ctx.counters().get("JackSpooled"));
            assertThat(ctx.counters().get("JackFailed")).isZero();
            assertThat(ctx.counters().get("JackSpoolPending")).isZero();
            assertThat(pub.budget().used()).as("bytes still counted in flight").isZero();
            // slow is not down: no "cannot deliver" line, no outage reported
            assertThat(err.text()).doesNotContain("cannot deliver");
            assertTopicHoldsEachOnce(topic, trees);
        }
    }

    @Test
    void aSlowBrokerWithinTheWaitIsWaitedForAndNothingIsSpooled() throws Exception {
        String topic = "wait-" + UUID.randomUUID().toString().substring(0, 8);
        // each batch waits 200 ms for the broker; Jack may wait up to 10 s (request.timeout.ms; linger + it must stay within delivery.timeout.ms) for room
        try (StderrCapture err = new StderrCapture()) {
            TestContext ctx = start(topic, "buffer.memory=524288\nbatch.size=65536\nlinger.ms=200\nrequest.timeout.ms=10000\n");
            KafkaTreePublisher pub = publisher(ctx);
            List<HiQTree> trees = TestTrees.trees(3000);
            deliverInBatches(ctx, trees);
            await("every tree published").atMost(Duration.ofSeconds(120))
                    .until(() -> ctx.counters().get("JackPublished") == trees.size());
            assertThat(pub.budget().waits()).as("times the batcher waited for acknowledgements").isPositive();
            assertThat(pub.budget().timeouts()).isZero();
            assertThat(ctx.counters().get("JackSpooled")).isZero();
            ctx.exit(30_000);
            assertThat(ctx.counters().get("JackReplayed")).isZero();
            assertThat(ctx.counters().get("JackFailed")).isZero();
            assertThat(err.text()).doesNotContain("cannot deliver");
            assertTopicHoldsEachOnce(topic, trees);
        }
    }
}
