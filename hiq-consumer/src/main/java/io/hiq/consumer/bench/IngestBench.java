package io.hiq.consumer.bench;

import io.hiq.consumer.ingest.IngestLoop;
import io.hiq.consumer.ingest.TreeValidator;
import io.hiq.consumer.store.StoredTree;
import io.hiq.consumer.store.TreeQuery;
import io.hiq.consumer.store.TreeStore;
import io.hiq.tree.HiQNode;
import io.hiq.tree.HiQTree;
import io.hiq.tree.TreeCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Benchmark of the consumer's store side (not a test): decodes, validates and writes synthetic trees
 * in poll-sized batches, one transaction each, exactly as the ingest loop does, and reports trees/s;
 * then times {@code /api/stats} queries (one hour, all services) over what was stored. Kafka itself is
 * not in the loop: this measures what one instance can absorb.
 *
 * <pre>
 * java -cp hiq-consumer/target/hiq-consumer.jar io.hiq.consumer.bench.IngestBench --trees 1000000
 * java -cp hiq-consumer/target/hiq-consumer.jar io.hiq.consumer.bench.IngestBench --store jdbc:postgresql://…
 * </pre>
 */
@Command(name = "IngestBench", mixinStandardHelpOptions = true, description = "Consumer store ingest and /api/stats benchmark")
public final class IngestBench implements Callable<Integer> {
    @Option(names = "--trees", defaultValue = "200000", description = "trees to ingest (default ${DEFAULT-VALUE})")
    int trees;

    @Option(names = "--batch", defaultValue = "500", description = "trees per transaction, as max.poll.records (default ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--store", description = "JDBC URL (default: a fresh H2 file in a temporary directory)")
    String store;

    @Option(names = "--queries", defaultValue = "30", description = "/api/stats queries to time (default ${DEFAULT-VALUE})")
    int queries;

    private static final String[] SERVICES = {"orders", "billing", "search", "auth"};
    private static final String[] TAGS = {"handle", "parse", "query", "render", "cache", "auth_check"};

    /**
     * Tree {@code i} of {@code n}: 6 nodes, started in order over the hour before {@code nowUs} (as a
     * live stream arrives), with a few seconds of jitter.
     */
    static byte[] tree(SplittableRandom rnd, int i, int n, long nowUs) {
        long start = nowUs - 3_600_000_000L + (long) (3_600_000_000.0 * i / n) - rnd.nextLong(5_000_000L);
        long span = 50_000 + rnd.nextLong(50_000_000L);
        HiQNode root = HiQNode.of(TAGS[0], start, start + span / 1000, 0, span);
        long cursor = 0;
        for (int c = 1; c < TAGS.length; c++) {
            long s = rnd.nextLong(1, Math.max(2, (span - cursor) / 2));
            root.addChild(HiQNode.of(TAGS[c], start + cursor / 1000, start + (cursor + s) / 1000, cursor, cursor + s));
            cursor += s;
        }
        return TreeCodec.encode(HiQTree.builder().id("bench-" + i).service(SERVICES[i % SERVICES.length]).host("bench")
                .pid(1).thread("main").overheadNs(1000).mode("concise").root(root).build());
    }

    @Override
    public Integer call() throws Exception {
        Path tmp = null;
        String url = store;
        if (url == null) {
            tmp = Files.createTempDirectory("hiq-ingest-bench");
            url = "jdbc:h2:file:" + tmp.resolve("store");
        }
        long nowUs = System.currentTimeMillis() * 1000;
        System.out.printf(Locale.ROOT, "generating %d trees...%n", trees);
        SplittableRandom rnd = new SplittableRandom(42);
        List<byte[]> records = new ArrayList<>(trees);
        for (int i = 0; i < trees; i++) records.add(tree(rnd, i, trees, nowUs));
        try (TreeStore s = TreeStore.open(url)) {
            // warm-up on the first batches is part of the run: a consumer starts cold too
            long t0 = System.nanoTime();
            long lastFlush = t0;
            for (int from = 0; from < trees; from += batch) {
                List<StoredTree> b = new ArrayList<>(batch);
                for (byte[] r : records.subList(from, Math.min(trees, from + batch))) b.add(TreeValidator.validate(r));
                s.write(b);
                if (System.nanoTime() - lastFlush >= IngestLoop.COMMIT_INTERVAL_MS * 1_000_000L) { // as the ingest loop does
                    s.flush();
                    lastFlush = System.nanoTime();
                }
            }
            s.flush();
            double secs = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "ingest: %d trees (%d nodes each) in %.2f s = %.0f trees/s into %s, %d per transaction%n",
                    trees, TAGS.length, secs, trees / secs, s.dialect(), batch);
            long from = nowUs / 1000 - 3_600_000L;
            long[] ns = new long[queries];
            for (int q = 0; q < queries; q++) {
                long q0 = System.nanoTime();
                s.stats(null, from, nowUs / 1000 + 60_000);
                ns[q] = System.nanoTime() - q0;
            }
            Arrays.sort(ns);
            System.out.printf(Locale.ROOT, "/api/stats over one hour (%d trees): median %.1f ms, max %.1f ms (%d queries)%n",
                    s.treeCount(), ns[queries / 2] / 1e6, ns[queries - 1] / 1e6, queries);
            for (TreeQuery tq : List.of(new TreeQuery(null, 0, false, 50), new TreeQuery(null, 0, true, 50),
                    new TreeQuery(SERVICES[1], 20, true, 50))) {
                for (int q = 0; q < queries; q++) {
                    long q0 = System.nanoTime();
                    s.trees(tq);
                    ns[q] = System.nanoTime() - q0;
                }
                Arrays.sort(ns);
                System.out.printf(Locale.ROOT, "/api/trees %s: median %.1f ms, max %.1f ms%n", tq, ns[queries / 2] / 1e6, ns[queries - 1] / 1e6);
            }
        }
        if (tmp != null) deleteTree(tmp);
        return 0;
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new IngestBench()).execute(args));
    }
}
