package io.hiq.bench;

import io.hiq.core.event.SpanBatch;
import io.hiq.core.event.TagRegistry;
import io.hiq.core.metric.Metric;
import io.hiq.core.spi.TreeSink;

import io.hiq.core.tree.TreeAssembler;
import io.hiq.tree.HiQTree;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Tree assembly on the ring's consumer thread: one batch holding one completed root of
 * {@code nodes} nodes (a root calling {@code nodes − 1} leaves) turned into a {@link HiQTree} and
 * handed to a sink. This is the per-tree work that competes with the application for cores.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class AssemblerBench {
    @Param({"3", "10"})
    public int nodes;

    private TreeAssembler assembler;
    private SpanBatch batch;

    @Setup
    public void setup(Blackhole bh) {
        TagRegistry tags = new TagRegistry();
        int root = tags.register("order", null, null).id();
        int leaf = tags.register("price", null, null).id();
        long[][] records = new long[nodes * 2][];
        long t = 1_000_000;
        int r = 0;
        records[r++] = new long[] {SpanBatch.ENTER, root, t};
        for (int i = 1; i < nodes; i++) {
            records[r++] = new long[] {SpanBatch.ENTER, leaf, t += 1000};
            records[r++] = new long[] {SpanBatch.EXIT, leaf, t += 1000};
        }
        records[r] = new long[] {SpanBatch.EXIT, root, t + 1000};
        batch = SpanBatch.of(1, "main", records);
        TreeSink sink = bh::consume;
        assembler = new TreeAssembler(tags, List.of(Metric.TIME), io.hiq.core.tree.Mode.VERBOSE, "bench", "host", 1,
                nanos -> nanos / 1000, 0, List.of(sink), new AtomicLong(), new AtomicLong());
    }

    @Benchmark
    public void assemble() {
        assembler.onBatch(batch, true);
    }
}
