package io.hiq.consumer.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hiq.consumer.store.TagStats;
import io.hiq.consumer.store.TreeStore;
import io.hiq.consumer.support.Kafka;
import io.hiq.consumer.support.Kafka.Rec;
import io.hiq.consumer.support.TestBroker;
import io.hiq.consumer.support.TestTrees;
import io.hiq.tree.HiQTree;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * The ingest loop's overlap of decode and store write ({@link IngestLoop#pipelined}) against a real
 * broker and a real SQLite file, on its failure modes: the store locked by another connection while
 * a batch is written and the next one is already polled and decoded (both are read again: nothing
 * lost, nothing stored or counted twice), and a second member joining the group mid-backlog (the
 * write in progress finished, the batch in hand given up, every tree stored once). The same faults
 * with one batch at a time (the small-heap mode) for comparison.
 */
class IngestPipelineTest {
    private static final int TREES = 30_000;
    private static final List<String> SERVICES = List.of("orders", "billing");
    private static final List<String> TAGS = List.of("handle", "db.query", "render", "auth", "cache.get");
    private static EmbeddedKafkaKraftBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = TestBroker.start(new NewTopic("locked-true", 4, (short) 1), new NewTopic("locked-false", 4, (short) 1),
                new NewTopic("moved", 4, (short) 1));
    }

    @AfterAll
    static void stopBroker() { broker.destroy(); }

    /** {@link #TREES} random trees over two services, sent round-robin to the topic's partitions. */
    private static List<HiQTree> publish(String topic, long seed) {
        Random rnd = new Random(seed);
        long now = System.currentTimeMillis() * 1000;
        List<HiQTree> trees = new ArrayList<>(TREES);
        List<Rec> recs = new ArrayList<>(TREES);
        for (int i = 0; i < TREES; i++) {
            HiQTree t = TestTrees.random(rnd, topic + "-" + i, SERVICES.get(i % SERVICES.size()), TAGS, now, 30);
            trees.add(t);
            recs.add(new Rec(i % 4, t.id().getBytes(StandardCharsets.UTF_8), TestTrees.bytes(t)));
        }
        Kafka.send(broker.getBrokersAsString(), topic, recs);
        return trees;
    }

    private static IngestLoop loop(String topic, String group, TreeStore store, Path home, IngestMetrics metrics, boolean pipelined)
            throws java.io.IOException {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        IngestOptions options = IngestOptions.defaults().withWaits(Duration.ofMillis(100), Duration.ofMillis(500),
                Duration.ofSeconds(5), Duration.ofSeconds(60));
        return new IngestLoop(p, topic, store, new DeadLetterFile(home.resolve("dead-letters-" + group + ".jsonl")), metrics,
                new ServiceHealth(options.storeDownAfter()), options, pipelined);
    }

    private static Thread start(IngestLoop loop, String name) {
        Thread t = new Thread(loop, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    @ParameterizedTest(name = "pipelined={0}")
    @ValueSource(booleans = {true, false})
    void aStoreLockedWhileTheNextBatchIsInHandLosesNothingAndCountsNothingTwice(boolean pipelined, @TempDir Path home) throws Exception {
        String topic = "locked-" + pipelined;
        List<HiQTree> trees = publish(topic, pipelined ? 11 : 12);
        // a write meeting the lock fails after 100 ms instead of SQLite's usual 10 s, so writes fail
        // again and again while the backlog is still being polled
        String url = "jdbc:sqlite:" + home.resolve("store.db") + "?busy_timeout=100";
        IngestMetrics metrics = new IngestMetrics();
        try (TreeStore store = TreeStore.open(url)) {
            IngestLoop loop = loop(topic, "locked", store, home, metrics, pipelined);
            start(loop, "hiq-ingest-locked");
            try {
                await("the first batch stored").atMost(Duration.ofSeconds(120)).until(() -> metrics.ingested() > 0);
                // another writer holds the file: the loop's inserts wait out the busy timeout and
                // fail, while (pipelined) the poll thread polls and decodes the next batch; the lock
                // is held until both cases of a failure met with records in hand were seen: the next
                // batch decoded (given up) and a poll's records not yet decoded (read again)
                try (Connection lock = DriverManager.getConnection("jdbc:sqlite:" + home.resolve("store.db") + "?busy_timeout=60000");
                     Statement s = lock.createStatement()) {
                    s.execute("BEGIN EXCLUSIVE");
                    await("a store write failed on the lock").atMost(Duration.ofSeconds(120)).until(() -> metrics.storeRetries() >= 1);
                    // every write before the failed one is counted by now (they finish in order)
                    long before = metrics.ingested();
                    assertThat(before).as("trees stored when the lock is taken").isLessThan(TREES);
                    await("store writes failed on the lock").atMost(Duration.ofSeconds(120)).until(() -> metrics.storeRetries() >= 3);
                    if (pipelined) {
                        await("a failed write with the next batch in hand").atMost(Duration.ofSeconds(120))
                                .until(() -> loop.nextDropped() > 0);
                        await("a failed write with a poll's records in hand").atMost(Duration.ofSeconds(120))
                                .until(() -> loop.polledAfterFailure() > 0);
                    }
                    assertThat(metrics.ingested()).as("trees stored while the lock was held").isEqualTo(before);
                    s.execute("ROLLBACK");
                }
                await("every tree stored after the lock went").atMost(Duration.ofSeconds(180)).until(() -> metrics.ingested() >= TREES);
            } finally {
                assertThat(loop.stop(Duration.ofSeconds(60))).as("loop stopped").isTrue();
            }
            assertExactlyOnce(store, trees);
            assertThat(metrics.ingested()).as("trees counted as stored").isEqualTo(TREES);
            assertThat(metrics.redelivered()).as("trees written twice (the failed transaction stored nothing)").isZero();
            assertThat(metrics.records()).as("records counted").isEqualTo(TREES);
        }
    }

    @Test
    void aMemberJoiningMidBacklogTakesPartitionsAndNothingIsLostOrCountedTwice(@TempDir Path home) throws Exception {
        List<HiQTree> trees = publish("moved", 13);
        IngestMetrics a = new IngestMetrics();
        IngestMetrics b = new IngestMetrics();
        // one store for both members: what one stored and the other reads again is a redelivery
        try (TreeStore store = TreeStore.open("jdbc:sqlite:" + home.resolve("store.db"))) {
            IngestLoop first = loop("moved", "moved", store, home, a, true);
            IngestLoop second = loop("moved", "moved", store, home, b, true);
            start(first, "hiq-ingest-a");
            try {
                await("the first member stores trees").atMost(Duration.ofSeconds(120)).until(() -> a.ingested() > 0);
                start(second, "hiq-ingest-b");
                await("the second member given partitions").atMost(Duration.ofSeconds(120))
                        .until(() -> !second.assignment().isEmpty());
                await("every tree stored").atMost(Duration.ofSeconds(180)).until(() -> a.ingested() + b.ingested() >= TREES);
            } finally {
                assertThat(first.stop(Duration.ofSeconds(60))).as("first loop stopped").isTrue();
                assertThat(second.stop(Duration.ofSeconds(60))).as("second loop stopped").isTrue();
            }
            assertExactlyOnce(store, trees);
            assertThat(a.ingested() + b.ingested()).as("trees counted as stored by both").isEqualTo(TREES);
        }
    }

    /** Every tree once in the table, and each service's per-tag count and sum exact. */
    private static void assertExactlyOnce(TreeStore store, List<HiQTree> trees) throws Exception {
        store.read(c -> {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*), COUNT(DISTINCT id) FROM hiq_tree")) {
                rs.next();
                assertThat(rs.getLong(1)).as("rows").isEqualTo(trees.size());
                assertThat(rs.getLong(2)).as("distinct ids").isEqualTo(trees.size());
            }
            return null;
        });
        for (String service : SERVICES) {
            List<HiQTree> ofService = trees.stream().filter(t -> t.service().equals(service)).toList();
            Map<String, List<Long>> spans = TestTrees.spansByTag(ofService);
            Map<String, long[]> expected = new TreeMap<>();
            spans.forEach((tag, list) -> expected.put(tag, new long[] {list.size(), list.stream().mapToLong(v -> Math.max(0, v)).sum()}));
            Map<String, TagStats> actual = new TreeMap<>();
            for (TagStats t : store.stats(service)) actual.put(t.tag(), t);
            assertThat(actual.keySet()).as("tags of %s", service).containsExactlyElementsOf(expected.keySet());
            expected.forEach((tag, e) -> {
                assertThat(actual.get(tag).count()).as("count of %s/%s", service, tag).isEqualTo(e[0]);
                assertThat(actual.get(tag).sumMs()).as("sum of %s/%s", service, tag).isCloseTo(e[1] / 1e6, org.assertj.core.api.Assertions.within(1e-6 * Math.max(1, e[1] / 1e6)));
            });
        }
    }
}
