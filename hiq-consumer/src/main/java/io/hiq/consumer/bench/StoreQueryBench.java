package io.hiq.consumer.bench;

import io.hiq.consumer.ingest.TreeValidator;
import io.hiq.consumer.store.Migrations;
import io.hiq.consumer.store.ServiceOverview;
import io.hiq.consumer.store.StoredTree;
import io.hiq.consumer.store.TreeQuery;
import io.hiq.consumer.store.TreeStore;
import io.hiq.tree.TreeCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The read side of a SQLite store (not a test): {@link IngestBench}'s trees (4 services, over the
 * last hour) written into a fresh file, then the store's queries timed — the {@code /api/trees}
 * variants (newest and slowest, every service or one, root tag, latency bounds), the tree count,
 * the services overview — and one retention pass; with {@code --plans}, SQLite's plan of each
 * statement those calls run (the statements are written out here as the store builds them, for the
 * schema version found: a version-3 store still has the global start index).
 *
 * <pre>
 * java -Xmx1g -cp hiq-consumer/target/hiq-consumer.jar io.hiq.consumer.bench.StoreQueryBench [TREES [REPEATS]] [--plans]
 * </pre>
 * (defaults 200 000 trees, each query timed 15 times: the median and the maximum are printed).
 */
public final class StoreQueryBench {
    private StoreQueryBench() {}

