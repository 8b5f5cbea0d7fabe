package io.hiq.consumer.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.hiq.consumer.ingest.TreeValidator;
import io.hiq.tree.HiQNode;
import io.hiq.tree.HiQTree;
import io.hiq.tree.TreeCodec;
import io.hiq.tree.TreeFormatException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SQLite store's layout of schema version 3: trees keyed by row and found by the hash of their
 * id ({@link IdHash}), the slowest trees of all services merged from per-service queries, and the
 * migration of a store written by the earlier layout (the id as primary key).
 */
class RowKeyedStoreTest {
    private static StoredTree stored(HiQTree t) throws TreeFormatException {
        return TreeValidator.validate(TreeCodec.encode(t));
    }

    private static HiQTree tree(String id, String service, long startUs, long latencyUs, String thread) {
        HiQNode root = HiQNode.of("GET", startUs, startUs + latencyUs, 0, latencyUs * 1000);
        root.addChild(HiQNode.of("db", startUs, startUs + 1, 0, 1000));
        return HiQTree.builder().id(id).service(service).host("h").pid(1).thread(thread).root(root).build();
    }

    /**
     * Two ids with one hash are two trees: a row stored under another id with the same hash neither
     * hides a new tree as a "redelivery" nor is served for it.
     */
    @Test
    void idsSharingAHashAreToldApartByTheIdItself(@TempDir Path dir) throws Exception {
        String url = "jdbc:sqlite:" + dir.resolve("s.db");
        long now = System.currentTimeMillis() * 1000;
        HiQTree real = tree("real-id", "svc", now, 1_000, "t1");
        try (TreeStore s = TreeStore.open(url)) {
            // a row whose id differs but whose hash is that of "real-id" (as a collision would be)
            try (Connection c = DriverManager.getConnection(url);
                 PreparedStatement ps = c.prepareStatement("INSERT INTO hiq_tree (id, id_hash, service, root_tag, start_us,"
                         + " latency_us, nodes, ingested_ms, json) VALUES ('other-id', ?, 'svc', 'GET', ?, 5, 1, 0, ?)")) {
                ps.setLong(1, IdHash.of("real-id"));
                ps.setLong(2, now);
                ps.setBytes(3, "{\"other\":true}".getBytes(StandardCharsets.UTF_8));
                ps.executeUpdate();
            }
            assertThat(s.treeJson("real-id")).as("the colliding row is not served for the real id").isNull();
            assertThat(s.write(List.of(stored(real)))).as("a new tree, not a redelivery").isEqualTo(new WriteResult(1, 0));
            assertThat(s.treeJson("real-id")).isEqualTo(TreeCodec.encodeToString(real));
            try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT json FROM hiq_tree WHERE id = 'other-id'")) {
                assertThat(rs.next()).as("the other row is still there").isTrue();
                assertThat(new String(rs.getBytes(1), StandardCharsets.UTF_8)).isEqualTo("{\"other\":true}");
            }
            assertThat(s.write(List.of(stored(real)))).as("now a redelivery").isEqualTo(new WriteResult(0, 1));
            HiQTree changed = tree("real-id", "svc", now, 2_000, "t2");
            assertThat(s.write(List.of(stored(changed))).conflicts()).as("same id, other bytes").isEqualTo(1);
            assertThat(s.treeCount()).isEqualTo(2);
        }
    }

    /**
     * Two stores writing the same trees to one file at once (two instances sharing a file: not the
     * supported set-up, but it must not count a tree twice): each id is stored once, whichever store
     * wins — a transaction whose lookup was overtaken by the other's commit is refused and retried.
     */
    @Test
    void twoWritersOnOneFileStoreEachIdOnce(@TempDir Path dir) throws Exception {
        String url = "jdbc:sqlite:" + dir.resolve("s.db");
        long now = System.currentTimeMillis() * 1000;
        List<StoredTree> trees = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) trees.add(stored(tree("id-" + i, "svc", now + i, 100, "t")));
        try (TreeStore a = TreeStore.open(url); TreeStore b = TreeStore.open(url)) {
            java.util.concurrent.atomic.AtomicLong inserted = new java.util.concurrent.atomic.AtomicLong();
            java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(2);
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
            try {
                List<java.util.concurrent.Future<?>> done = new ArrayList<>();
                for (TreeStore s : List.of(a, b)) {
                    done.add(pool.submit(() -> {
                        start.await();
                        for (int from = 0; from < trees.size(); from += 50) {
                            // as the ingest loop does: a store error is retried (the loop after a back-off)
                            for (int attempt = 1; ; attempt++) {
                                try {
                                    inserted.addAndGet(s.write(trees.subList(from, from + 50)).inserted());
                                    break;
                                } catch (java.sql.SQLException e) {
                                    assertThat(StoreErrors.state(e)).as("only lock conflicts: %s", e).isEqualTo("40001");
                                    assertThat(attempt).as("attempts at one batch").isLessThan(1_000);
                                }
                            }
                        }
                        return null;
                    }));
                }
                for (java.util.concurrent.Future<?> f : done) f.get(120, java.util.concurrent.TimeUnit.SECONDS);
            } finally {
                pool.shutdownNow();
            }
            assertThat(inserted.get()).as("trees inserted by both stores together").isEqualTo(2_000);
            assertThat(a.treeCount()).isEqualTo(2_000);
            assertThat(a.stats(null, null, null).stream().mapToLong(TagStats::count).sum()).as("nodes rolled up once").isEqualTo(4_000);
        }
    }

    /**
     * The same random trees in SQLite (per-service queries merged) and in H2 (global indexes) give
     * the same pages and totals for every order, filter and limit: the merge is exact, ties included.
     */
    @Test
    void mergedPerServicePagesEqualTheGlobalOnes(@TempDir Path dir) throws Exception {
        Random rnd = new Random(7);
        long now = System.currentTimeMillis() * 1000;
        List<StoredTree> batch = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            // few distinct latencies and starts: many ties, broken by id
            batch.add(stored(tree(String.format("%08x-%d", rnd.nextInt(), i), "svc-" + rnd.nextInt(7),
                    now - rnd.nextInt(50) * 1000L, (1 + rnd.nextInt(40)) * 500L, "t" + i)));
        }
        try (TreeStore sqlite = TreeStore.open("jdbc:sqlite:" + dir.resolve("s.db"));
             TreeStore h2 = TreeStore.open("jdbc:h2:file:" + dir.resolve("h"))) {
            assertThat(sqlite.write(batch).inserted()).isEqualTo(600);
            assertThat(h2.write(batch).inserted()).isEqualTo(600);
            for (boolean slowest : new boolean[] {true, false}) {
                for (double min : new double[] {0, 3, 19.5, 1000}) {
                    for (double max : new double[] {-1, 10, 0.4}) {
                        for (int limit : new int[] {1, 7, 50, 1000}) {
                            TreeQuery q = new TreeQuery(null, null, min, max, slowest, limit);
                            TreePage a = sqlite.trees(q);
                            TreePage b = h2.trees(q);
                            assertThat(a.total()).as("total of %s", q).isEqualTo(b.total());
                            assertThat(a.trees()).as("page of %s", q).isEqualTo(b.trees());
                        }
                    }
                }
            }
            assertThat(sqlite.trees(new TreeQuery(null, null, 0, -1, true, 1000)).trees()).hasSize(600);
        }
    }

    /**
     * A SQLite store written by schema version 2 (the id as primary key) is migrated: every tree
     * keeps its exact bytes and is found by id, a redelivery of one is still recognised, new trees
     * go in, and the slowest of all services come out in order.
     */
    @Test
    void aVersionTwoStoreIsMigratedWithItsTreesExact(@TempDir Path dir) throws Exception {
        String url = "jdbc:sqlite:" + dir.resolve("old.db");
        long now = System.currentTimeMillis() * 1000;
        List<HiQTree> old = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            HiQTree t = tree("old-" + i, i % 2 == 0 ? "sérvice" : "b", now + i, (i + 1) * 100L, "😀 worker-" + i);
            old.add(t);
        }
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE hiq_schema_version (version INT PRIMARY KEY, description VARCHAR(200) NOT NULL, applied_ms BIGINT NOT NULL)");
            for (int step = 0; step < 2; step++) {
                for (String sql : Migrations.STEPS.get(step).sql().apply(Dialect.SQLITE)) st.execute(sql);
                st.execute("INSERT INTO hiq_schema_version VALUES (" + (step + 1) + ", 'v', 0)");
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO hiq_tree (id, service, root_tag, start_us, latency_us,"
                    + " nodes, ingested_ms, json) VALUES (?, ?, 'GET', ?, ?, 2, 0, ?)")) {
                for (HiQTree t : old) {
                    ps.setString(1, t.id());
                    ps.setString(2, t.service());
                    ps.setLong(3, t.root().start());
                    ps.setLong(4, t.root().end() - t.root().start());
                    ps.setBytes(5, TreeCodec.encode(t));
                    ps.executeUpdate();
                }
            }
        }
        try (TreeStore s = TreeStore.open(url)) {
            for (HiQTree t : old) assertThat(s.treeJson(t.id())).isEqualTo(TreeCodec.encodeToString(t));
            assertThat(s.write(List.of(stored(old.get(3))))).as("a redelivery of a migrated tree").isEqualTo(new WriteResult(0, 1));
            assertThat(s.write(List.of(stored(tree("new-1", "c", now, 10_000, "n"))))).isEqualTo(new WriteResult(1, 0));
            List<TreeSummary> slowest = s.trees(new TreeQuery(null, null, 0, -1, true, 3)).trees();
            assertThat(slowest).extracting(TreeSummary::id).containsExactly("new-1", "old-29", "old-28");
            assertThat(slowest.get(1).thread()).isEqualTo("😀 worker-29");
            assertThat(s.trees(new TreeQuery(null, 2.95, true, 100)).total()).as("latency ≥ 2.95 ms: old-29 and new-1").isEqualTo(2);
            assertThat(s.treeCount()).isEqualTo(31);
        }
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
            assertThat(Migrations.currentVersion(c)).isEqualTo(Migrations.latestVersion());
            try (ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM hiq_tree WHERE id_hash IS NULL OR seq IS NULL")) {
                rs.next();
                assertThat(rs.getLong(1)).isZero();
            }
        }
    }
}
