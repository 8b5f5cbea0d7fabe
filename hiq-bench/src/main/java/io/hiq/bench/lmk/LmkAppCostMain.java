package io.hiq.bench.lmk;

import io.hiq.HiQ;
import io.hiq.core.runtime.HiQRuntime;
import io.hiq.core.runtime.Settings;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * The application thread's own cost with LMK on versus off, at a rate LMK sustains (so nothing is
 * dropped and every line is written): the traced operation ({@link io.hiq.bench.Workload#outer}, three calls,
 * six lines) runs in chunks paced to {@code rate} operations per second, and the application
 * thread's CPU time ({@link ThreadMXBean#getCurrentThreadCpuTime()}) is summed over the chunks
 * only. CPU time, not elapsed time, because on a 2-core machine LMK's consumer thread takes CPU from
 * everything else; what the application thread itself executes per call is the question here.
 * Rounds are interleaved (off, on, off, on, …).
 *
 * <p>Run: {@code java -XX:+EnableDynamicAgentLoading -Djdk.attach.allowAttachSelf=true -cp
 * hiq-bench/target/benchmarks.jar io.hiq.bench.lmk.LmkAppCostMain [rate] [seconds] [rounds]}.
 */
public final class LmkAppCostMain {
    private LmkAppCostMain() {}

    private static final int CHUNK = 100;

    public static void main(String[] args) throws Exception {
        int rate = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        Path home = Files.createTempDirectory("hiq-lmk-appcost");
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Map<String, List<Double>> results = new HashMap<>();
        run("off", home, rate, 1, mx); // warm-up
        run("on", home, rate, 1, mx);
        for (int r = 0; r < rounds; r++) {
            for (String lmk : new String[] {"off", "on"}) {
                double ns = run(lmk, home, rate, seconds, mx);
                results.computeIfAbsent(lmk, k -> new ArrayList<>()).add(ns);
                System.out.printf(Locale.ROOT, "round %d lmk=%-3s %8.1f ns CPU per traced call%n", r + 1, lmk, ns);
            }
        }
        double off = median(results.get("off")), on = median(results.get("on"));
        System.out.printf(Locale.ROOT, "%nApplication-thread CPU per traced call at %,d ops/s (%,d LMK lines/s): "
                + "LMK off %.1f ns, on %.1f ns, difference %+.1f ns (medians of %d rounds)%n",
                rate, rate * 6, off, on, on - off, rounds);
    }

    private static double run(String lmk, Path home, int rate, int seconds, ThreadMXBean mx) throws Exception {
        Map<String, String> s = new HashMap<>();
        s.put("HIQ_HOME", home.toString());
        s.put("HIQ_AGENT", "1");
        Path file = home.resolve("lmk.log");
        Files.deleteIfExists(file);
        if (lmk.equals("on")) {
            s.put("LMK", "1");
            s.put("LMK_PATH", file.toString());
        }
        io.hiq.bench.Workload target = new io.hiq.bench.Workload();
        long cpu = 0;
        long ops = 0;
        long dropped;
        try (HiQ hiq = HiQ.builder()
                .conf(List.of(
                        List.of("io.hiq.bench", "Workload", "outer", "outer"),
                        List.of("io.hiq.bench", "Workload", "inner", "inner")))
                .settings(Settings.of(s)).maxTrees(0).start()) {
            long chunkNanos = 1_000_000_000L * CHUNK / rate;
            long start = System.nanoTime();
            long next = start;
            long end = start + seconds * 1_000_000_000L;
            int x = 0;
            while (next < end) {
                long c0 = mx.getCurrentThreadCpuTime();
                for (int i = 0; i < CHUNK; i++) x += target.outer(i);
                cpu += mx.getCurrentThreadCpuTime() - c0;
                ops += CHUNK;
                next += chunkNanos;
                long wait = next - System.nanoTime();
                if (wait > 0) LockSupport.parkNanos(wait);
            }
            if (x == 42) System.out.print("");
            dropped = hiq.runtime().counters().get(HiQRuntime.DROPPED);
        }
        if (dropped > 0) System.out.printf("  lmk=%s: %d records dropped (rate too high for this machine)%n", lmk, dropped);
        Files.deleteIfExists(file);
        // the CPU clock's own cost (two reads per chunk) is the same in both runs
        return cpu / (double) (ops * 3);
    }

    private static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        s.sort(null);
        return s.get(s.size() / 2);
    }
}
