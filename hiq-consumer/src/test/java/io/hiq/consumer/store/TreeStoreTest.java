package io.hiq.consumer.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hiq.consumer.ingest.TreeValidator;
import io.hiq.consumer.support.TestTrees;
import io.hiq.tree.HiQNode;
import io.hiq.tree.HiQTree;
import io.hiq.tree.TreeCodec;
import io.hiq.tree.TreeFormatException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** The JDBC store on a real SQLite file (the default) and a real H2 file: migrations, idempotent batches, roll-ups, reopening. */
class TreeStoreTest {
    /** A fresh file store of a kind ({@code sqlite} or {@code h2}) in {@code dir}. */
    static String url(String kind, Path dir) {
        return kind.equals("sqlite") ? "jdbc:sqlite:" + dir.resolve("s.db") : "jdbc:h2:file:" + dir.resolve("s");
    }

    private static StoredTree stored(HiQTree t) throws TreeFormatException {
        return TreeValidator.validate(TreeCodec.encode(t));
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "h2"})
    void migratesOnceAndKeepsDataAcrossReopen(String kind, @TempDir Path dir) throws Exception {
        String url = url(kind, dir);
        HiQTree t = TestTrees.random(new Random(1), "x-1", "svc", List.of("a", "b"), System.currentTimeMillis() * 1000, 1);
        try (TreeStore s = TreeStore.open(url)) {
            assertThat(s.write(List.of(stored(t)))).isEqualTo(new WriteResult(1, 0));
        }
        try (Connection c = DriverManager.getConnection(url)) {
            assertThat(Migrations.currentVersion(c)).isEqualTo(Migrations.latestVersion());
            assertThat(Migrations.migrate(c, Dialect.of(url))).as("nothing left to apply").isEqualTo(Migrations.latestVersion());
        }
        try (TreeStore s = TreeStore.open(url)) {
            assertThat(s.treeCount()).isEqualTo(1);
            assertThat(s.treeJson("x-1")).isEqualTo(TreeCodec.encodeToString(t));
            assertThat(s.stats(null, null, null).stream().mapToLong(TagStats::count).sum()).isEqualTo(t.root().size());
        }
    }

    /**
     * A store written by the first schema (JSON as VARCHAR) is migrated to bytes: every stored tree
     * keeps its exact text, non-ASCII included, and a redelivery of it is still recognised as one.
     */
    @Test
    void migrationToBytesKeepsStoredTreesExact(@TempDir Path dir) throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("s");
        HiQNode root = HiQNode.of("résumé €", 1_000, 2_000, 0, 1_000_000);
        root.putExtra("note", "😀 \"quoted\" \\ tab\t");
        HiQTree t = HiQTree.builder().id("v1-1").service("sérvice").host("h").pid(1).thread("t").root(root).build();
        String json = TreeCodec.encodeToString(t);
        try (Connection c = DriverManager.getConnection(url); java.sql.Statement st = c.createStatement()) {
            st.execute("CREATE TABLE hiq_schema_version (version INT PRIMARY KEY, description VARCHAR(200) NOT NULL, applied_ms BIGINT NOT NULL)");
            for (String sql : Migrations.STEPS.get(0).sql().apply(Dialect.H2)) st.execute(sql);
            st.execute("INSERT INTO hiq_schema_version VALUES (1, 'v1', 0)");
            try (var ps = c.prepareStatement("INSERT INTO hiq_tree (id, service, root_tag, start_us, latency_us, nodes, ingested_ms, json)"
                    + " VALUES ('v1-1', 'sérvice', 'résumé €', 1000, 1000, 1, 0, ?)")) {
                ps.setString(1, json);
                ps.executeUpdate();
            }
        }
        try (TreeStore s = TreeStore.open(url)) {
            assertThat(s.treeJson("v1-1")).isEqualTo(json);
            assertThat(s.write(List.of(stored(t)))).as("a redelivery of the migrated tree").isEqualTo(new WriteResult(0, 1));
            HiQTree other = HiQTree.builder().id("v1-1").service("sérvice").host("h").pid(2).thread("t").root(HiQNode.of("x", 1, 2, 0, 5)).build();
            assertThat(s.write(List.of(stored(other))).conflicts()).as("same id, other bytes").isEqualTo(1);
            assertThat(s.treeJson("v1-1")).isEqualTo(json);
            HiQTree fresh = HiQTree.builder().id("v2-1").service("sérvice").host("h").pid(1).thread("t").root(HiQNode.of("ü", 1, 2, 0, 5)).build();
            assertThat(s.write(List.of(stored(fresh))).inserted()).isEqualTo(1);
            assertThat(s.treeJson("v2-1")).isEqualTo(TreeCodec.encodeToString(fresh));
            assertThat(s.trees(new TreeQuery(null, 0, false, 10)).trees()).extracting(TreeSummary::thread).containsOnly("t");
        }
        try (Connection c = DriverManager.getConnection(url)) {
            assertThat(Migrations.currentVersion(c)).isEqualTo(Migrations.latestVersion());
        }
    }

    /** One query for every filter of /api/trees: service, root tag, latency range; thread and error count per row. */
    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "h2"})
    void treesFiltersByServiceRootTagAndLatencyRangeWithThreadAndErrors(String kind, @TempDir Path dir) throws Exception {
        long now = System.currentTimeMillis() * 1000;
        List<StoredTree> batch = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            long latencyUs = (i + 1) * 1_000L; // 1 ms … 12 ms
            HiQNode root = HiQNode.of(i % 2 == 0 ? "GET" : "POST", now + i, now + i + latencyUs, 0, latencyUs * 1000);
            HiQNode child = HiQNode.of("db", now + i, now + i + 1, 0, 1000);
            if (i % 3 == 0) child.putExtra("exception", "java.io.IOException: boom");
            if (i % 4 == 0) root.putExtra("exception", "java.lang.IllegalStateException");
            root.addChild(child);
            batch.add(stored(HiQTree.builder().id("t-" + i).service(i < 6 ? "a" : "b").host("h").pid(1).thread("worker-" + i)
                    .root(root).build()));
        }
        try (TreeStore s = TreeStore.open(url(kind, dir))) {
            s.write(batch);
            TreePage all = s.trees(new TreeQuery(null, 0, true, 50));
            assertThat(all.total()).isEqualTo(12);
            assertThat(all.trees().get(0).id()).isEqualTo("t-11");
            TreeSummary t0 = s.trees(new TreeQuery("a", "GET", 0, 1, false, 50)).trees().get(0);
            assertThat(t0.id()).isEqualTo("t-0");
            assertThat(t0.thread()).isEqualTo("worker-0");
            assertThat(t0.errors()).as("root and child threw").isEqualTo(2);
            TreePage range = s.trees(new TreeQuery("b", "POST", 8, 11, true, 50));
            assertThat(range.total()).isEqualTo(2); // t-7 (8 ms) and t-9 (10 ms); t-11 (12 ms) is above the maximum
            assertThat(range.trees()).extracting(TreeSummary::id).containsExactly("t-9", "t-7");
            assertThat(range.trees()).extracting(TreeSummary::errors).containsExactly(1, 0);
            assertThat(s.trees(new TreeQuery(null, null, 12.5, -1, false, 50)).total()).isZero();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "h2"})
    void duplicatesInAndAcrossBatchesChangeNothing(String kind, @TempDir Path dir) throws Exception {
        Random rnd = new Random(3);
        long now = System.currentTimeMillis() * 1000;
        List<HiQTree> trees = new ArrayList<>();
        for (int i = 0; i < 50; i++) trees.add(TestTrees.random(rnd, "d-" + i, "svc", List.of("a", "b", "c"), now, 3));
        try (TreeStore s = TreeStore.open(url(kind, dir))) {
            List<StoredTree> batch = new ArrayList<>();
            for (HiQTree t : trees.subList(0, 30)) batch.add(stored(t));
            batch.add(stored(trees.get(0))); // the same id twice in one batch
            assertThat(s.write(batch)).isEqualTo(new WriteResult(30, 1));
            List<StoredTree> second = new ArrayList<>();
            for (HiQTree t : trees) second.add(stored(t));
            assertThat(s.write(second)).isEqualTo(new WriteResult(20, 30));
            assertThat(s.write(List.of())).isEqualTo(new WriteResult(0, 0));
            assertThat(s.treeCount()).isEqualTo(50);
            Map<String, Long> counts = TestTrees.countsByTag(trees);
            s.stats(null, null, null).forEach(st -> assertThat(st.count()).as(st.tag()).isEqualTo(counts.get(st.tag())));
            assertThat(s.stats(null, null, null)).hasSize(counts.size());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "h2"})
    void treesOfOtherMetricsAreStoredButNotRolledUp(String kind, @TempDir Path dir) throws Exception {
        long now = System.currentTimeMillis() * 1000;
        HiQTree mem = HiQTree.builder().id("m-1").service("svc").host("h").pid(1).thread("t").metric("memory").unit("bytes")
                .root(HiQNode.of("alloc", now, now + 10, 0, 4096)).build();
        try (TreeStore s = TreeStore.open(url(kind, dir))) {
            assertThat(s.write(List.of(stored(mem))).inserted()).isEqualTo(1);
            assertThat(s.trees(new TreeQuery(null, 0, false, 10)).total()).isEqualTo(1);
            assertThat(s.stats(null, null, null)).isEmpty();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "h2"})
    void rollupsSplitByMinuteAndService(String kind, @TempDir Path dir) throws Exception {
        long minute = 1_700_000_040_000L; // a minute boundary in ms
        List<StoredTree> batch = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            long start = (minute + i * 30_000L) * 1000; // two trees a minute, three minutes
            HiQTree t = HiQTree.builder().id("r-" + i).service(i % 2 == 0 ? "a" : "b").host("h").pid(1).thread("t")
                    .root(HiQNode.of("work", start, start + 1000, 0, (i + 1) * 1_000_000L)).build();
            batch.add(stored(t));
        }
        try (TreeStore s = TreeStore.open(url(kind, dir))) {
            s.write(batch);
            List<SeriesPoint> series = s.series(null, "work", null, null);
            assertThat(series).extracting(SeriesPoint::minuteMs).containsExactly(minute, minute + 60_000, minute + 120_000);
            assertThat(series).extracting(SeriesPoint::count).containsExactly(2L, 2L, 2L);
            assertThat(series.get(2).p99Ms()).isBetween(6.0, 6.0 * 1.001);
            assertThat(s.series("a", "work", null, null)).extracting(SeriesPoint::count).containsExactly(1L, 1L, 1L);
            assertThat(s.stats(null, minute + 60_000, minute + 120_000).get(0).count()).isEqualTo(2);
            assertThat(s.stats(null, minute + 59_999, null).get(0).count()).as("from rounds down to its minute").isEqualTo(6);
            // /metrics: count, sum and max over everything, quantiles over the recent minutes only
            TagStats a = s.statsByServiceAndTag(minute + 60_000).get(0);
            assertThat(a.service()).isEqualTo("a");
            assertThat(a.count()).isEqualTo(3);
            assertThat(a.sumMs()).isEqualTo(1 + 3 + 5);
            assertThat(a.maxMs()).isEqualTo(5.0);
            assertThat(a.p50Ms()).isBetween(3.0, 3.0 * 1.001); // of 3 and 5 ms; the 1 ms is older
            assertThat(a.p99Ms()).isBetween(5.0, 5.0 * 1.001);
            TagStats none = s.statsByServiceAndTag(minute + 600_000).get(0);
            assertThat(none.count()).isEqualTo(3);
            assertThat(none.p99Ms()).isNaN();
        }
    }

    /**
     * A stored id met again with other bytes: a conflict, the first version kept — also when the
     * batch that meets it is written optimistically (the store's unique violation, SQLite's result
     * code mapped to SQLSTATE 23505, makes the store look the ids up and write the batch again).
     */
    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "h2"})
    void sameIdOtherBytesIsAConflictAndTheFirstVersionIsKept(String kind, @TempDir Path dir) throws Exception {
        long now = System.currentTimeMillis() * 1000;
        HiQTree first = HiQTree.builder().id("c-1").service("svc").host("h").pid(1).thread("t").root(HiQNode.of("a", now, now + 1, 0, 1000)).build();
        HiQTree other = HiQTree.builder().id("c-1").service("svc").host("h").pid(2).thread("t").root(HiQNode.of("a", now, now + 1, 0, 9000)).build();
        HiQTree fresh = HiQTree.builder().id("c-2").service("svc").host("h").pid(1).thread("t").root(HiQNode.of("a", now, now + 1, 0, 2000)).build();
        try (TreeStore s = TreeStore.open(url(kind, dir))) {
            assertThat(s.write(List.of(stored(first)))).isEqualTo(new WriteResult(1, 0));
            assertThat(s.write(List.of(stored(fresh), stored(other)))).isEqualTo(new WriteResult(1, 0, 1));
            assertThat(s.treeJson("c-1")).isEqualTo(TreeCodec.encodeToString(first));
            assertThat(s.treeCount()).isEqualTo(2);
            assertThat(s.stats(null, null, null)).singleElement().satisfies(st -> {
                assertThat(st.count()).as("the conflicting version is not rolled up").isEqualTo(2);
                assertThat(st.maxMs()).isEqualTo(0.002);
            });
        }
    }

    @Test
    void rejectsUnsupportedUrlsAndOverlongNames() {
        assertThatThrownBy(() -> Dialect.of("jdbc:mysql://x/y")).hasMessageContaining("jdbc:mysql://x/y");
        long now = System.currentTimeMillis() * 1000;
        HiQTree t = HiQTree.builder().id("x".repeat(300)).service("s").host("h").pid(1).thread("t")
                .root(HiQNode.of("a", now, now, 0, 0)).build();
        assertThatThrownBy(() -> TreeValidator.validate(TreeCodec.encode(t))).hasMessageContaining("field 'id'");
        HiQTree deep = HiQTree.builder().id("ok").service("s").host("h").pid(1).thread("t")
                .root(HiQNode.of("a", now, now, 0, 0).addChild(HiQNode.of("t".repeat(257), now, now, 0, 0))).build();
        assertThatThrownBy(() -> TreeValidator.validate(TreeCodec.encode(deep))).hasMessageContaining("root.children[0].name");
    }
}
