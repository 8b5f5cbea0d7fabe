package io.hiq.consumer.bench;

import io.hiq.consumer.ingest.TreeValidator;
import io.hiq.consumer.store.StoredTree;
import io.hiq.consumer.store.TreeStore;
import io.hiq.tree.TreeCodec;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The SQLite store write alone (not a test): {@link IngestBench}'s trees, decoded and validated
 * beforehand, written with {@link TreeStore#write} in batches into a fresh file by one thread, after
 * a warm-up store of its own; prints that thread's CPU and wall time per tree and the file sizes.
 * No Kafka and no broker in the process, so it tells store changes apart on a loaded machine better
 * than the end-to-end bench.
 *
 * <pre>
 * java -Xmx1g -cp hiq-consumer/target/hiq-consumer.jar io.hiq.consumer.bench.StoreWriteBench [TREES [BATCH [WARMUP]]]
 * </pre>
 * (defaults 200 000 trees, 10 000 per batch — what the ingest loop's batches hold — and 100 000). Past
 * 100 000 trees, a line per 100 000 shows how the cost per tree grows with the table.
 */
public final class StoreWriteBench {
    private StoreWriteBench() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        int warm = args.length > 2 ? Integer.parseInt(args[2]) : 100_000;
        Path dir = Files.createTempDirectory("hiq-store-bench");
        try {
            run(dir.resolve("warm.db"), warm, batch, 7, false);
            run(dir.resolve("timed.db"), n, batch, 11, true);
        } finally {
            try (var w = Files.walk(dir)) {
                w.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static long cpuNs() { return ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime(); }

    /** Trees decoded and written per round: the store's growth shows round by round, and the heap holds one round. */
    private static final int ROUND = 100_000;

    private static void run(Path db, int n, int batch, long seed, boolean print) throws Exception {
        SplittableRandom rnd = new SplittableRandom(seed);
        long now = System.currentTimeMillis() * 1000;
        try (TreeStore s = TreeStore.open("jdbc:sqlite:" + db)) {
            long cpu = 0;
            long wall = 0;
            for (int from = 0; from < n; from += ROUND) {
                int to = Math.min(n, from + ROUND);
                List<StoredTree> all = new ArrayList<>(to - from);
                for (int i = from; i < to; i++) all.add(TreeValidator.validate(TreeCodec.encode(IngestBench.tree(rnd, i, n, now))));
                long c0 = cpuNs();
                long t0 = System.nanoTime();
                for (int i = 0; i < all.size(); i += batch) s.write(all.subList(i, Math.min(all.size(), i + batch)));
                long c = cpuNs() - c0;
                long w = System.nanoTime() - t0;
                cpu += c;
                wall += w;
                // the cost per tree grows with the table: random-order index inserts dirty more pages per commit
                if (print && n > ROUND) {
                    System.out.printf("  trees %d-%d: writer thread %.1f us CPU/tree, wall %.1f us/tree; db %d MiB%n",
                            from, to, c / 1e3 / all.size(), w / 1e3 / all.size(), Files.size(db) >> 20);
                }
            }
            Path wal = db.resolveSibling(db.getFileName() + "-wal");
            if (print) {
                System.out.printf("store write: %d trees in batches of %d: writer thread %.1f us CPU/tree, wall %.1f us/tree;"
                                + " wal %d MiB db %d MiB; load %s%n", n, batch, cpu / 1e3 / n, wall / 1e3 / n,
                        Files.exists(wal) ? Files.size(wal) >> 20 : -1, Files.size(db) >> 20,
                        Files.readString(Path.of("/proc/loadavg")).trim());
            }
        }
    }
}
