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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * Exit with an unreachable broker: the outage is reported with its real cause (not the closed
 * producer's message), Jack keeps probing until the deadline, and one line says how many trees
 * stay where. A broker that answers before the deadline gets every spooled tree before the exit.
 */
class ExitDrainTest {
    static final String TOPIC = "hiq-exit";
    @TempDir Path home;

    TestContext jack(String bootstrap) throws java.io.IOException {
        Map<String, String> vars = new HashMap<>();
        vars.put("JACK", "1");
        vars.put("HIQ_HOME", home.toString());
        vars.put("HIQ_KAFKA_BOOTSTRAP", bootstrap);
        vars.put("HIQ_KAFKA_TOPIC", TOPIC);
        vars.put("NO_JACK_LOG", "1");
        // a broker started later has its own address: find it through the bootstrap address again soon
        Path props = home.resolve("producer.properties");
        Files.writeString(props, "metadata.recovery.rebootstrap.trigger.ms=2000\n");
        vars.put("HIQ_KAFKA_PROPS", props.toString());
        TestContext ctx = new TestContext(vars);
        assertThat(new JackExtension().start(ctx)).isTrue();
        return ctx;
    }

    @Test
    void anUnreachableBrokerIsReportedWithItsRealCause() throws Exception {
        try (StderrCapture err = new StderrCapture()) {
            TestContext ctx = jack("127.0.0.1:1");
            ctx.deliver(TestTrees.trees(10));
            long t0 = System.nanoTime();
            ctx.exit(2_500);
            long tookMs = (System.nanoTime() - t0) / 1_000_000;
            // it kept probing until the deadline instead of giving up at the first failed probe
            assertThat(tookMs).as("exit took (ms)").isGreaterThanOrEqualTo(2_300);
            assertThat(ctx.counters().get("JackSpoolPending")).isEqualTo(10);
            String text = err.text();
            assertThat(text).contains("connection refused to 127.0.0.1:1");
            assertThat(text).doesNotContain("after producer has been closed");
            assertThat(err.lines("hiq: jack:").stream().filter(l -> l.contains("trees stay in"))).hasSize(1);
        }
    }

    @Test
    void aBrokerBackBeforeTheDeadlineGetsEverySpooledTreeBeforeTheExit() throws Exception {
        EmbeddedKafkaKraftBroker broker = null;
        try (PortForwarder door = new PortForwarder(); StderrCapture err = new StderrCapture()) {
            TestContext ctx = jack("127.0.0.1:" + door.port());
            List<HiQTree> trees = TestTrees.trees(3000);
            for (int i = 0; i < trees.size(); i += 100) ctx.deliver(trees.subList(i, i + 100));
            await("every tree spooled while nothing listens").atMost(Duration.ofSeconds(30))
                    .until(() -> ctx.counters().get("JackSpooled") == trees.size());

            // the exit starts while nothing listens; the broker comes a few seconds later
            long deadlineMs = 90_000;
            long[] tookMs = {-1};
            Thread exit = new Thread(() -> {
                long t0 = System.nanoTime();
                ctx.exit(deadlineMs);
                tookMs[0] = (System.nanoTime() - t0) / 1_000_000;
            }, "test-exit");
            exit.start();
            broker = new EmbeddedKafkaKraftBroker(1, 2, TOPIC);
            broker.afterPropertiesSet();
            String servers = broker.getBrokersAsString();
            door.openTo(Integer.parseInt(servers.substring(servers.lastIndexOf(':') + 1)));
            exit.join(deadlineMs + 30_000);
            assertThat(exit.isAlive()).isFalse();
            // done as soon as everything was delivered, not at the deadline
            assertThat(tookMs[0]).as("exit took (ms)").isLessThan(deadlineMs);
            assertThat(ctx.counters().get("JackSpoolPending")).isZero();
            assertThat(ctx.counters().get("JackReplayed")).isEqualTo(trees.size());
            assertThat(ctx.counters().get("JackFailed")).isZero();
            assertThat(err.text()).doesNotContain("trees stay in");
            try (TopicReader reader = new TopicReader(servers, TOPIC, 2)) {
                await("every tree on the topic").atMost(Duration.ofSeconds(60)).until(() -> {
                    reader.poll();
                    return trees.stream().allMatch(t -> reader.byKey.containsKey(t.id()));
                });
            }
        } finally {
            if (broker != null) broker.destroy();
        }
    }
}
