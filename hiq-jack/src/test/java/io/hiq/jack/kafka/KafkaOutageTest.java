package io.hiq.jack.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hiq.jack.JackExtension;
import io.hiq.jack.support.TestContext;
import io.hiq.jack.support.TestTrees;
import io.hiq.jack.support.TopicReader;
import io.hiq.tree.HiQTree;
import java.io.IOException;
import io.hiq.jack.support.PortForwarder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * Nothing lost when the broker is not there: trees produced while nothing listens (or while the
 * broker is stopped) are spooled and arrive once a broker runs on that address, also across a
 * restart of the traced program (same HIQ_HOME).
 */
class KafkaOutageTest {
    static final String TOPIC = "hiq-outage";

    @TempDir Path home;
    EmbeddedKafkaKraftBroker broker;

    PortForwarder door;

    @BeforeEach
    void door() throws IOException {
        door = new PortForwarder();
    }

    @AfterEach
    void stop() throws IOException {
        door.close();
        if (broker != null) broker.destroy();
    }

    /** Starts a broker and opens Jack's bootstrap address to it. */
    EmbeddedKafkaKraftBroker startBroker(PortForwarder door) throws IOException {
        EmbeddedKafkaKraftBroker b = new EmbeddedKafkaKraftBroker(1, 2, TOPIC);
        b.afterPropertiesSet();
        String servers = b.getBrokersAsString();
        door.openTo(Integer.parseInt(servers.substring(servers.lastIndexOf(':') + 1)));
        return b;
    }

    TestContext jack(int port) throws IOException {
        return jack(port, true);
    }

    TestContext jack(int port, boolean noJackLog) throws IOException {
        Map<String, String> vars = new HashMap<>();
        vars.put("JACK", "1");
        vars.put("HIQ_HOME", home.toString());
        vars.put("HIQ_KAFKA_BOOTSTRAP", "127.0.0.1:" + port);
        vars.put("HIQ_KAFKA_TOPIC", TOPIC);
        if (noJackLog) vars.put("NO_JACK_LOG", "1");
        // a replaced broker has a new address: find it through the bootstrap address again soon
        Path props = home.resolve("producer.properties");
        Files.writeString(props, "metadata.recovery.rebootstrap.trigger.ms=2000\n");
        vars.put("HIQ_KAFKA_PROPS", props.toString());
        TestContext ctx = new TestContext(vars);
        assertThat(new JackExtension().start(ctx)).isTrue();
        return ctx;
    }

    static void awaitAll(String bootstrap, List<HiQTree> trees) {
        try (TopicReader reader = new TopicReader(bootstrap, TOPIC, 2)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                reader.poll();
                return trees.stream().allMatch(t -> reader.byKey.containsKey(t.id()));
            });
        }
    }

    @Test
    void treesProducedWhileNoBrokerListensArriveOnceItStarts() throws Exception {
        int port = door.port();
        TestContext ctx = jack(port);
        List<HiQTree> trees = TestTrees.trees(3000);
        for (int i = 0; i < trees.size(); i += 100) ctx.deliver(trees.subList(i, i + 100));
        // every accept() returned while nothing listens; the trees wait in the spool
        await().atMost(Duration.ofSeconds(20)).until(() -> ctx.counters().get("JackSpooled") == trees.size());
        assertThat(ctx.counters().get("JackPublished")).isZero();

        broker = startBroker(door);
        awaitAll(broker.getBrokersAsString(), trees);
        await().atMost(Duration.ofSeconds(20)).until(() -> ctx.counters().get("JackReplayed") >= trees.size());
        assertThat(ctx.counters().get("JackSpoolPending")).isZero();
        assertThat(ctx.counters().get("JackFailed")).isZero();

        // delivery works again: new trees go straight through
        List<HiQTree> more = TestTrees.trees(200);
        ctx.deliver(more);
        awaitAll(broker.getBrokersAsString(), more);
        ctx.exit(15_000);
    }

    @Test
    void brokerStoppedWhileTreesAreProducedThenStartedAgain() throws Exception {
        int port = door.port();
        broker = startBroker(door);
        TestContext ctx = jack(port);
        List<HiQTree> before = TestTrees.trees(300);
        ctx.deliver(before);
        awaitAll(broker.getBrokersAsString(), before);

        broker.destroy();
        broker = null;
        door.close();
        List<HiQTree> during = TestTrees.trees(2000);
        for (int i = 0; i < during.size(); i += 100) ctx.deliver(during.subList(i, i + 100));
        // all of them were taken while the broker was down (nothing blocked the producing thread)
        await().atMost(Duration.ofSeconds(10)).until(() -> ctx.sink() instanceof io.hiq.jack.pipeline.JackPipeline p && p.backlog() == 0);

        broker = startBroker(door);
        List<HiQTree> after = TestTrees.trees(300);
        ctx.deliver(after);
        awaitAll(broker.getBrokersAsString(), during);
        awaitAll(broker.getBrokersAsString(), after);
        ctx.exit(15_000);
        assertThat(ctx.counters().get("JackFailed")).isZero();
    }

    @Test
    void whatCouldNotBeSentAtExitIsReplayedByTheNextRunWithTheSameHome() throws Exception {
        int port = door.port();
        TestContext first = jack(port);
        List<HiQTree> trees = TestTrees.trees(500);
        first.deliver(trees);
        first.exit(1500); // the JVM exits; the broker is unreachable
        assertThat(first.counters().get("JackSpooled")).isEqualTo(trees.size());
        assertThat(first.counters().get("JackPublished") + first.counters().get("JackReplayed")).isZero();

        broker = startBroker(door);
        TestContext second = jack(port); // the next run, same HIQ_HOME
        assertThat(second.counters().get("JackSpoolPending")).isEqualTo(trees.size());
        awaitAll(broker.getBrokersAsString(), trees);
        await().atMost(Duration.ofSeconds(20)).until(() -> second.counters().get("JackSpoolPending") == 0);
        assertThat(second.counters().get("JackReplayed")).isEqualTo(trees.size());
        second.exit(15_000);
    }

    @Test
    void twoProcessesSharingOneHomeKeepWholeLinesAndTheNextRunReplaysBothSpools() throws Exception {
        int port = door.port();
        TestContext a = jack(port, false);
        TestContext b = jack(port, false); // the spool is taken: b spools to spool/p<pid>/
        List<HiQTree> ta = TestTrees.trees(400);
        List<HiQTree> tb = TestTrees.trees(400);
        Thread other = new Thread(() -> {
            for (int i = 0; i < tb.size(); i += 20) b.deliver(tb.subList(i, i + 20));
        });
        other.start();
        for (int i = 0; i < ta.size(); i += 20) a.deliver(ta.subList(i, i + 20));
        other.join();
        a.exit(1500);
        b.exit(1500);
        // one jack log for both: every line whole, every tree once
        List<String> lines = Files.readAllLines(home.resolve("log_jack.log"));
        assertThat(lines).hasSize(ta.size() + tb.size());
        java.util.Set<String> ids = new java.util.HashSet<>();
        for (String l : lines) ids.add(io.hiq.tree.TreeCodec.decode(l).id());
        assertThat(ids).hasSize(ta.size() + tb.size());

        broker = startBroker(door);
        TestContext next = jack(port, true); // adopts b's spool
        awaitAll(broker.getBrokersAsString(), ta);
        awaitAll(broker.getBrokersAsString(), tb);
        next.exit(15_000);
    }
}
