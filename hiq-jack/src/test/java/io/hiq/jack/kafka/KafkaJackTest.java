package io.hiq.jack.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hiq.jack.JackExtension;
import io.hiq.jack.support.TestContext;
import io.hiq.jack.support.TestTrees;
import io.hiq.jack.support.TopicReader;
import io.hiq.tree.HiQTree;
import io.hiq.tree.TreeCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/** Jack against a real in-process KRaft broker (one for the class), driven as the runtime drives it. */
class KafkaJackTest {
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

    private String newTopic() {
        String topic = "hiq-" + UUID.randomUUID().toString().substring(0, 8);
        broker.addTopics(topic);
        return topic;
    }

    private TestContext start(String topic, Map<String, String> extra) {
        Map<String, String> vars = new HashMap<>();
        vars.put("JACK", "1");
        vars.put("HIQ_HOME", home.toString());
        vars.put("HIQ_KAFKA_BOOTSTRAP", broker.getBrokersAsString());
        vars.put("HIQ_KAFKA_TOPIC", topic);
        vars.putAll(extra);
        TestContext ctx = new TestContext(vars);
        assertThat(new JackExtension().start(ctx)).isTrue();
        return ctx;
    }

    @Test
    void everyTreeArrivesAsB4KeyedById() throws Exception {
        String topic = newTopic();
        TestContext ctx = start(topic, Map.of());
        List<HiQTree> trees = TestTrees.trees(500);
        ctx.deliver(trees.subList(0, 250));
        ctx.deliver(trees.subList(250, 500));
        try (TopicReader reader = new TopicReader(broker.getBrokersAsString(), topic, 2)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> reader.poll() >= trees.size());
            assertThat(reader.byKey).hasSize(trees.size());
            for (HiQTree t : trees) {
                byte[] value = reader.byKey.get(t.id());
                assertThat(value).as("tree %s on the topic", t.id()).isNotNull();
                // exactly the B4 bytes, and they decode to the same tree
                assertThat(new String(value, StandardCharsets.UTF_8)).isEqualTo(TreeCodec.encodeToString(t));
                HiQTree back = TreeCodec.decode(value);
                assertThat(back.id()).isEqualTo(t.id());
                assertThat(back.root().size()).isEqualTo(t.root().size());
                assertThat(back.root().children().get(1).extra()).isEqualTo(t.root().children().get(1).extra());
            }
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> ctx.counters().get("JackPublished") == trees.size());
        assertThat(ctx.counters().get("JackSpooled")).isZero();
        assertThat(ctx.counters().get("JackFailed")).isZero();
        ctx.exit(15_000);

        // the jack log holds every tree once, one bare B4 line each
        List<String> lines = Files.readAllLines(home.resolve("log_jack.log"));
        assertThat(lines).hasSize(trees.size());
        for (int i = 0; i < trees.size(); i++) assertThat(lines.get(i)).isEqualTo(TreeCodec.encodeToString(trees.get(i)));
    }

    @Test
    void flushAtExitDeliversEverythingAcceptedJustBefore() throws Exception {
        String topic = newTopic();
        TestContext ctx = start(topic, Map.of("NO_JACK_LOG", ""));
        List<HiQTree> trees = TestTrees.trees(3000);
        ctx.deliver(trees);
        ctx.exit(15_000); // at once, as a JVM that exits right after its last traced call (generous: CI machines are shared)
        assertThat(ctx.counters().get("JackPublished") + ctx.counters().get("JackReplayed")).isEqualTo(trees.size());
        try (TopicReader reader = new TopicReader(broker.getBrokersAsString(), topic, 2)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> reader.poll() >= trees.size());
            for (HiQTree t : trees) assertThat(reader.byKey).containsKey(t.id());
        }
        // NO_JACK_LOG: no jack log at all
        assertThat(home.resolve("log_jack.log")).doesNotExist();
    }

    @Test
    void treeLargerThanTheLimitIsCountedAndKeptNotDropped() throws Exception {
        String topic = newTopic();
        TestContext ctx = start(topic, Map.of());
        HiQTree small = TestTrees.tree("small-" + UUID.randomUUID(), 2, 0);
        HiQTree huge = TestTrees.tree("huge-" + UUID.randomUUID(), 2, 2 * 1024 * 1024);
        ctx.deliver(List.of(small, huge));
        ctx.exit(15_000);
        assertThat(ctx.counters().get("JackFailed")).isEqualTo(1);
        assertThat(ctx.counters().get("JackPublished")).isEqualTo(1);
        List<String> rejected = Files.readAllLines(home.resolve("spool").resolve("rejected.jsonl"));
        // never encoded whole (the encoder stopped at the limit): a one-line note names it
        assertThat(rejected).hasSize(1);
        assertThat(rejected.get(0)).contains(huge.id()).contains("more than 1000000 bytes").hasSizeLessThan(200);
        List<String> lines = Files.readAllLines(home.resolve("log_jack.log"));
        assertThat(lines).containsExactly(TreeCodec.encodeToString(small));
        try (TopicReader reader = new TopicReader(broker.getBrokersAsString(), topic, 2)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> reader.poll() >= 1);
            assertThat(reader.byKey.keySet()).containsExactly(small.id());
        }
    }

    @Test
    void worksWhenTheStartingThreadCarriesAForeignContextClassLoader() throws Exception {
        // as in agent mode: HiQ starts on the application's thread, whose context loader does not
        // see Jack's libraries
        String topic = newTopic();
        Thread me = Thread.currentThread();
        ClassLoader before = me.getContextClassLoader();
        TestContext ctx;
        try (java.net.URLClassLoader foreign = new java.net.URLClassLoader(new java.net.URL[0], null)) {
            me.setContextClassLoader(foreign);
            ctx = start(topic, Map.of("NO_JACK_LOG", ""));
        } finally {
            me.setContextClassLoader(before);
        }
        List<HiQTree> trees = TestTrees.trees(50);
        ctx.deliver(trees);
        ctx.exit(15_000);
        assertThat(ctx.counters().get("JackPublished")).isEqualTo(trees.size());
    }

    @Test
    void jackIsOffWithoutJackFlag() {
        TestContext ctx = new TestContext(Map.of("HIQ_HOME", home.toString()));
        assertThat(new JackExtension().start(ctx)).isFalse();
        assertThat(ctx.sinks).isEmpty();
        assertThat(home.resolve("spool")).doesNotExist();
    }

    static List<String> ids(List<HiQTree> trees) {
        List<String> ids = new ArrayList<>();
        for (HiQTree t : trees) ids.add(t.id());
        return ids;
    }
}
