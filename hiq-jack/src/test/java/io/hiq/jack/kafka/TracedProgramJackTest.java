package io.hiq.jack.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hiq.HiQ;
import io.hiq.core.runtime.HiQRuntime;
import io.hiq.core.runtime.Settings;
import io.hiq.core.tree.Mode;
import io.hiq.jack.app.Shop;
import io.hiq.jack.support.TopicReader;
import io.hiq.tree.HiQTree;
import io.hiq.tree.TreeCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * A traced program with {@code JACK=1} on HiQ's real runtime (driver mode, extensions found with
 * ServiceLoader) against a real broker: every completed tree arrives on the topic as B4, keyed by
 * id, including the trees completed right before the program closes HiQ (as at JVM exit).
 */
class TracedProgramJackTest {
    static final String TOPIC = "hiq-traced";
    static EmbeddedKafkaKraftBroker broker;

    @TempDir Path home;

    @BeforeAll
    static void startBroker() {
        broker = new EmbeddedKafkaKraftBroker(1, 2, TOPIC);
        broker.afterPropertiesSet();
    }

    @AfterAll
    static void stopBroker() {
        broker.destroy();
    }

    @Test
    void everyCompletedTreeArrivesAsB4KeyedByIdEvenRightBeforeExit() throws Exception {
        Settings settings = Settings.of(Map.of(
                "JACK", "1",
                "HIQ_HOME", home.toString(),
                "HIQ_KAFKA_BOOTSTRAP", broker.getBrokersAsString(),
                "HIQ_KAFKA_TOPIC", TOPIC,
                "HIQ_FLUSH_TIMEOUT", "15", // generous: shared CI machines; the flush returns once done
                // every call makes its tree: under the default policy a thread whose buffer cannot go
                // out in time (ring full, or its drain lock held by a sweeper the loaded machine
                // descheduled) drops whole trees and counts them. That is HiQ's promise, not this
                // test's subject (once on CI: "5 tree(s) dropped because the ring was full")
                "HIQ_RING_POLICY", "block"));
        List<List<String>> conf = List.of(
                List.of("io.hiq.jack.app", "Shop", "order", "order"),
                List.of("io.hiq.jack.app", "Shop", "price", "price"),
                List.of("io.hiq.jack.app", "Shop", "validate", "validate"));
        int calls = 2000;
        List<HiQTree> inProcess;
        long published;
        try (HiQ hiq = HiQ.builder().conf(conf).settings(settings).mode(Mode.VERBOSE).maxTrees(calls)
                .service("shop").start()) {
            for (int i = 0; i < calls; i++) Shop.order(i);
            inProcess = hiq.trees();
            assertThat(hiq.runtime().counters().get(HiQRuntime.DROPPED)).as("records dropped under the block policy").isZero();
            assertThat(inProcess).hasSize(calls);
            // the counters are in the hiq:type=HiQ MBean while the program runs
            javax.management.MBeanServer mbs = java.lang.management.ManagementFactory.getPlatformMBeanServer();
            javax.management.ObjectName name = new javax.management.ObjectName("hiq:type=HiQ");
            await().atMost(Duration.ofSeconds(30)).until(() -> mbs.isRegistered(name)
                    && ((Long) mbs.getAttribute(name, "JackPublished")) == calls);
            assertThat((Long) mbs.getAttribute(name, "JackFailed")).isZero();
            assertThat((Long) mbs.getAttribute(name, "JackSpooled")).isZero();
            hiq.close(); // right after the last traced call: the runtime flushes Jack within HIQ_FLUSH_TIMEOUT
            published = hiq.runtime().counters().get("JackPublished") + hiq.runtime().counters().get("JackReplayed");
        }
        assertThat(published).isEqualTo(calls);
        try (TopicReader reader = new TopicReader(broker.getBrokersAsString(), TOPIC, 2)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> reader.poll() >= calls);
            assertThat(reader.byKey).hasSize(calls);
            for (HiQTree t : inProcess) {
                byte[] value = reader.byKey.get(t.id());
                assertThat(value).as("tree %s", t.id()).isNotNull();
                assertThat(new String(value, StandardCharsets.UTF_8)).isEqualTo(TreeCodec.encodeToString(t));
                HiQTree back = TreeCodec.decode(value);
                assertThat(back.service()).isEqualTo("shop");
                assertThat(back.root().name()).isEqualTo("order");
                assertThat(back.root().children()).extracting(n -> n.name()).containsExactly("price", "price", "validate");
            }
            // the trees whose validate() threw carry the exception
            HiQTree failed = TreeCodec.decode(reader.byKey.get(inProcess.get(7).id()));
            assertThat(failed.root().children().get(2).extra().get("exception").toString())
                    .startsWith("java.lang.IllegalArgumentException: order 7 rejected");
        }
        // and the jack log holds each of them once
        List<String> lines = Files.readAllLines(home.resolve("log_jack.log"));
        assertThat(lines).hasSize(calls);
        assertThat(lines.stream().map(l -> {
            try {
                return TreeCodec.decode(l).id();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }).distinct().count()).isEqualTo(calls);
    }
}
