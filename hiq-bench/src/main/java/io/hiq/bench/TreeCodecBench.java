package io.hiq.bench;

import io.hiq.tree.HiQNode;
import io.hiq.tree.HiQTree;
import io.hiq.tree.TreeCodec;
import io.hiq.tree.TreeFormatException;
import io.hiq.tree.TreeJsonWriter;
import io.hiq.tree.TreeLimits;
import java.io.ByteArrayOutputStream;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The B4 JSON codec on a typical tree (a root with 5 children, one with 2 of its own: 8 nodes):
 * what Jack pays per tree to encode and the consumer per tree to decode.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TreeCodecBench {
    private final HiQTree tree = sample();
    private final byte[] json = TreeCodec.encode(tree);

    static HiQTree sample() {
        long t = 1_763_805_600_000_000L;
        HiQNode root = HiQNode.of("order", t, t + 14_000, 0, 14_000_000);
        for (int i = 0; i < 5; i++) {
            HiQNode c = HiQNode.of("price", t + i * 2000, t + i * 2000 + 1500, i * 2_000_000L, i * 2_000_000L + 1_500_000);
            if (i == 2) c.addChild(HiQNode.of("load_price", t + 4100, t + 5400, 4_100_000, 5_400_000))
                    .addChild(HiQNode.of("cache_put", t + 5400, t + 5450, 5_400_000, 5_450_000));
            root.addChild(c);
        }
        return HiQTree.builder().id("5f0c2a1b0000abcd-1").service("shop").host("box").pid(4242).thread("shop-worker-1")
                .metric("time").unit("ns").overheadNs(640).mode("concise").root(root).build();
    }

    private final TreeJsonWriter writer = new TreeJsonWriter();
    private final ByteArrayOutputStream jacksonOut = new ByteArrayOutputStream(4096);

    /** What callers of {@code TreeCodec.encode} pay: the per-thread writer plus a copy of the bytes. */
    @Benchmark
    public byte[] encode() {
        return TreeCodec.encode(tree);
    }

    /** The writer alone, into its reused buffer: what a sink that hands the buffer on pays. */
    @Benchmark
    public int encodeReused() {
        return writer.encode(tree, TreeLimits.MAX_ENCODED_BYTES);
    }

    /** The former encoder (Jackson's generator), measured in the same run as the reference. */
    @Benchmark
    public int encodeJackson() {
        jacksonOut.reset();
        TreeCodec.encodeWithJackson(tree, jacksonOut);
        return jacksonOut.size();
    }

    /** The streaming decoder (what the consumer service pays per record). */
    @Benchmark
    public HiQTree decode() throws TreeFormatException {
        return TreeCodec.decode(json);
    }

    /** The former decoder (a Jackson JsonNode tree, then validation), measured in the same run as the reference. */
    @Benchmark
    public HiQTree decodeJsonNode() throws Exception {
        return TreeCodec.fromJson(TreeCodec.mapper().readTree(json));
    }
}
