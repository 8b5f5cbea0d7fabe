package io.hiq.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The floor of any latency tracer: two {@link System#nanoTime()} readings per traced call (entry
 * and exit). On this machine's virtual TSC clock source one reading costs ~25–35 ns, so about 60 ns
 * of HiQ's per-call cost is the clock itself.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ClockBench {
    @Benchmark
    public long twoReadings() {
        return System.nanoTime() - System.nanoTime();
    }
}
