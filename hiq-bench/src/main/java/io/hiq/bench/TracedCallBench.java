package io.hiq.bench;

import io.hiq.HiQ;
import io.hiq.core.runtime.HiQRuntime;
import io.hiq.core.runtime.Settings;
import java.nio.file.Files;
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
 * A traced call against the same call untraced, in one JVM: {@code traced} runs
 * {@link Workload#outer} (three traced calls: outer + 2 × inner, one tree per operation),
 * {@code untraced} runs the identical {@link Workload.Untraced#outer}. Added time per traced call =
 * (traced − untraced) / 3. Run with {@code -prof gc} to see {@code gc.alloc.rate.norm} (bytes per
 * operation).
 *
 * <p>{@code state=enabled} traces; {@code state=disabled} is HiQ after {@code disable()}: the classes
 * are restored, so it must cost what untraced code costs. No tree is kept ({@code maxTrees(0)}) and
 * no other output is configured, so the ring's consumer only counts records: this measures the hot
 * path (advice, per-thread buffer, ring publish), as the design prototype did. What building and
 * shipping trees costs on HiQ's own threads is measured by {@code bin/hiq bench} and the Jack and LMK
 * benchmarks.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-XX:+EnableDynamicAgentLoading", "-Djdk.attach.allowAttachSelf=true"})
public class TracedCallBench {
    @Param({"enabled", "disabled"})
    public String state;

    private HiQ hiq;
    private final Workload traced = new Workload();
    private final Workload.Untraced untraced = new Workload.Untraced();
    private int x;

    @Setup(Level.Trial)
    public void start() throws Exception {
        String home = Files.createTempDirectory("hiq-bench").toString();
        hiq = HiQ.builder()
                .conf(List.of(
                        List.of("io.hiq.bench", "Workload", "outer", "outer"),
                        List.of("io.hiq.bench", "Workload", "inner", "inner")))
                .settings(Settings.of(Map.of("HIQ_HOME", home)))
                .maxTrees(0) // keep nothing in memory: measure the hot path, not a growing list
                .start();
        if (state.equals("disabled")) hiq.disable();
    }

    @TearDown(Level.Trial)
    public void stop() {
        HiQRuntime rt = hiq.runtime();
        System.out.println("\n[hiq] trees=" + rt.counters().get(HiQRuntime.TREES)
                + " published=" + rt.counters().get(HiQRuntime.PUBLISHED)
                + " dropped=" + rt.counters().get(HiQRuntime.DROPPED));
        hiq.close();
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
