package io.hiq.bench.lmk;

import io.hiq.HiQ;
import io.hiq.core.runtime.HiQRuntime;
import io.hiq.core.runtime.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The application thread's cost of LMK: the same traced operation ({@link io.hiq.bench.Workload#outer}, three
 * traced calls, six LMK lines) with {@code lmk=off} and {@code lmk=on}, plus the untraced code.
 * LMK formats and writes on its own consumer thread, so the difference should be what the ring
 * publish costs when a second consumer reads it (and the CPU the consumer takes from a 2-core
 * machine). The default {@code drop} policy is used: the application never waits for LMK; when LMK
 * cannot keep up with a benchmark loop that traces tens of millions of calls per second, trees are
 * dropped and counted, printed at the end of each trial.
 *
 * <p>Lines go to {@code output}: {@code devnull} ({@code LMK_PATH=/dev/null}: the formatting and
 * write system calls without filling the disk) or {@code file} (a real temporary file, deleted
 * after the trial; it can reach about a gigabyte).
 *
 * <p>Run: {@code java -jar hiq-bench/target/benchmarks.jar LmkCostBench -prof gc}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-XX:+EnableDynamicAgentLoading", "-Djdk.attach.allowAttachSelf=true"})
public class LmkCostBench {
    @Param({"off", "on"})
    public String lmk;

    @Param({"devnull"})
    public String output;

    private HiQ hiq;
    private Path home;
    private final io.hiq.bench.Workload traced = new io.hiq.bench.Workload();
    private final io.hiq.bench.Workload.Untraced untraced = new io.hiq.bench.Workload.Untraced();
    private int x;

    @Setup(Level.Trial)
    public void start() throws Exception {
        home = Files.createTempDirectory("hiq-lmk-cost");
        Map<String, String> s = new HashMap<>();
        s.put("HIQ_HOME", home.toString());
        s.put("HIQ_AGENT", "1"); // LMK's own outputs only, never this JVM's logging
        if (lmk.equals("on")) {
            s.put("LMK", "1");
            s.put("LMK_PATH", output.equals("file") ? home.resolve("lmk.log").toString() : "/dev/null");
        }
        hiq = HiQ.builder()
                .conf(List.of(
                        List.of("io.hiq.bench", "Workload", "outer", "outer"),
                        List.of("io.hiq.bench", "Workload", "inner", "inner")))
                .settings(Settings.of(s))
                .maxTrees(0)
                .start();
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
        HiQRuntime rt = hiq.runtime();
        System.out.println("\n[hiq] lmk=" + lmk + " published=" + rt.counters().get(HiQRuntime.PUBLISHED)
                + " dropped=" + rt.counters().get(HiQRuntime.DROPPED)
                + " droppedTrees=" + rt.counters().get(HiQRuntime.DROPPED_TREES));
        hiq.close();
        Files.deleteIfExists(home.resolve("lmk.log"));
    }

    @Benchmark
    public int traced() {
        return traced.outer(x++);
    }

    @Benchmark
    public int untraced() {
        return untraced.outer(x++);
    }
}
