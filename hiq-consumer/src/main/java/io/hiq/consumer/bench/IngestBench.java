package io.hiq.consumer.bench;

import io.hiq.consumer.broker.EmbeddedBroker;
import io.hiq.consumer.ingest.DeadLetterFile;
import io.hiq.consumer.ingest.IngestLoop;
import io.hiq.consumer.ingest.IngestMetrics;
import io.hiq.consumer.ingest.IngestOptions;
import io.hiq.consumer.ingest.ServiceHealth;
import io.hiq.consumer.store.TagStats;
import io.hiq.consumer.store.TreeQuery;
import io.hiq.consumer.store.TreeStore;
import io.hiq.tree.HiQNode;
import io.hiq.tree.HiQTree;
import io.hiq.tree.TreeCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Benchmark of one consumer instance end to end (not a test): a backlog of synthetic 8-node trees
 * (with extras) is published to a topic of an in-process KRaft broker ({@link EmbeddedBroker}) first;
 * then the service's own {@link IngestLoop} — the same Kafka client settings, decode, validation,
 * batch write, flush and offset commits as {@code bin/hiq consumer} — ingests it into a fresh store.
 * Timed from the first stored tree to the last. Afterwards the store is checked: every tree stored
 * once and the roll-ups' count and sum per tag exactly those of the trees published (exit code 1
 * otherwise). Then {@code /api/stats} and {@code /api/trees} queries are timed over what was stored.
 *
 * <pre>
 * java -cp 'hiq-consumer/target/hiq-consumer.jar:hiq-consumer/target/broker-lib/*' io.hiq.consumer.bench.IngestBench [--store h2]
 * … io.hiq.consumer.bench.PostgresIngestBench (test class path: the same against an embedded PostgreSQL)
 * </pre>
 */
@Command(name = "IngestBench", mixinStandardHelpOptions = true, description = "Consumer ingest (Kafka -> loop -> store) and /api/stats benchmark")
public final class IngestBench implements Callable<Integer> {
    @Option(names = "--trees", defaultValue = "200000", description = "backlog of trees to ingest (default ${DEFAULT-VALUE})")
    int trees;

    @Option(names = "--partitions", defaultValue = "4", description = "partitions of the topic (default ${DEFAULT-VALUE})")
    int partitions;

    @Option(names = "--store", description = "JDBC URL, or 'sqlite' / 'h2' for a fresh file of that kind in a temporary directory"
            + " (default: the service's default store, a SQLite file, in a temporary directory)")
    String store;

    @Option(names = "--warmup", defaultValue = "0", description = "trees ingested first, from another topic into another"
            + " store, so that the timed run meets compiled code: a service that has been running (default ${DEFAULT-VALUE}: a cold JVM)")
    int warmup;

    @Option(names = "--warmup-rounds", defaultValue = "1", description = "at most this many warm-up rounds of --warmup trees"
            + " each (own topic, group and store); with more than one, the rounds stop once one spent under 2 % of its wall"
            + " time compiling (the JIT is done: a service that has been running for a while) (default ${DEFAULT-VALUE})")
    int warmupRounds;

    @Option(names = "--consumer-property", description = "a Kafka consumer setting NAME=VALUE for the ingest loop"
            + " (repeatable; the service takes the same through its own options)")
    Map<String, String> consumerProperties = new java.util.LinkedHashMap<>();

    @Option(names = "--queries", defaultValue = "30", description = "/api/stats queries to time (default ${DEFAULT-VALUE})")
    int queries;

    private static final String[] SERVICES = {"orders", "billing", "search", "auth"};
    /** The tags of the 8 nodes: root, then 7 descendants. */
    private static final String[] TAGS = {"handle", "parse", "query", "render", "cache", "auth_check", "serialize", "send"};

    /**
     * Tree {@code i} of {@code n}: 8 nodes (root, five children, two grandchildren), started in order
     * over the hour before {@code nowUs} (as a live stream arrives) with a few seconds of jitter,
     * extras on the root and one child like an HTTP handler's.
     */
    static HiQTree tree(SplittableRandom rnd, int i, int n, long nowUs) {
        long start = nowUs - 3_600_000_000L + (long) (3_600_000_000.0 * i / n) - rnd.nextLong(5_000_000L);
        long span = 50_000 + rnd.nextLong(50_000_000L);
        HiQNode root = HiQNode.of(TAGS[0], start, start + span / 1000, 0, span);
        root.putExtra("http.method", "GET").putExtra("http.status", 200).putExtra("user", "u" + rnd.nextInt(10_000));
        long cursor = 0;
        for (int c = 1; c <= 5; c++) {
            long s = rnd.nextLong(1, Math.max(2, (span - cursor) / 2));
            HiQNode child = HiQNode.of(TAGS[c], start + cursor / 1000, start + (cursor + s) / 1000, cursor, cursor + s);
            root.addChild(child);
            if (c == 2) child.putExtra("sql", "SELECT * FROM orders WHERE id = ?");
            if (c == 3 || c == 5) { // one grandchild under "query" and one under "cache"
                long g = Math.max(1, s / 3);
                child.addChild(HiQNode.of(TAGS[c == 3 ? 6 : 7], start + cursor / 1000, start + (cursor + g) / 1000, cursor, cursor + g));
            }
            cursor += s;
        }
        return HiQTree.builder().id(String.format(Locale.ROOT, "%016x%016x", rnd.nextLong(), i)).service(SERVICES[i % SERVICES.length])
                .host("bench").pid(1).thread("http-nio-8080-exec-" + (i % 16)).overheadNs(1000).mode("concise").root(root).build();
    }

