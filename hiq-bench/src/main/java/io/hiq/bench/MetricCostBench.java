package io.hiq.bench;

import io.hiq.HiQ;
import io.hiq.core.metric.Metric;
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
 * What each metric adds per traced call: {@code time} alone, then {@code time} plus one other metric
 * (read at entry and exit of every traced call, on the application thread). Same workload as
 * {@link TracedCallBench} (3 traced calls per operation).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 4, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-XX:+EnableDynamicAgentLoading", "-Djdk.attach.allowAttachSelf=true"})
public class MetricCostBench {
    @Param({"time", "memory", "gc", "rss", "disk_io", "net_io"})
    public String metric;

    private HiQ hiq;
    private final Workload traced = new Workload();
    private int x;

    @Setup(Level.Trial)
    public void start() throws Exception {
        Metric m = Metric.parse(metric);
        hiq = HiQ.builder()
                .conf(List.of(List.of("io.hiq.bench", "Workload", "outer", "outer"), List.of("io.hiq.bench", "Workload", "inner", "inner")))
                .settings(Settings.of(Map.of("HIQ_HOME", Files.createTempDirectory("hiq-bench").toString())))
                .metrics(m == Metric.TIME ? new Metric[] {Metric.TIME} : new Metric[] {Metric.TIME, m})
                .maxTrees(0).start();
    }

    @TearDown(Level.Trial)
    public void stop() { hiq.close(); }

    @Benchmark
    public int traced() {
        return traced.outer(x++);
    }
}
