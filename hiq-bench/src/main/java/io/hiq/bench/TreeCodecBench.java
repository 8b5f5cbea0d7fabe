package io.hiq.bench;

import io.hiq.tree.ArrayTreeView;
import io.hiq.tree.BaselineTreeJsonWriter;
import io.hiq.tree.HiQNode;
import io.hiq.tree.HiQTree;
import io.hiq.tree.TreeCodec;
import io.hiq.tree.TreeFacts;
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

    private final BaselineTreeJsonWriter baseline = new BaselineTreeJsonWriter();

    /** {@code encodeReused} with the writer as it was before branch {@code encode}: the baseline in the same run. */
    @Benchmark
    public int encodeReusedBaseline() {
        return baseline.encode(tree, TreeLimits.MAX_ENCODED_BYTES);
    }

    private final ArrayTreeView view = new ArrayTreeView(tree);

    /** The same tree as the assembler's arrays into the reused buffer: what Jack encodes on its hot path. */
    @Benchmark
    public int encodeView() {
        return writer.encode(view, TreeLimits.MAX_ENCODED_BYTES);
    }

    /** {@code encodeView} with the writer as it was before branch {@code encode}. */
    @Benchmark
    public int encodeViewBaseline() {
        return baseline.encode(view, TreeLimits.MAX_ENCODED_BYTES);
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

    private final TreeFacts holder = new TreeFacts();

    /** The flat decoder into a reused holder: the same validation and messages as {@code decode}, no model. */
    @Benchmark
    public TreeFacts decodeFacts() throws TreeFormatException {
        return holder.read(json);
    }

    /** The flat decoder plus the compact copy a batch keeps (what the consumer pays per record since issue 15). */
    @Benchmark
    public TreeFacts decodeFactsCopy() throws TreeFormatException {
        return holder.read(json).copy();
    }

    /**
     * The consumer's {@code TreeValidator.validate} before issue 15's flat decoding, less the JSON
     * text copy that both versions make: {@code decode}, then the walk of the model checking every
     * name and span (with the field path of each node built as it went).
     */
    @Benchmark
    public HiQTree validateModel() throws TreeFormatException {
        HiQTree t = TreeCodec.decode(json);
        name("id", t.id());
        name("service", t.service());
        nodes(t.root(), "root", "time".equals(t.metric()));
        return t;
    }

    /** The same with the flat decoder (what {@code TreeValidator.validate} does now): read, check, copy. */
    @Benchmark
    public TreeFacts validateFacts() throws TreeFormatException {
        TreeFacts f = holder.read(json);
        name("id", f.id());
        name("service", f.service());
        boolean time = "time".equals(f.metric());
        for (int i = 0, n = f.size(); i < n; i++) {
            String tag = f.tag(i);
            if (tag.length() > 256 || tag.indexOf('\0') >= 0) throw new TreeFormatException("field '" + f.path(i) + ".name'");
            long span = f.span(i);
            if (time && (span < 0 || span > MAX_SPAN_NS)) throw new TreeFormatException("absurd value: field '" + f.path(i) + "'");
        }
        return f.copy();
    }

    private static final long MAX_SPAN_NS = 366L * 24 * 3600 * 1_000_000_000L;

    private static void nodes(HiQNode n, String path, boolean time) throws TreeFormatException {
        name(path + ".name", n.name());
        if (time) {
            long span = n.span();
            if (span < 0 || span > MAX_SPAN_NS) throw new TreeFormatException("absurd value: field '" + path + "'");
        }
        int i = 0;
        for (HiQNode c : n.children()) nodes(c, path + ".children[" + i++ + "]", time);
    }

    private static void name(String field, String v) throws TreeFormatException {
        if (v.length() > 256 || v.indexOf('\0') >= 0) throw new TreeFormatException("field '" + field + "'");
    }

    /** The former decoder (a Jackson JsonNode tree, then validation), measured in the same run as the reference. */
    @Benchmark
    public HiQTree decodeJsonNode() throws Exception {
        return TreeCodec.fromJson(TreeCodec.mapper().readTree(json));
    }
}
