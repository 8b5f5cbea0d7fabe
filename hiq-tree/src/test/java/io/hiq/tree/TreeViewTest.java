package io.hiq.tree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** A tree read in place (pre-order arrays) encodes and materialises exactly like the object tree it mirrors. */
class TreeViewTest {
    /** The simplest view: a {@link HiQTree} flattened in pre-order. */
    static class FlatView implements TreeView {
        final HiQTree t;
        final List<HiQNode> nodes = new ArrayList<>();
        final List<Integer> ends = new ArrayList<>();

        FlatView(HiQTree t) {
            this.t = t;
            add(t.root());
        }

        private void add(HiQNode n) {
            int i = nodes.size();
            nodes.add(n);
            ends.add(0);
            for (HiQNode c : n.children()) add(c);
            ends.set(i, nodes.size());
        }

        public String id() { return t.id(); }
        public String service() { return t.service(); }
        public String host() { return t.host(); }
        public long pid() { return t.pid(); }
        public String thread() { return t.thread(); }
        public String metric() { return t.metric(); }
        public String unit() { return t.unit(); }
        public long overheadNs() { return t.overheadNs(); }
        public long dropped() { return t.dropped(); }
        public String mode() { return t.mode(); }
        public boolean truncated() { return t.truncated(); }
        public boolean partial() { return t.partial(); }
        public boolean broken() { return t.broken(); }
        public String partOf() { return t.partOf(); }
        public int nodeCount() { return nodes.size(); }
        public String name(int i) { return nodes.get(i).name(); }
        public long start(int i) { return nodes.get(i).start(); }
        public long end(int i) { return nodes.get(i).end(); }
        public long valueStart(int i) { return nodes.get(i).valueStart(); }
        public long valueEnd(int i) { return nodes.get(i).valueEnd(); }
        public Map<String, Object> extraOrNull(int i) { return nodes.get(i).extraOrNull(); }
        public Map<String, long[]> valuesOrNull(int i) { return nodes.get(i).valuesOrNull(); }
        public int subtreeEnd(int i) { return ends.get(i); }
    }

    @Test
    void encodesTheSameBytesAsTheObjectTreeAndMaterialisesToIt() {
        SplittableRandom r = new SplittableRandom(7);
        TreeJsonWriter w = new TreeJsonWriter(64);
        for (int i = 0; i < 1_000; i++) {
            HiQTree t = TreeJsonWriterTestTrees.random(r, 1 + r.nextInt(40));
            String expected = new String(TreeCodec.encode(t), StandardCharsets.UTF_8);
            FlatView v = new FlatView(t);
            int n = w.encode(v, TreeLimits.MAX_ENCODED_BYTES);
            assertThat(new String(w.buffer(), 0, n, StandardCharsets.UTF_8)).as("tree %d", i).isEqualTo(expected);
            assertThat(TreeCodec.encodeToString(v.toTree())).as("materialised tree %d", i).isEqualTo(expected);
        }
    }

    @Test
    void aTreeAsDeepAsItIsLargeMaterialisesWithoutOverflowingTheStack() {
        int n = 200_000; // a traced recursion: every node the only child of the one before
        TreeView chain = new FlatView(HiQTree.builder().id("x").service("s").host("h").thread("t")
                .root(HiQNode.of("r", 0, 1, 0, 1)).build()) {
            @Override public int nodeCount() { return n; }
            @Override public String name(int i) { return "down"; }
            @Override public long start(int i) { return i; }
            @Override public long end(int i) { return 2L * n - i; }
            @Override public long valueStart(int i) { return i; }
            @Override public long valueEnd(int i) { return 2L * n - i; }
            @Override public Map<String, Object> extraOrNull(int i) { return null; }
            @Override public Map<String, long[]> valuesOrNull(int i) { return null; }
            @Override public int subtreeEnd(int i) { return n; }
        };
        HiQNode node = chain.toTree().root();
        int depth = 1;
        while (!node.isLeaf()) {
            assertThat(node.children()).hasSize(1);
            node = node.children().get(0);
            depth++;
        }
        assertThat(depth).isEqualTo(n);
        assertThat(node.start()).isEqualTo(n - 1);
    }

    @Test
    void aViewOverTheLimitIsRefused() {
        HiQNode root = HiQNode.of("r", 1, 2, 3, 4);
        for (int i = 0; i < 10_000; i++) root.addChild(HiQNode.of("child", i, i + 1, i, i + 1));
        FlatView v = new FlatView(HiQTree.builder().id("x").service("s").host("h").thread("t").root(root).build());
        TreeJsonWriter w = new TreeJsonWriter();
        assertThatThrownBy(() -> w.encode(v, 10_000)).isInstanceOf(TreeTooLargeException.class);
        assertThat(w.encode(v, Integer.MAX_VALUE)).isGreaterThan(10_000); // reusable after a refusal
    }
}
