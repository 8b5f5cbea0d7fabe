package io.hiq.bench;

import io.hiq.HiQ;
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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link TracedCallBench} with two application threads publishing to the one multi-producer ring at
 * once (the ring's claim, a CAS on its cursor, is then contended), each on its own target object.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-XX:+EnableDynamicAgentLoading", "-Djdk.attach.allowAttachSelf=true"})
@Threads(2)
public class TracedCallTwoThreadsBench {
    /** One HiQ for the benchmark. */
    @State(Scope.Benchmark)
    public static class Tracing {
        HiQ hiq;

        @Setup(Level.Trial)
        public void start() throws Exception {
            hiq = HiQ.builder()
                    .conf(List.of(List.of("io.hiq.bench", "Workload", "outer", "outer"), List.of("io.hiq.bench", "Workload", "inner", "inner")))
                    .settings(Settings.of(Map.of("HIQ_HOME", Files.createTempDirectory("hiq-bench").toString())))
                    .maxTrees(0).start();
        }

        @TearDown(Level.Trial)
        public void stop() { hiq.close(); }
    }

    /** Each thread's own targets. */
    @State(Scope.Thread)
    public static class Targets {
        final Workload traced = new Workload();
        final Workload.Untraced untraced = new Workload.Untraced();
        int x;
    }

    @Benchmark
    public int traced(Tracing hiq, Targets t) {
        return t.traced.outer(t.x++);
    }

    @Benchmark
    public int untraced(Tracing hiq, Targets t) {
        return t.untraced.outer(t.x++);
    }
}
