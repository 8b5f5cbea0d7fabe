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
        return tree(id, service, "GET", startUs, latencyUs, thread);
    }

    private static HiQTree tree(String id, String service, String rootTag, long startUs, long latencyUs, String thread) {
        HiQNode root = HiQNode.of(rootTag, startUs, startUs + latencyUs, 0, latencyUs * 1000);
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

    /** Random trees over 7 services and 3 root tags, with few distinct latencies and starts: many ties, broken by id. */
    private static List<StoredTree> randomTrees(Random rnd, int n, long now) throws TreeFormatException {
        List<StoredTree> batch = new ArrayList<>();
        String[] roots = {"GET", "POST", "cron"};
        for (int i = 0; i < n; i++) {
            batch.add(stored(tree(String.format("%08x-%d", rnd.nextInt(), i), "svc-" + rnd.nextInt(7), roots[rnd.nextInt(3)],
                    now - rnd.nextInt(50) * 1000L, (1 + rnd.nextInt(40)) * 500L, "t" + i)));
        }
        return batch;
    }

    /**
     * The same random trees in SQLite (per-service queries merged: the store has no global start
     * nor latency index) and in H2 (global indexes) give the same pages and totals for every order
     * (newest and slowest), service, root tag, latency bounds and limit: the merge is exact, ties
     * included.
     */
    @Test
    void mergedPerServicePagesEqualTheGlobalOnes(@TempDir Path dir) throws Exception {
        long now = System.currentTimeMillis() * 1000;
        List<StoredTree> batch = randomTrees(new Random(7), 600, now);
        try (TreeStore sqlite = TreeStore.open("jdbc:sqlite:" + dir.resolve("s.db"));
             TreeStore h2 = TreeStore.open("jdbc:h2:file:" + dir.resolve("h"))) {
            assertThat(sqlite.write(batch).inserted()).isEqualTo(600);
            assertThat(h2.write(batch).inserted()).isEqualTo(600);
            assertSamePages(sqlite, h2);
            assertThat(sqlite.trees(new TreeQuery(null, null, 0, -1, true, 1000)).trees()).hasSize(600);
            assertThat(sqlite.trees(new TreeQuery(null, null, 0, -1, false, 1000)).trees()).hasSize(600);
        }
    }

    /** Every page and total of {@code a} equals {@code b}'s, for each order, filter and limit. */
    private static void assertSamePages(TreeStore a, TreeStore b) throws Exception {
        int compared = 0;
        for (boolean slowest : new boolean[] {true, false}) {
            for (String service : new String[] {null, "svc-3"}) {
                for (String root : new String[] {null, "POST"}) {
                    for (double min : new double[] {0, 3, 19.5, 1000}) {
                        for (double max : new double[] {-1, 10, 0.4}) {
                            for (int limit : new int[] {1, 7, 50, 1000}) {
                                TreeQuery q = new TreeQuery(service, root, min, max, slowest, limit);
                                TreePage x = a.trees(q);
                                TreePage y = b.trees(q);
                                assertThat(x.total()).as("total of %s", q).isEqualTo(y.total());
                                assertThat(x.trees()).as("page of %s", q).isEqualTo(y.trees());
                                compared += x.trees().size();
                            }
                        }
                    }
                }
            }
        }
        assertThat(compared).as("rows compared (not only empty pages)").isGreaterThan(1000);
    }

    /**
     * The services overview counted per service in SQLite (its (service, start) index) equals H2's
     * one grouped count over the global start index: services, order, totals, busiest root tag (ties
     * included) and its statistics, for open and closed windows, empty ones and every limit.
     */
    @Test
    void perServiceOverviewEqualsTheGlobalOne(@TempDir Path dir) throws Exception {
        long nowMs = System.currentTimeMillis();
        List<StoredTree> batch = randomTrees(new Random(11), 800, nowMs * 1000);
        try (TreeStore sqlite = TreeStore.open("jdbc:sqlite:" + dir.resolve("s.db"));
             TreeStore h2 = TreeStore.open("jdbc:h2:file:" + dir.resolve("h"))) {
            sqlite.write(batch);
            h2.write(batch);
            ServiceOverview a = new ServiceOverview(sqlite);
            ServiceOverview b = new ServiceOverview(h2);
            int seen = 0;
            // trees started over the last 50 ms: windows cutting through them, around them, before them
            for (long fromMs : new long[] {0, nowMs - 50, nowMs - 20, nowMs - 1, nowMs + 1}) {
                for (Long toMs : new Long[] {null, nowMs - 30, nowMs - 19, nowMs + 1}) {
                    for (int limit : new int[] {1, 3, 20}) {
                        List<ServiceSummary> x = a.services(fromMs, toMs, limit);
                        assertThat(x).as("overview from %d to %s limit %d", fromMs, toMs, limit).isEqualTo(b.services(fromMs, toMs, limit));
                        seen += x.size();
                    }
                }
            }
            assertThat(seen).as("services compared (not only empty windows)").isGreaterThan(50);
            assertThat(a.services(0, null, 20)).hasSize(7);
        }
    }

    /**
     * Retention per service in SQLite (no global start index) deletes exactly the trees that started
     * before the cutoff, at most {@code limit} per call and across services within one call, returns
     * less than the limit only when none older is left (what {@link Retention}'s loop relies on to
     * stop), and leaves the same trees as H2's global oldest-first deletion — pages equal afterwards.
     */
    @Test
    void perServiceRetentionDeletesExactlyTheOldTreesInBoundedCalls(@TempDir Path dir) throws Exception {
        long now = System.currentTimeMillis() * 1000;
        List<StoredTree> batch = randomTrees(new Random(13), 700, now);
        long cutoff = now - 25 * 1000L; // starts are now - 0..49 ms: about half are older
        long older = batch.stream().filter(t -> t.facts().rootStart() < cutoff).count();
        assertThat(older).isBetween(200L, 500L);
        try (TreeStore sqlite = TreeStore.open("jdbc:sqlite:" + dir.resolve("s.db"));
             TreeStore h2 = TreeStore.open("jdbc:h2:file:" + dir.resolve("h"))) {
            sqlite.write(batch);
            h2.write(batch);
            int limit = 37; // services hold ~100 trees each: calls end inside a service and span two
            long deleted = 0;
            int calls = 0;
            for (int n; ; ) {
                n = sqlite.deleteTreesBefore(cutoff, limit);
                calls++;
                assertThat(n).as("call %d", calls).isBetween(0, limit);
                deleted += n;
                assertThat(sqlite.treeCount()).isEqualTo(batch.size() - deleted);
                if (n < limit) break;
                assertThat(calls).as("calls (each deletes the limit while older trees are left)").isLessThan(100);
            }
            assertThat(deleted).isEqualTo(older);
            assertThat(calls).isEqualTo((int) (older / limit) + 1);
            assertThat(sqlite.deleteTreesBefore(cutoff, limit)).as("nothing older left").isZero();
            while (h2.deleteTreesBefore(cutoff, limit) == limit) { /* the same loop as Retention's */ }
            for (StoredTree t : batch) {
                assertThat(sqlite.treeJson(t.facts().id()) != null).as(t.facts().id()).isEqualTo(t.facts().rootStart() >= cutoff);
            }
            assertSamePages(sqlite, h2);
        }
    }

    /**
     * Ties broken by id come out of the merge in SQLite's own order (BINARY collation: UTF-8 bytes,
     * i.e. code points), as one query over all services orders them — not in String's UTF-16 order,
     * which sorts a supplementary character before U+E000..U+FFFF.
     */
    @Test
    void mergedTiesFollowSqlitesOrderOfIds(@TempDir Path dir) throws Exception {
        String url = "jdbc:sqlite:" + dir.resolve("s.db");
        long now = System.currentTimeMillis() * 1000;
        String[] ids = {"a\uFFFD", "a\uD83D\uDE00", "a\uE000", "b", "a", "A\u00E9"};
        List<StoredTree> batch = new ArrayList<>();
        for (int i = 0; i < ids.length; i++) batch.add(stored(tree(ids[i], "svc-" + (i % 3), now, 1_000, "t")));
        try (TreeStore s = TreeStore.open(url)) {
            s.write(batch);
            List<String> expected = new ArrayList<>();
            try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT id FROM hiq_tree ORDER BY start_us DESC, id")) {
                while (rs.next()) expected.add(rs.getString(1));
            }
            assertThat(expected).as("SQLite's order").containsExactly("A\u00E9", "a", "a\uE000", "a\uFFFD", "a\uD83D\uDE00", "b");
            for (boolean slowest : new boolean[] {false, true}) {
                for (int limit = 1; limit <= ids.length; limit++) {
                    assertThat(s.trees(new TreeQuery(null, null, 0, -1, slowest, limit)).trees()).extracting(TreeSummary::id)
                            .as("slowest %s, limit %d", slowest, limit).containsExactlyElementsOf(expected.subList(0, limit));
                }
            }
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

    /** Every row of {@code hiq_tree} as read back, all columns in order, the JSON as its bytes (as hex). */
    private static List<List<Object>> rows(Connection c) throws java.sql.SQLException {
        List<List<Object>> out = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT seq, id, id_hash, service, root_tag,"
                + " start_us, latency_us, nodes, ingested_ms, hex(json) FROM hiq_tree ORDER BY seq")) {
            while (rs.next()) {
                List<Object> row = new ArrayList<>();
                for (int i = 1; i <= 10; i++) row.add(rs.getObject(i));
                out.add(row);
            }
        }
        return out;
    }

    private static List<String> indexes(Connection c) throws java.sql.SQLException {
        List<String> out = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'hiq_tree' AND sql IS NOT NULL ORDER BY name")) {
            while (rs.next()) out.add(rs.getString(1));
        }
        return out;
    }

    /**
     * A SQLite store of schema version 3 (with the global start index), holding trees, is migrated
     * to 4: the index is gone and only it, every row is byte-identical (row number, columns, JSON),
     * and the queries that used it — newest trees of all services, overview, retention — answer as
     * H2 does over the same trees.
     */
    @Test
    void aVersionThreeStoreLosesOnlyItsStartIndex(@TempDir Path dir) throws Exception {
        String url = "jdbc:sqlite:" + dir.resolve("v3.db");
        long now = System.currentTimeMillis() * 1000;
        List<StoredTree> batch = randomTrees(new Random(17), 500, now);
        List<List<Object>> before;
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            st.execute("CREATE TABLE hiq_schema_version (version INT PRIMARY KEY, description VARCHAR(200) NOT NULL, applied_ms BIGINT NOT NULL)");
            for (Migrations.Step step : Migrations.STEPS.subList(0, 3)) {
                for (String sql : step.sql().apply(Dialect.SQLITE)) st.execute(sql);
                step.action().run(c, Dialect.SQLITE);
                st.execute("INSERT INTO hiq_schema_version VALUES (" + step.version() + ", 'v', 0)");
            }
            // the rows version 3's insert path writes
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO hiq_tree (id, service, root_tag, start_us, latency_us,"
                    + " nodes, ingested_ms, json, id_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
                 PreparedStatement svc = c.prepareStatement("INSERT OR IGNORE INTO hiq_service (service) VALUES (?)")) {
                for (StoredTree t : batch) {
                    ps.setString(1, t.facts().id());
                    ps.setString(2, t.facts().service());
                    ps.setString(3, t.facts().rootTag());
                    ps.setLong(4, t.facts().rootStart());
                    ps.setLong(5, TreeStore.latencyUs(t.facts()));
                    ps.setInt(6, t.facts().size());
                    ps.setLong(7, 1_234L);
                    ps.setBytes(8, t.utf8());
                    ps.setLong(9, IdHash.of(t.facts().id()));
                    ps.executeUpdate();
                    svc.setString(1, t.facts().service());
                    svc.executeUpdate();
                }
            }
            c.commit();
            assertThat(Migrations.currentVersion(c)).isEqualTo(3);
            assertThat(indexes(c)).as("version 3's indexes").containsExactly("hiq_tree_id_hash", "hiq_tree_service_latency",
                    "hiq_tree_service_start", "hiq_tree_start");
            before = rows(c);
        }
        try (TreeStore sqlite = TreeStore.open(url); TreeStore h2 = TreeStore.open("jdbc:h2:file:" + dir.resolve("h"))) {
            try (Connection c = DriverManager.getConnection(url)) {
                assertThat(Migrations.currentVersion(c)).isEqualTo(4).isEqualTo(Migrations.latestVersion());
                assertThat(indexes(c)).as("version 4's indexes").containsExactly("hiq_tree_id_hash", "hiq_tree_service_latency",
                        "hiq_tree_service_start");
                assertThat(rows(c)).as("rows byte-identical").isEqualTo(before).hasSize(500);
            }
            assertThat(sqlite.write(batch.subList(0, 10))).as("redeliveries of migrated trees").isEqualTo(new WriteResult(0, 10));
            assertThat(h2.write(batch).inserted()).isEqualTo(500);
            assertSamePages(sqlite, h2);
            long nowMs = now / 1000;
            // the trees were put in version 3's table without roll-ups: the overview's counts and
            // busiest root tags are compared, not its statistics (roll-ups, which migration 4 leaves alone)
            for (long fromMs : new long[] {0, nowMs - 20}) {
                assertThat(new ServiceOverview(sqlite).services(fromMs, null, 20))
                        .extracting(ServiceSummary::service, ServiceSummary::trees, ServiceSummary::rootTag, ServiceSummary::rootTrees)
                        .isEqualTo(new ServiceOverview(h2).services(fromMs, null, 20).stream()
                                .map(x -> org.assertj.core.groups.Tuple.tuple(x.service(), x.trees(), x.rootTag(), x.rootTrees())).toList())
                        .hasSize(7);
            }
            long cutoff = now - 30 * 1000L;
            while (sqlite.deleteTreesBefore(cutoff, 50) == 50) { /* Retention's loop */ }
            while (h2.deleteTreesBefore(cutoff, 50) == 50) { /* Retention's loop */ }
            assertThat(sqlite.treeCount()).isEqualTo(h2.treeCount()).isEqualTo(batch.stream().filter(t -> t.facts().rootStart() >= cutoff).count());
            assertSamePages(sqlite, h2);
        }
        try (TreeStore again = TreeStore.open(url); Connection c = DriverManager.getConnection(url)) {
            assertThat(Migrations.currentVersion(c)).as("opened again: nothing applied twice").isEqualTo(4);
        }
    }

    private static String plan(Connection c, String sql) throws java.sql.SQLException {
        StringBuilder plan = new StringBuilder();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("EXPLAIN QUERY PLAN " + sql)) {
            while (rs.next()) plan.append(plan.length() == 0 ? "" : " | ").append(rs.getString(4));
        }
        return plan.toString();
    }

    /**
     * Without the global start index, what used it reads an index range, never the whole table: the
     * unfiltered total counts the smallest index, the overview and retention go through
     * (service, start), as does a service's newest page (the per-service part of the newest trees
     * of all services). SQLite's planner, not the data, decides: a change of its choice shows here.
     */
    @Test
    void queriesThatUsedTheStartIndexReadAnIndexRange(@TempDir Path dir) throws Exception {
        String url = "jdbc:sqlite:" + dir.resolve("s.db");
        try (TreeStore s = TreeStore.open(url); Connection c = DriverManager.getConnection(url)) {
            s.write(randomTrees(new Random(5), 300, System.currentTimeMillis() * 1000));
            assertThat(plan(c, "SELECT COUNT(*) FROM hiq_tree")).isEqualTo("SCAN hiq_tree USING COVERING INDEX hiq_tree_id_hash");
            for (boolean bounded : new boolean[] {false, true}) {
                assertThat(plan(c, ServiceOverview.countSql(true, bounded))).as("overview, bounded %s", bounded)
                        .startsWith("SEARCH hiq_tree USING INDEX hiq_tree_service_start (service=? AND start_us>?");
            }
            assertThat(plan(c, TreeStore.DELETE_OLDEST_OF_SERVICE))
                    .contains("SEARCH hiq_tree USING COVERING INDEX hiq_tree_service_start (service=? AND start_us<?)")
                    .doesNotContain("TEMP B-TREE");
            assertThat(plan(c, "SELECT id, service, root_tag, start_us, latency_us, json FROM hiq_tree WHERE service = ?"
                    + " ORDER BY start_us DESC, id LIMIT ?")).startsWith("SEARCH hiq_tree USING INDEX hiq_tree_service_start (service=?)");
        }
    }
}