    public static void main(String[] args) throws Exception {
        List<String> rest = new ArrayList<>(Arrays.asList(args));
        boolean plans = rest.remove("--plans");
        int n = rest.size() > 0 ? Integer.parseInt(rest.get(0)) : 200_000;
        int repeats = rest.size() > 1 ? Integer.parseInt(rest.get(1)) : 15;
        Path dir = Files.createTempDirectory("hiq-query-bench");
        try {
            run(dir.resolve("q.db"), n, repeats, plans);
        } finally {
            try (var w = Files.walk(dir)) {
                w.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** A timed call. */
    @FunctionalInterface
    private interface Call { void run() throws Exception; }

    private static void time(String what, int repeats, Call call) throws Exception {
        call.run(); // a first run reads the pages into the cache
        long[] ns = new long[repeats];
        for (int i = 0; i < repeats; i++) {
            long t0 = System.nanoTime();
            call.run();
            ns[i] = System.nanoTime() - t0;
        }
        Arrays.sort(ns);
        System.out.printf(Locale.ROOT, "%-58s median %8.2f ms  max %8.2f ms%n", what, ns[repeats / 2] / 1e6, ns[repeats - 1] / 1e6);
    }

    private static void run(Path db, int n, int repeats, boolean plans) throws Exception {
        SplittableRandom rnd = new SplittableRandom(11);
        long nowUs = System.currentTimeMillis() * 1000;
        String url = "jdbc:sqlite:" + db;
        try (TreeStore s = TreeStore.open(url)) {
            List<StoredTree> batch = new ArrayList<>(6_000);
            for (int i = 0; i < n; i++) {
                batch.add(TreeValidator.validate(TreeCodec.encode(IngestBench.tree(rnd, i, n, nowUs))));
                if (batch.size() == 6_000 || i == n - 1) {
                    s.write(batch);
                    batch.clear();
                }
            }
            int version;
            try (Connection c = DriverManager.getConnection(url)) {
                version = Migrations.currentVersion(c);
            }
            System.out.printf(Locale.ROOT, "%d trees, schema version %d; load %s%n", s.treeCount(), version,
                    Files.readString(Path.of("/proc/loadavg")).trim());
            if (plans) plans(url, version);
            long nowMs = nowUs / 1000;
            time("treeCount", repeats, s::treeCount);
            for (boolean slowest : new boolean[] {false, true}) {
                String o = slowest ? "slowest" : "newest";
                time("trees " + o + " all services", repeats, () -> s.trees(new TreeQuery(null, null, 0, -1, slowest, 50)));
                time("trees " + o + " one service", repeats, () -> s.trees(new TreeQuery("billing", null, 0, -1, slowest, 50)));
                time("trees " + o + " all services, root tag", repeats, () -> s.trees(new TreeQuery(null, "handle", 0, -1, slowest, 50)));
                time("trees " + o + " all services, latency >= 20 ms", repeats, () -> s.trees(new TreeQuery(null, null, 20, -1, slowest, 50)));
                time("trees " + o + " all services, latency 20..30 ms", repeats, () -> s.trees(new TreeQuery(null, null, 20, 30, slowest, 50)));
                time("trees " + o + " one service, latency >= 20 ms", repeats, () -> s.trees(new TreeQuery("billing", null, 20, -1, slowest, 50)));
            }
            ServiceOverview overview = new ServiceOverview(s);
            time("overview, last hour", repeats, () -> overview.services(nowMs - 3_600_000L, null, 20));
            time("overview, 5 minutes", repeats, () -> overview.services(nowMs - 600_000L, nowMs - 300_000L, 20));
            // retention: the trees of the first quarter of the hour, in transactions of 1 000
            long cutoffUs = nowUs - 3_600_000_000L + 900_000_000L;
            long t0 = System.nanoTime();
            long deleted = 0;
            int calls = 0;
            int d;
            do {
                d = s.deleteTreesBefore(cutoffUs, 1_000);
                deleted += d;
                calls++;
            } while (d == 1_000);
            long t1 = System.nanoTime();
            System.out.printf(Locale.ROOT, "retention: %d trees deleted in %d calls, %.1f ms, %.2f us per tree; %d left%n",
                    deleted, calls, (t1 - t0) / 1e6, (t1 - t0) / 1e3 / Math.max(1, deleted), s.treeCount());
        }
    }

    /** SQLite's plan of every statement the calls above run, as the store builds them for {@code version}. */
    private static void plans(String url, int version) throws SQLException {
        boolean perService = version >= 4;
        List<String> sql = new ArrayList<>();
        String cols = "SELECT id, service, root_tag, start_us, latency_us, json FROM hiq_tree";
        String[] bounds = {"", "latency_us >= ? AND ", "latency_us >= ? AND latency_us <= ? AND "};
        for (String order : new String[] {" ORDER BY start_us DESC, id", " ORDER BY latency_us DESC, id"}) {
            for (String b : bounds) {
                for (String tag : new String[] {"", " AND root_tag = ?"}) {
                    sql.add(cols + " WHERE " + b + "service = ?" + tag + order + " LIMIT ?");
                }
            }
        }
        for (String b : bounds) {
            for (String tag : new String[] {"", " AND root_tag = ?"}) sql.add("SELECT COUNT(*) FROM hiq_tree WHERE " + b + "service = ?" + tag);
        }
        sql.add("SELECT COUNT(*) FROM hiq_tree");
        sql.add("SELECT COUNT(*) FROM hiq_tree WHERE root_tag = ?");
        sql.add("SELECT json FROM hiq_tree WHERE id_hash = ? AND id = ?");
        if (perService) {
            sql.add("SELECT service, root_tag, COUNT(*) FROM hiq_tree WHERE service = ? AND start_us >= ? GROUP BY root_tag");
            sql.add("SELECT service, root_tag, COUNT(*) FROM hiq_tree WHERE service = ? AND start_us >= ? AND start_us < ? GROUP BY root_tag");
            sql.add("DELETE FROM hiq_tree WHERE seq IN (SELECT seq FROM hiq_tree WHERE service = ? AND start_us < ? ORDER BY start_us LIMIT ?)");
        } else {
            sql.add(cols + " ORDER BY start_us DESC, id LIMIT ?");
            sql.add(cols + " WHERE root_tag = ? ORDER BY start_us DESC, id LIMIT ?");
            sql.add("SELECT service, root_tag, COUNT(*) FROM hiq_tree WHERE start_us >= ? GROUP BY service, root_tag");
            sql.add("SELECT service, root_tag, COUNT(*) FROM hiq_tree WHERE start_us >= ? AND start_us < ? GROUP BY service, root_tag");
            sql.add("DELETE FROM hiq_tree WHERE seq IN (SELECT seq FROM hiq_tree WHERE start_us < ? ORDER BY start_us LIMIT ?)");
        }
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
            for (String q : sql) {
                StringBuilder plan = new StringBuilder();
                try (ResultSet rs = st.executeQuery("EXPLAIN QUERY PLAN " + q)) {
                    while (rs.next()) plan.append(plan.length() == 0 ? "" : " | ").append(rs.getString(4));
                }
                System.out.println("plan: " + q + "\n   -> " + plan);
            }
        }
    }
}
