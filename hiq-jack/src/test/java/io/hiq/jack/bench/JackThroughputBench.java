package io.hiq.jack.bench;

import io.hiq.core.spi.TreeSink;
import io.hiq.jack.JackExtension;
import io.hiq.tree.ArrayTreeView;
import io.hiq.jack.support.TestContext;
import io.hiq.tree.HiQNode;
import io.hiq.tree.HiQTree;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * Throughput of Jack to an in-process KRaft broker: trees/s and spans/s published (acknowledged,
 * {@code acks=all}), and the time {@link TreeSink#accept} costs the calling thread.
 *
 * <p>Arguments: {@code [trees (default 300000)] [spans per tree (default 10)] [jackLog on|off (default on)]
 * [profile|noprofile] [producer variants] [objects|views (default objects)]}: {@code views} hands Jack
 * the trees as the assembler does when no sink needs objects (arrays, encoded on the calling thread).
 * Each variant is one run with no warm-up of its own: the JIT and the GC settle only after several
 * hundred thousand trees, so give the same variant several times and read the last run
 * ({@code hiq-jack/scripts/throughput.sh} does). Prints process CPU per span and CPU by thread
 * (this run only; GC and JIT threads are not Java threads and only show in the process figure).
 * Not a unit test: run it by hand (see docs/JACK.md).
 */
public final class JackThroughputBench {
    private JackThroughputBench() {}

    public static void main(String[] args) throws Exception {
        int trees = args.length > 0 ? Integer.parseInt(args[0]) : 300_000;
        int spans = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        boolean jackLog = args.length <= 2 || !args[2].equals("off");
        boolean profile = args.length > 3 && args[3].equals("profile");
        // fifth argument: producer settings compared side by side against the same broker, e.g.
        // "compression.type=none;compression.type=lz4;compression.type=zstd" (each run: key=value&key=value)
        List<String> variants = args.length > 4 && !args[4].isBlank() ? List.of(args[4].split(";")) : List.of("");
        boolean views = args.length > 5 && args[5].equals("views");
        EmbeddedKafkaKraftBroker broker = new EmbeddedKafkaKraftBroker(1, 4, "hiq-bench");
        broker.afterPropertiesSet();
        try {
            List<HiQTree> input = build(trees, spans);
            for (String variant : variants) runOnce(broker, input, views, trees, spans, jackLog, profile, variant);
        } finally {
            broker.destroy();
        }
    }

    private static void runOnce(EmbeddedKafkaKraftBroker broker, List<HiQTree> input, boolean views, int trees, int spans, boolean jackLog,
                                boolean profile, String variant) throws Exception {
        Path home = Files.createTempDirectory("hiq-jack-bench");
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        Map<String, Long> cpuBefore = cpuByThread();
        long cpu0 = os.getProcessCpuTime();
        {
            Map<String, String> vars = new HashMap<>();
            if (!variant.isBlank()) {
                Path props = home.resolve("producer.properties");
                Files.writeString(props, variant.replace('&', '\n') + "\n");
                vars.put("HIQ_KAFKA_PROPS", props.toString());
            }
            vars.put("JACK", "1");
            vars.put("HIQ_HOME", home.toString());
            vars.put("HIQ_KAFKA_BOOTSTRAP", broker.getBrokersAsString());
            vars.put("HIQ_KAFKA_TOPIC", "hiq-bench");
            vars.put("HIQ_JACK_QUEUE", "65536");
            if (!jackLog) vars.put("NO_JACK_LOG", "1");
            TestContext ctx = new TestContext(vars);
            JackExtension jack = new JackExtension();
            jack.start(ctx);
            TreeSink sink = ctx.sink();

            Map<String, Integer> samples = new java.util.concurrent.ConcurrentHashMap<>();
            Thread sampler = profile ? sampler(samples) : null;
            long acceptNanos = 0;
            long t0 = System.nanoTime();
            int chunk = 256;
            for (int i = 0; i < trees; i += chunk) {
                long a = System.nanoTime();
                int end = Math.min(trees, i + chunk);
                // views are laid out as the tree is handed over (short-lived, as the assembler's reused
                // arrays would be): 200 000 views held at once would only measure the GC
                if (views) for (int k = i; k < end; k++) sink.acceptView(new ArrayTreeView(input.get(k)));
                else for (int k = i; k < end; k++) sink.accept(input.get(k));
                sink.endOfBatch();
                acceptNanos += System.nanoTime() - a;
                // pace like a busy application would: never more than the queue holds at once
                // (parked, not spinning: on a small machine a spinning feeder takes the CPU Jack needs)
                while (ctx.counters().get("JackPublished") + ctx.counters().get("JackSpooled") < i - 60_000) {
                    java.util.concurrent.locks.LockSupport.parkNanos(100_000);
                }
            }
            long fed = System.nanoTime();
            while (ctx.counters().get("JackPublished") + ctx.counters().get("JackReplayed") < trees) {
                TimeUnit.MILLISECONDS.sleep(5);
                if (System.nanoTime() - fed > TimeUnit.SECONDS.toNanos(300)) break;
            }
            long t1 = System.nanoTime();
            if (sampler != null) sampler.interrupt();
            long cpu1 = os.getProcessCpuTime();
            Map<String, Long> cpuByThread = cpuByThread();
            cpuBefore.forEach((k, v) -> cpuByThread.merge(k, -v, Long::sum));
            String budget = jack.pipeline().publisher() instanceof io.hiq.jack.kafka.KafkaTreePublisher k
                    ? String.format("in-flight budget %d MiB: %d waits, %d ended busy", k.budget().limit() >> 20,
                        k.budget().waits(), k.budget().timeouts())
                    : "no in-flight budget";
            ctx.exit(5000);
            double secs = (t1 - t0) / 1e9;
            long done = ctx.counters().get("JackPublished") + ctx.counters().get("JackReplayed");
            System.out.printf("jack bench: %d trees x %d spans, jack log %s, producer %s, handed over as %s%n", trees, spans,
                    jackLog ? "on" : "off", variant.isBlank() ? "defaults" : variant, views ? "views" : "objects");
            System.out.printf("  published %d trees in %.2f s: %.0f trees/s, %.0f spans/s%n", done, secs, done / secs, done * (double) spans / secs);
            System.out.printf("  accept() on the calling thread: %.0f ns per tree (incl. overflow to spool: %d spooled)%n",
                    acceptNanos / (double) trees, ctx.counters().get("JackSpooled"));
            System.out.printf("  counters: %s%n", ctx.counters().snapshot());
            System.out.printf("  %s%n", budget);
            System.out.printf("  process CPU %.2f s over %.2f s wall (%d cores): %.0f ns CPU per span; by thread, this run:%n",
                    (cpu1 - cpu0) / 1e9,
                    secs, Runtime.getRuntime().availableProcessors(), (cpu1 - cpu0) / (done * (double) spans));
            cpuByThread.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue(), a.getValue())).limit(10)
                    .forEach(e -> System.out.printf("    %-50s %.2f s  %4.0f ns/span%n", e.getKey(), e.getValue() / 1e9,
                            e.getValue() / (done * (double) spans)));
            if (profile) {
                System.out.println("  batcher samples (innermost frame of interest):");
                samples.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue()).limit(25)
                        .forEach(e -> System.out.printf("    %6d  %s%n", e.getValue(), e.getKey()));
            }
        }
    }

    /** CPU time of every live thread, by name with digits as N (threads of a kind summed); GC and JIT are not threads here. */
    static Map<String, Long> cpuByThread() {
        Map<String, Long> out = new HashMap<>();
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        for (long id : mx.getAllThreadIds()) {
            java.lang.management.ThreadInfo ti = mx.getThreadInfo(id);
            long cpu = mx.getThreadCpuTime(id);
            if (ti != null && cpu > 0) out.merge(ti.getThreadName().replaceAll("\\d+", "N"), cpu, Long::sum);
        }
        return out;
    }

    /** Samples the batcher's stack every millisecond: a poor man's profiler, no agent needed. */
    static Thread sampler(Map<String, Integer> samples) {
        Thread t = new Thread(() -> {
            Thread target = null;
            while (!Thread.currentThread().isInterrupted()) {
                if (target == null) {
                    for (Thread c : Thread.getAllStackTraces().keySet()) if (c.getName().equals("hiq-jack-batcher")) target = c;
                }
                if (target != null) {
                    StackTraceElement[] st = target.getStackTrace();
                    String key = "idle";
                    for (StackTraceElement e : st) {
                        String c = e.getClassName();
                        if (c.startsWith("java.") || c.startsWith("jdk.") || c.startsWith("sun.")) continue;
                        key = c.substring(c.lastIndexOf('.') + 1) + "." + e.getMethodName();
                        break;
                    }
                    String top = st.length > 0 ? st[0].getClassName().substring(st[0].getClassName().lastIndexOf('.') + 1) + "." + st[0].getMethodName() : "-";
                    samples.merge(key + "  <" + top + ">", 1, Integer::sum);
                }
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "bench-sampler");
        t.setDaemon(true);
        t.start();
        return t;
    }

    static List<HiQTree> build(int trees, int spans) {
        List<HiQTree> out = new ArrayList<>(trees);
        long t = 1_700_000_000_000_000L;
        for (int i = 0; i < trees; i++) {
            HiQNode root = new HiQNode("handle_request", t, 0);
            HiQNode parent = root;
            for (int s = 1; s < spans; s++) {
                HiQNode n = HiQNode.of(s % 3 == 0 ? "db_query" : "service_call", t + s, t + s + 5, s * 1000L, s * 1000L + 4200);
                parent.addChild(n);
                if (s % 4 == 0) parent = n;
            }
            root.close(t + 100, 100_000);
            out.add(HiQTree.builder().id("bench-" + i + "-" + Long.toHexString(System.nanoTime())).service("bench").host("h")
                    .pid(1).thread("worker-" + (i % 8)).mode("concise").overheadNs(150).root(root).build());
            t += 100;
        }
        return out;
    }
}