    private static void count(HiQNode n, Map<String, long[]> expected) {
        long[] e = expected.computeIfAbsent(n.name(), k -> new long[2]);
        e[0]++;
        e[1] += n.span();
        for (HiQNode c : n.children()) count(c, expected);
    }

    @Override
    public Integer call() throws Exception {
        Path tmp = Files.createTempDirectory("hiq-ingest-bench");
        String url = store == null || store.equals("sqlite") ? io.hiq.consumer.ConsumerSettings.defaultStoreUrl(tmp.resolve("store"))
                : store.equals("h2") ? io.hiq.consumer.ConsumerSettings.legacyH2StoreUrl(tmp.resolve("store")) : store;
        long nowUs = System.currentTimeMillis() * 1000;
        String topic = "hiq-trees";
        Map<String, long[]> expected = new TreeMap<>();
        int code = 0;
        try (EmbeddedBroker broker = new EmbeddedBroker(0, tmp.resolve("kafka"), partitions).start()) {
            // the backlog is published before the warm-up: the producer's and the broker's produce
            // path then run before the warm-up ingest, not between it and the timed run (where the
            // JIT recompiled shared code, Kafka's network layer, during the timed ingest)
            System.out.printf(Locale.ROOT, "publishing %d trees to %d partitions...%n", trees, partitions);
            long bytes = publish(broker.bootstrap(), topic, trees, 42, nowUs, expected);
            System.out.printf(Locale.ROOT, "published %d trees, %.0f bytes each on average%n", trees, (double) bytes / trees);
            if (warmup > 0) warmUp(broker.bootstrap(), tmp, nowUs);
            try (TreeStore s = TreeStore.open(url); DeadLetterFile dead = new DeadLetterFile(tmp.resolve("dead-letters.jsonl"))) {
                IngestMetrics metrics = new IngestMetrics();
                IngestLoop loop = loop(broker.bootstrap(), topic, "hiq-ingest-bench", s, dead, metrics);
                Thread t = new Thread(loop, "hiq-ingest");
                t.start();
                java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
                while (metrics.ingested() == 0) LockSupport.parkNanos(100_000);
                long t0 = System.nanoTime();
                long cpu0 = mx.getThreadCpuTime(t.getId());
                long[] sched0 = schedstat("hiq-ingest");
                long[] writer0 = schedstat("hiq-store-write");
                long proc0 = processCpuNanos();
                long jit0 = java.lang.management.ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
                Map<Long, long[]> threads0 = threadCpu(mx);
                awaitStored(metrics, trees);
                long t1 = System.nanoTime();
                long cpu = mx.getThreadCpuTime(t.getId()) - cpu0;
                long[] sched1 = schedstat("hiq-ingest");
                long[] writer1 = schedstat("hiq-store-write");
                long proc = processCpuNanos() - proc0;
                long jitMs = java.lang.management.ManagementFactory.getCompilationMXBean().getTotalCompilationTime() - jit0;
                Map<Long, long[]> threads1 = threadCpu(mx);
                double secs = (t1 - t0) / 1e9;
                loop.stop(Duration.ofSeconds(30));
                System.out.printf(Locale.ROOT, "ingest: %d trees (%d nodes each) in %.2f s = %.0f trees/s (first stored to last) into %s;"
                                + " %d batches, %d redelivered, %d dead letters%n",
                        metrics.ingested(), TAGS.length, secs, metrics.ingested() / secs, s.dialect(), metrics.batches(),
                        metrics.duplicates(), dead.count());
                // wall-clock rates depend on what else runs on the machine; CPU per tree does much less
                System.out.printf(Locale.ROOT, "cpu: ingest thread %.1f us per tree (%.0f trees/s per busy core);"
                                + " whole process (broker included) %.1f us per tree; load average %.2f%n",
                        cpu / 1e3 / metrics.ingested(), metrics.ingested() / (cpu / 1e9), proc / 1e3 / metrics.ingested(),
                        java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
                printThreads(mx, threads0, threads1, proc, metrics.ingested());
                // where the threads' wall time went: on a core, runnable but waiting for one (the
                // machine's other threads and processes), or not runnable (waiting for Kafka's fetch,
                // for the other thread, a GC pause, a lock)
                wallSplit("ingest thread", sched0, sched1, t1 - t0);
                wallSplit("store writer thread", writer0, writer1, t1 - t0);
                System.out.printf(Locale.ROOT, "jit: compiling for %d ms during the timed run (%.0f %% of it)%n", jitMs, 100 * jitMs / (secs * 1000));
                code = check(s, expected) ? 0 : 1;
                queries(s, nowUs);
            }
        } finally {
            deleteTree(tmp);
        }
        return code;
    }

    /** Names of the threads seen by {@link #threadCpu}: a thread may have ended by the report. */
    private static final Map<Long, String> NAMES = new java.util.concurrent.ConcurrentHashMap<>();

    /** Every live thread's CPU time (ns) by id, with its name kept for the report. */
    private static Map<Long, long[]> threadCpu(java.lang.management.ThreadMXBean mx) {
        Map<Long, long[]> out = new java.util.HashMap<>();
        for (java.lang.management.ThreadInfo info : mx.getThreadInfo(mx.getAllThreadIds())) {
            if (info != null) NAMES.put(info.getThreadId(), info.getThreadName());
        }
        for (long id : mx.getAllThreadIds()) out.put(id, new long[] {mx.getThreadCpuTime(id)});
        return out;
    }

    /**
     * Where the process's CPU went during the ingest, per tree: the busiest threads, the broker's
     * threads together, and what no Java thread accounts for (GC, JIT compilers, the VM).
     */
    private static void printThreads(java.lang.management.ThreadMXBean mx, Map<Long, long[]> before, Map<Long, long[]> after,
                                     long proc, long n) {
        Map<String, Long> byGroup = new TreeMap<>();
        long javaThreads = 0;
        for (Map.Entry<Long, long[]> e : after.entrySet()) {
            long[] b = before.get(e.getKey());
            long d = e.getValue()[0] - (b == null ? 0 : b[0]);
            if (d <= 0) continue;
            javaThreads += d;
            String name = NAMES.getOrDefault(e.getKey(), "?");
            String group = name.equals("hiq-ingest") ? "ingest thread"
                    : name.equals("hiq-store-write") ? "store writer thread"
                    : name.startsWith("kafka-consumer") || name.startsWith("consumer_background") ? "Kafka consumer client"
                    : name.startsWith("main") ? "main" : "broker and other";
            byGroup.merge(group, d, Long::sum);
        }
        byGroup.put("GC, JIT and VM (no Java thread)", Math.max(0, proc - javaThreads));
        StringBuilder line = new StringBuilder("cpu by thread, us per tree:");
        byGroup.forEach((g, d) -> line.append(String.format(Locale.ROOT, " %s %.1f;", g, d / 1e3 / n)));
        System.out.println(line);
    }

    private static void wallSplit(String thread, long[] before, long[] after, long wall) {
        if (before == null || after == null) return;
        long run = after[0] - before[0];
        long queued = after[1] - before[1];
        System.out.printf(Locale.ROOT, "%s wall time: %.0f %% on a core, %.0f %% waiting for a core,"
                        + " %.0f %% not runnable (Kafka fetch, the other thread, GC pauses, locks)%n",
                thread, 100.0 * run / wall, 100.0 * queued / wall, 100.0 * Math.max(0, wall - run - queued) / wall);
    }

    /**
     * Linux only: the named thread's {@code /proc/self/task/TID/schedstat} — nanoseconds on a core
     * and nanoseconds runnable but waiting for one; null elsewhere or when not found.
     */
    private static long[] schedstat(String threadName) {
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                if (!Files.readString(task.resolve("comm")).strip().equals(threadName)) continue;
                String[] f = Files.readString(task.resolve("schedstat")).strip().split(" ");
                return new long[] {Long.parseLong(f[0]), Long.parseLong(f[1])};
            }
        } catch (java.io.IOException | RuntimeException e) {
            // not Linux, or the thread ended: the line is left out
        }
        return null;
    }

    private static long processCpuNanos() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : -1;
    }

    /**
     * Ingests {@link #warmup} other trees (another topic, group and store, deleted afterwards) through
     * the same loop, in up to {@link #warmupRounds} rounds: the JIT compiles the decode, store and Kafka
     * client paths before the timed run.
     */
    private void warmUp(String bootstrap, Path tmp, long nowUs) throws Exception {
        java.lang.management.CompilationMXBean jit = java.lang.management.ManagementFactory.getCompilationMXBean();
        for (int round = 1; round <= Math.max(1, warmupRounds); round++) {
            String topic = "hiq-warmup-" + round;
            publish(bootstrap, topic, warmup, 7 + round, nowUs, new TreeMap<>());
            System.out.printf(Locale.ROOT, "warming up, round %d: %d trees through the same loop into another store...%n", round, warmup);
            Path dir = tmp.resolve("warmup-" + round);
            long jit0 = jit.getTotalCompilationTime();
            long t0 = System.nanoTime();
            try (TreeStore s = TreeStore.open(io.hiq.consumer.ConsumerSettings.defaultStoreUrl(dir));
                 DeadLetterFile dead = new DeadLetterFile(dir.resolve("dead-letters.jsonl"))) {
                IngestMetrics metrics = new IngestMetrics();
                IngestLoop loop = loop(bootstrap, topic, "hiq-ingest-bench-" + topic, s, dead, metrics);
                new Thread(loop, "hiq-ingest-warmup").start();
                awaitStored(metrics, warmup);
                loop.stop(Duration.ofSeconds(30));
            }
            double wallMs = (System.nanoTime() - t0) / 1e6;
            long jitMs = jit.getTotalCompilationTime() - jit0;
            System.out.printf(Locale.ROOT, "warm-up round %d: %.0f ms, of which the JIT compiled for %d ms%n", round, wallMs, jitMs);
            deleteTree(dir);
            if (warmupRounds > 1 && jitMs < 0.02 * wallMs) break;
        }
    }

    /** The service's own loop with its default options, over {@code topic} as consumer group {@code group}. */
    private IngestLoop loop(String bootstrap, String topic, String group, TreeStore store, DeadLetterFile dead, IngestMetrics metrics) {
        Properties p = new Properties();
        p.putAll(consumerProperties);
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        IngestOptions options = IngestOptions.defaults();
        return new IngestLoop(p, topic, store, dead, metrics, new ServiceHealth(options.storeDownAfter()), options);
    }

    /** Waits (polling every ms, at most 10 minutes) until {@code n} trees were stored or seen again. */
    private static void awaitStored(IngestMetrics metrics, long n) {
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (metrics.ingested() + metrics.duplicates() < n && System.nanoTime() < deadline) LockSupport.parkNanos(1_000_000);
    }

    /** Publishes the backlog and waits for every acknowledgement; returns the bytes sent. */
    private long publish(String bootstrap, String topic, int trees, long seed, long nowUs, Map<String, long[]> expected) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, "262144");
        // on a loaded machine a produce request can take long: no idempotence (whose sequence
        // numbers got stuck out of order after a timed-out request), one request in flight (order
        // kept), long timeouts; a duplicate from a retry would only show as "redelivered"
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
        p.put(ProducerConfig.ACKS_CONFIG, "1");
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "300000");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "600000");
        SplittableRandom rnd = new SplittableRandom(seed);
        long bytes = 0;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            List<Future<?>> acks = new ArrayList<>();
            for (int i = 0; i < trees; i++) {
                HiQTree t = tree(rnd, i, trees, nowUs);
                count(t.root(), expected);
                byte[] v = TreeCodec.encode(t);
                bytes += v.length;
                acks.add(producer.send(new ProducerRecord<>(topic, i % partitions, null, v)));
                if (acks.size() == 20_000) { // bounded memory in flight
                    for (Future<?> f : acks) f.get();
                    acks.clear();
                }
            }
            producer.flush();
            for (Future<?> f : acks) f.get();
        }
        return bytes;
    }

    /** Whether the store holds every tree once and the roll-ups' counts and sums per tag are exact. */
    private boolean check(TreeStore s, Map<String, long[]> expected) throws Exception {
        boolean ok = s.treeCount() == trees;
        Map<String, TagStats> got = new TreeMap<>();
        for (TagStats st : s.stats(null, null, null)) got.put(st.tag(), st);
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            TagStats st = got.get(e.getKey());
            // sums are compared in ms as the API reports them: exact to well below a nanosecond per span
            if (st == null || st.count() != e.getValue()[0] || Math.abs(st.sumMs() - e.getValue()[1] / 1e6) > 1e-6 * Math.max(1, st.sumMs())) {
                System.out.printf(Locale.ROOT, "MISMATCH tag %s: expected count %d sum %d ns, stored %s%n", e.getKey(),
                        e.getValue()[0], e.getValue()[1], st);
                ok = false;
            }
        }
        if (got.size() != expected.size()) ok = false;
        System.out.printf(Locale.ROOT, "check: %d trees stored (expected %d); per-tag count and sum %s%n", s.treeCount(), trees,
                ok ? "exact" : "WRONG");
        return ok;
    }

    private void queries(TreeStore s, long nowUs) throws Exception {
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

    private static void deleteTree(Path dir) throws java.io.IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new IngestBench()).execute(args));
    }
}
