package io.hiq.bench.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code bin/hiq bench [--quick]}: the side-by-side overhead harness (issue 7). Every configuration
 * runs the same {@link LoadApp} workload in its own JVM; rounds are interleaved (round 1 of every
 * configuration, then round 2, …) so that the shared machine's noise hits all of them alike.
 * Reports per configuration: ns per traced call added (median and spread over rounds), the ratio
 * to no agent and to the OpenTelemetry agent, bytes allocated per traced call, dropped records, and
 * JVM start-up (a hello-world's whole run and its time to {@code main}). Prints a table and writes
 * {@code hiq-bench/target/bench.json}.
 */
public final class BenchMain {
    /** Traced calls per {@link LoadTarget#outer} operation: outer + 2 × inner. */
    static final int CALLS_PER_OP = 3;

    private final Path root;
    private final Path work;
    private final boolean quick;
    private String bootstrap;
    private final boolean jack;
    private final boolean sustained;
    /** Workload threads ({@code --threads}, default 2). */
    private int threads = 2;
    /** Another HiQ agent jar run side by side as "HiQ tracing, before" ({@code --before-agent}), or null. */
    private Path beforeAgent;
    /** Extra environment for every HiQ row ({@code --hiq-env K=V}, repeatable), e.g. {@code HIQ_RING_POLICY=block}. */
    private final Map<String, String> hiqEnv = new LinkedHashMap<>();
    /** Only the tracing rows (no agent, HiQ before/after, OTel exporters none): {@code --tracing-only}. */
    private boolean tracingOnly;

    private BenchMain(Path root, boolean quick, String bootstrap, boolean jack, boolean sustained) throws IOException {
        this.root = root;
        this.sustained = sustained;
        this.quick = quick;
        this.bootstrap = bootstrap;
        this.jack = jack;
        this.work = Files.createTempDirectory("hiq-bench");
    }

    /** One way of running the workload: extra JVM arguments and environment. */
    record Config(String name, List<String> jvmArgs, Map<String, String> env) {}

    public static void main(String[] args) throws Exception {
        boolean quick = false;
        boolean jack = true;
        boolean sustained = false;
        String bootstrap = null;
        Path root = Path.of(".").toAbsolutePath().normalize();
        int threads = 2;
        Path before = null;
        boolean tracingOnly = false;
        Map<String, String> hiqEnv = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--before-agent" -> before = Path.of(args[++i]).toAbsolutePath();
                case "--tracing-only" -> tracingOnly = true;
                case "--hiq-env" -> {
                    String[] kv = args[++i].split("=", 2);
                    if (kv.length != 2 || !kv[0].startsWith("HIQ_")) throw new IllegalArgumentException("--hiq-env: HIQ_NAME=VALUE, not " + args[i]);
                    hiqEnv.put(kv[0], kv[1]);
                }
                case "--quick" -> quick = true;
                case "--bootstrap" -> bootstrap = args[++i];
                case "--no-jack" -> jack = false;
                case "--sustained" -> sustained = true;
                case "--root" -> root = Path.of(args[++i]);
                default -> {
                    System.err.println("usage: bin/hiq bench [--quick] [--sustained] [--bootstrap HOST:PORT | --no-jack]"
                            + " [--threads N] [--before-agent JAR] [--tracing-only] [--hiq-env HIQ_NAME=VALUE ...]");
                    System.exit(2);
                }
            }
        }
        if (threads < 1) throw new IllegalArgumentException("--threads: " + threads);
        if (before != null && !Files.isRegularFile(before)) throw new IllegalArgumentException("--before-agent: no such file " + before);
        BenchMain m = new BenchMain(root, quick, bootstrap, jack && !tracingOnly, sustained);
        m.threads = threads;
        m.beforeAgent = before;
        m.tracingOnly = tracingOnly;
        m.hiqEnv.putAll(hiqEnv);
        m.run();
    }

    private Path agentJar() { return root.resolve("hiq-agent/target/hiq-agent.jar"); }
    private Path otelJar() { return root.resolve("hiq-bench/target/otel/opentelemetry-javaagent.jar"); }
    private Path appJar() { return root.resolve("hiq-bench/target/hiq-bench.jar"); }

    private List<Config> configs() throws IOException {
        Path conf = work.resolve("hiq.conf");
        Files.writeString(conf, "io.hiq.bench.harness.LoadTarget, , outer, outer\nio.hiq.bench.harness.LoadTarget, , inner, inner\n");
        String agent = "-javaagent:" + agentJar() + "=conf=" + conf;
        List<Config> out = new ArrayList<>();
        out.add(new Config("no agent", List.of(), Map.of()));
        if (beforeAgent != null) {
            out.add(new Config("HiQ tracing, before", List.of("-javaagent:" + beforeAgent + "=conf=" + conf),
                    Map.of("HIQ_HOME", home("before").toString(), "NO_JACK_LOG", "1")));
        }
        out.add(new Config("HiQ tracing", List.of(agent), Map.of("HIQ_HOME", home("trace").toString(), "NO_JACK_LOG", "1")));
        if (!tracingOnly) addExtensionRows(out, agent);
        addOtelRows(out);
        if (hiqEnv.isEmpty()) return out;
        List<Config> withEnv = new ArrayList<>();
        for (Config c : out) {
            if (!c.name().startsWith("HiQ")) {
                withEnv.add(c);
                continue;
            }
            Map<String, String> env = new LinkedHashMap<>(c.env());
            env.putAll(hiqEnv);
            withEnv.add(new Config(c.name(), c.jvmArgs(), env));
        }
        return withEnv;
    }

    private void addExtensionRows(List<Config> out, String agent) throws IOException {
        out.add(new Config("HiQ + LMK to file", List.of(agent), Map.of("HIQ_HOME", home("lmk").toString(), "LMK", "1",
                "LMK_PATH", work.resolve("lmk.log").toString())));
        if (bootstrap != null) {
            out.add(new Config("HiQ + Jack to Kafka", List.of(agent), Map.of("HIQ_HOME", home("jack").toString(), "JACK", "1",
                    "HIQ_KAFKA_BOOTSTRAP", bootstrap, "HIQ_KAFKA_TOPIC", "hiq-bench")));
        }
        out.add(new Config("HiQ disabled (MBean)", List.of(agent), Map.of("HIQ_HOME", home("off").toString(), "HIQ_BENCH_DISABLE", "1")));
    }

    private void addOtelRows(List<Config> out) {
        if (Files.isRegularFile(otelJar())) {
            List<String> otel = List.of("-javaagent:" + otelJar(),
                    "-Dotel.instrumentation.methods.include=io.hiq.bench.harness.LoadTarget[outer,inner]",
                    "-Dotel.metrics.exporter=none", "-Dotel.logs.exporter=none", "-Dotel.javaagent.logging=none");
            List<String> none = new ArrayList<>(otel);
            none.add("-Dotel.traces.exporter=none");
            out.add(new Config("OTel agent, exporters none", none, Map.of()));
            if (!quick && !tracingOnly) { // its JVM takes 4–8 s to start and each round pays it: left to the full run
                List<String> logging = new ArrayList<>(otel);
                logging.add("-Dotel.traces.exporter=logging");
                out.add(new Config("OTel agent, logging exporter", logging, Map.of()));
            }
        } else {
            System.err.println("hiq bench: " + otelJar() + " missing; OpenTelemetry rows skipped");
        }
    }

    private Path home(String name) throws IOException {
        return Files.createDirectories(work.resolve("home-" + name));
    }

    /** Starts {@code bin/hiq broker} on a free port for the Jack row; null when it cannot. */
    private Process startBroker() {
        try {
            int port;
            try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            Process p = new ProcessBuilder(root.resolve("bin/hiq").toString(), "broker", "--port", "" + port,
                    "--dir", work.resolve("kafka").toString())
                    .redirectOutput(work.resolve("broker.log").toFile()).redirectErrorStream(true).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (System.nanoTime() < deadline && p.isAlive()) {
                try (java.net.Socket ignored = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), port)) {
                    bootstrap = "127.0.0.1:" + port;
                    return p;
                } catch (IOException notYet) {
                    Thread.sleep(250);
                }
            }
            p.destroy();
        } catch (Exception e) {
            System.err.println("hiq bench: no broker (" + e + ")");
        }
        System.err.println("hiq bench: the broker did not start (see " + work.resolve("broker.log") + "); Jack row skipped");
        return null;
    }

    private void run() throws Exception {
        Process broker = bootstrap == null && jack ? startBroker() : null;
        try {
            if (sustained) runSustained();
            else runAll();
        } finally {
            if (broker != null) {
                broker.destroy();
                broker.waitFor(20, TimeUnit.SECONDS);
            }
        }
    }

    private void runAll() throws Exception {
        int rounds = quick ? 3 : 7;
        long warmupMs = quick ? 600 : 4000, measureMs = quick ? 1000 : 6000;
        int startupRuns = quick ? 1 : 7;
        List<Config> configs = configs();
        Map<String, List<Map<String, Double>>> loads = new LinkedHashMap<>();
        Map<String, List<double[]>> startups = new LinkedHashMap<>();
        for (Config c : configs) {
            loads.put(c.name(), new ArrayList<>());
            startups.put(c.name(), new ArrayList<>());
        }
        System.err.printf(Locale.ROOT, "hiq bench: %d configurations × %d rounds (%d threads, %d ms warm-up, %d ms measured), start-up × %d%n",
                configs.size(), rounds, threads, warmupMs, measureMs, startupRuns);
        for (int r = 0; r < rounds; r++) {
            for (Config c : configs) {
                loads.get(c.name()).add(load(c, threads, warmupMs, measureMs));
            }
            System.err.printf("hiq bench: round %d/%d done%n", r + 1, rounds);
        }
        for (int r = 0; r < startupRuns; r++) {
            for (Config c : configs) startups.get(c.name()).add(startup(c));
        }
        report(configs, loads, startups, threads, rounds);
    }

    /**
     * {@code --sustained}: for every HiQ configuration, the highest traced-call rate (2 threads,
     * paced) at which nothing is dropped during warm-up and measurement ({@link RateSearch}).
     */
    private void runSustained() throws Exception {
        long warmupMs = quick ? 1000 : 3000, measureMs = quick ? 2000 : 6000;
        int budget = quick ? 7 : 11;
        System.out.printf(Locale.ROOT, "%nHiQ bench --sustained — %d cores, %d paced threads, %d ms warm-up + %d ms measured per probe, <= %d probes%n",
                Runtime.getRuntime().availableProcessors(), threads, warmupMs, measureMs, budget);
        System.out.printf(Locale.ROOT, "%-30s %16s %16s %s%n", "configuration", "zero-drop calls/s", "proc CPU ns/call", "probes (calls/s: dropped)");
        for (Config c : configs()) {
            if (!c.name().startsWith("HiQ") || c.name().contains("disabled")) continue; // only HiQ counts drops
            StringBuilder probes = new StringBuilder();
            double[] cpuAtBest = {-1};
            RateSearch.Result r = RateSearch.search(rate -> {
                try {
                    Map<String, Double> m = load(c, threads, warmupMs, measureMs, rate);
                    double dropped = m.getOrDefault("dropped", -1.0);
                    probes.append(String.format(Locale.ROOT, " %.0f:%.0f", m.getOrDefault("calls_per_s", (double) rate), dropped));
                    boolean clean = dropped == 0;
                    if (clean) cpuAtBest[0] = m.getOrDefault("proc_cpu_ns_per_op", -1.0) / CALLS_PER_OP;
                    return clean;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, 100_000, 50_000_000, 0.1, budget);
            System.out.printf(Locale.ROOT, "%-30s %16d %16.1f%s%n", c.name(), r.sustainedRate(), cpuAtBest[0], probes);
        }
        System.out.println("\nzero-drop calls/s = the highest paced rate (2 threads) whose run dropped no record, bisected to 10 %;"
                + " proc CPU ns/call = the whole process's CPU time per traced call at the last clean probe (the no-agent workload included)");
    }

    private Map<String, Double> load(Config c, int threads, long warmupMs, long measureMs) throws Exception {
        return load(c, threads, warmupMs, measureMs, 0);
    }

    private Map<String, Double> load(Config c, int threads, long warmupMs, long measureMs, long callsPerS) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(java()));
        cmd.addAll(c.jvmArgs());
        cmd.addAll(List.of("-cp", appJar().toString(), LoadApp.class.getName(), "" + threads, "" + warmupMs, "" + measureMs));
        if (callsPerS > 0) cmd.add("" + callsPerS);
        String out = exec(cmd, c.env(), 120);
        String line = out.lines().filter(l -> l.startsWith("RESULT ")).reduce((a, b) -> b)
                .orElseThrow(() -> new IllegalStateException(c.name() + ": no result; output:\n" + out));
        return parse(line.substring(7));
    }

    private double[] startup(Config c) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(java()));
        cmd.addAll(c.jvmArgs());
        cmd.addAll(List.of("-cp", appJar().toString(), HelloMain.class.getName()));
        long t0 = System.nanoTime();
        cmd.add("" + t0);
        String out = exec(cmd, c.env(), 60);
        long whole = System.nanoTime() - t0;
        long toMain = out.lines().filter(l -> l.startsWith("TOMAIN ")).map(l -> Long.parseLong(l.substring(7).trim()))
                .findFirst().orElse(-1L);
        return new double[] {whole / 1e6, toMain / 1e6};
    }

    private String exec(List<String> cmd, Map<String, String> env, int timeoutSeconds) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(false);
        pb.environment().keySet().removeIf(k -> k.startsWith("HIQ_") || k.equals("LMK") || k.equals("JACK") || k.startsWith("OTEL_")
                || k.equals("TRACE_TYPE") || k.startsWith("LMK_") || k.equals("NO_JACK_LOG"));
        pb.environment().putAll(env);
        Path out = Files.createTempFile(work, "out", ".txt");
        pb.redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("timed out: " + cmd);
        }
        String s = Files.readString(out, StandardCharsets.UTF_8);
        Files.delete(out);
        return s;
    }

    private static String java() { return Path.of(System.getProperty("java.home"), "bin", "java").toString(); }

    private static Map<String, Double> parse(String json) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (String kv : json.replaceAll("[{}\"]", "").split(",")) {
            String[] p = kv.split(":");
            m.put(p[0], Double.parseDouble(p[1]));
        }
        return m;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private void report(List<Config> configs, Map<String, List<Map<String, Double>>> loads, Map<String, List<double[]>> startups,
                        int threads, int rounds) throws IOException {
        String base = configs.get(0).name();
        double[] baseNs = values(loads.get(base), "ns_per_op");
        double baseMedianOp = median(baseNs);
        double baseStart = median(startups.get(base).stream().mapToDouble(a -> a[0]).toArray());
        double baseToMain = median(startups.get(base).stream().mapToDouble(a -> a[1]).toArray());
        String otelName = "OTel agent, exporters none";
        Double otelAdded = null;
        if (loads.containsKey(otelName)) otelAdded = addedPerCall(loads.get(otelName), baseNs);

        StringBuilder json = new StringBuilder();
        json.append("{\n  \"jdk\": \"").append(System.getProperty("java.vm.name")).append(' ').append(System.getProperty("java.version"))
                .append("\",\n  \"cores\": ").append(Runtime.getRuntime().availableProcessors())
                .append(",\n  \"threads\": ").append(threads).append(",\n  \"rounds\": ").append(rounds)
                .append(",\n  \"calls_per_op\": ").append(CALLS_PER_OP)
                .append(",\n  \"baseline_ns_per_op\": ").append(fmt(baseMedianOp))
                .append(",\n  \"configurations\": [\n");
        System.out.printf(Locale.ROOT, "%nHiQ bench — %s %s, %d cores, %d threads, %d interleaved rounds; %d traced calls per operation%s%n",
                System.getProperty("java.vm.name"), System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(),
                threads, rounds, CALLS_PER_OP, hiqEnv.isEmpty() ? "" : "; HiQ rows with " + hiqEnv);
        double[] baseCpu = values(loads.get(base), "cpu_ns_per_op");
        Double otelCpuAdded = loads.containsKey(otelName) ? addedPerCall(loads.get(otelName), baseCpu, "cpu_ns_per_op") : null;
        double[] baseProc = values(loads.get(base), "proc_cpu_ns_per_op");
        System.out.printf(Locale.ROOT, "%-30s %10s %14s %11s %8s %15s %8s %14s %9s %10s %10s %10s%n", "configuration", "ns/op", "added ns/call",
                "spread", "vs OTel", "app-thread ns", "vs OTel", "process CPU ns", "B/call", "dropped", "start ms", "to main");
        for (int i = 0; i < configs.size(); i++) {
            String name = configs.get(i).name();
            List<Map<String, Double>> rs = loads.get(name);
            double[] ns = values(rs, "ns_per_op");
            double medianOp = median(ns);
            double added = addedPerCall(rs, baseNs);
            double[] perRound = new double[ns.length];
            for (int r = 0; r < ns.length; r++) perRound[r] = (ns[r] - baseNs[r]) / CALLS_PER_OP;
            double spreadLo = Arrays.stream(perRound).min().orElse(0), spreadHi = Arrays.stream(perRound).max().orElse(0);
            double alloc = median(values(rs, "alloc_per_op")) / CALLS_PER_OP;
            double dropped = Arrays.stream(values(rs, "dropped")).max().orElse(-1);
            double start = median(startups.get(name).stream().mapToDouble(a -> a[0]).toArray());
            double toMain = median(startups.get(name).stream().mapToDouble(a -> a[1]).toArray());
            String vsOtel = otelAdded == null || added <= 0 ? "-" : String.format(Locale.ROOT, "%.1fx", otelAdded / added);
            double cpuAdded = addedPerCall(rs, baseCpu, "cpu_ns_per_op");
            String vsOtelCpu = otelCpuAdded == null || cpuAdded <= 0 ? "-" : String.format(Locale.ROOT, "%.1fx", otelCpuAdded / cpuAdded);
            double procAdded = addedPerCall(rs, baseProc, "proc_cpu_ns_per_op");
            System.out.printf(Locale.ROOT, "%-30s %10.1f %14.1f %11s %8s %15.1f %8s %14.1f %9.1f %10s %10.0f %10.0f%n", name, medianOp,
                    i == 0 ? 0.0 : added, i == 0 ? "-" : String.format(Locale.ROOT, "%.0f..%.0f", spreadLo, spreadHi), i == 0 ? "-" : vsOtel,
                    i == 0 ? 0.0 : cpuAdded, i == 0 ? "-" : vsOtelCpu, i == 0 ? 0.0 : procAdded,
                    alloc, dropped < 0 ? "-" : String.format(Locale.ROOT, "%.0f", dropped), start, toMain);
            json.append("    {\"name\": \"").append(name).append("\", \"ns_per_op_median\": ").append(fmt(medianOp))
                    .append(", \"ns_per_op_rounds\": ").append(Arrays.toString(ns))
                    .append(", \"added_ns_per_call_median\": ").append(fmt(i == 0 ? 0 : added))
                    .append(", \"added_ns_per_call_min\": ").append(fmt(spreadLo)).append(", \"added_ns_per_call_max\": ").append(fmt(spreadHi))
                    .append(", \"ratio_to_no_agent\": ").append(fmt(medianOp / baseMedianOp))
                    .append(", \"otel_added_over_this_added\": ").append(otelAdded == null || added <= 0 ? "null" : fmt(otelAdded / added))
                    .append(", \"app_thread_cpu_added_ns_per_call\": ").append(fmt(i == 0 ? 0 : addedPerCall(rs, baseCpu, "cpu_ns_per_op")))
                    .append(", \"process_cpu_added_ns_per_call\": ").append(fmt(i == 0 ? 0 : procAdded))
                    .append(", \"alloc_bytes_per_call\": ").append(fmt(alloc))
                    .append(", \"dropped_records\": ").append(dropped < 0 ? "null" : fmt(dropped))
                    .append(", \"startup_ms_median\": ").append(fmt(start)).append(", \"startup_added_ms\": ").append(fmt(start - baseStart))
                    .append(", \"to_main_ms_median\": ").append(fmt(toMain)).append(", \"to_main_added_ms\": ").append(fmt(toMain - baseToMain))
                    .append('}').append(i + 1 < configs.size() ? ",\n" : "\n");
        }
        json.append("  ]\n}\n");
        List<String> dropping = new ArrayList<>();
        for (Config c : configs) {
            double[] d = values(loads.get(c.name()), "dropped");
            long rs = Arrays.stream(d).filter(x -> x > 0).count();
            if (rs > 0) {
                dropping.add(String.format(Locale.ROOT, "%s (%d of %d rounds, at most %.0f records)", c.name(), rs, d.length,
                        Arrays.stream(d).max().orElse(0)));
            }
        }
        Path out = root.resolve("hiq-bench/target/bench.json");
        Files.createDirectories(out.getParent());
        Files.writeString(out, json.toString());
        System.out.println("\nadded ns/call = (ns/op − no-agent ns/op of the same round) / " + CALLS_PER_OP + ", median over rounds; spread = min..max;"
                + " ns/op is wall time per operation (HiQ's and OTel's background threads compete for the cores);"
                + " app-thread ns = the workload threads' own CPU time added per traced call;"
                + " process CPU ns = the whole process's CPU time (all threads: workload, HiQ's consumers and sinks, GC, JIT) added per traced call;"
                + " dropped = records HiQ dropped in the run (saturated: the workload runs flat out; see --sustained for the zero-drop rate)");
        System.out.println(dropping.isEmpty() ? "nothing dropped in any HiQ row: every figure above is of the full path"
                : "MEASURED WHILE DROPPING (a dropping thread skips most of the work; not valid for a goal): " + String.join("; ", dropping));
        System.out.println("written: " + out);
    }

    private static double addedPerCall(List<Map<String, Double>> rs, double[] baseNs) {
        return addedPerCall(rs, baseNs, "ns_per_op");
    }

    private static double addedPerCall(List<Map<String, Double>> rs, double[] baseNs, String key) {
        double[] ns = values(rs, key);
        double[] added = new double[ns.length];
        for (int r = 0; r < ns.length; r++) added[r] = (ns[r] - baseNs[r]) / CALLS_PER_OP;
        return median(added);
    }

    private static double[] values(List<Map<String, Double>> rs, String key) {
        return rs.stream().mapToDouble(m -> m.getOrDefault(key, -1.0)).toArray();
    }

    private static String fmt(double d) { return String.format(Locale.ROOT, "%.2f", d); }
}
