package io.hiq.bench;

import io.hiq.core.event.SpanBatch;
import io.hiq.core.event.TagRegistry;
import io.hiq.core.metric.Metric;
import io.hiq.core.spi.TreeSink;

import io.hiq.core.tree.TreeAssembler;
import io.hiq.tree.HiQTree;
import io.hiq.tree.TreeJsonWriter;
import io.hiq.tree.TreeView;
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
 * {@code nodes} nodes (a root calling {@code nodes − 1} leaves) assembled and handed to a sink. This
 * is the per-tree work that competes with the application for cores. {@code sink}:
 * <ul>
 *   <li>{@code objects}: a sink that takes {@link HiQTree}s (exporters, web, trees file): the tree is
 *       materialised once;</li>
 *   <li>{@code view}: a sink that reads the assembled arrays in place (no sink needs objects);</li>
 *   <li>{@code encode}: the view encoded into a reused B4 buffer, as Jack does on this thread.</li>
 * </ul>
 * Spans per second on one consumer thread = {@code nodes} / (ns per op) × 10⁹.
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

    @Param({"objects", "view", "encode"})
    public String sink;

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
        TreeSink s = switch (sink) {
            case "objects" -> bh::consume;
            case "view" -> new ViewSink(bh, null);
            case "encode" -> new ViewSink(bh, new TreeJsonWriter());
            default -> throw new IllegalArgumentException("sink: " + sink);
        };
        assembler = new TreeAssembler(tags, List.of(Metric.TIME), io.hiq.core.tree.Mode.VERBOSE, "bench", "host", 1,
                nanos -> nanos / 1000, 0, List.of(s), new AtomicLong(), new AtomicLong());
    }

    /** Reads the view in place (every node's span), or encodes it into a reused buffer. */
    private record ViewSink(Blackhole bh, TreeJsonWriter writer) implements TreeSink {
        @Override public boolean acceptsView() { return true; }

        @Override public void acceptView(TreeView v) {
            if (writer != null) {
                bh.consume(writer.encode(v, Integer.MAX_VALUE));
                return;
            }
            long sum = 0;
            for (int i = 0, n = v.nodeCount(); i < n; i++) sum += v.valueEnd(i) - v.valueStart(i);
            bh.consume(sum);
            bh.consume(v.id());
        }

        @Override public void accept(HiQTree tree) { bh.consume(tree); }
    }

    @Benchmark
    public void assemble() {
        assembler.onBatch(batch, true);
    }
}
