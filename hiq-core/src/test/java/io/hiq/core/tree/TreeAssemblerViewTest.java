package io.hiq.core.tree;

import static org.assertj.core.api.Assertions.assertThat;

import io.hiq.core.metric.Metric;
import io.hiq.core.spi.TreeSink;
import io.hiq.tree.HiQTree;
import io.hiq.tree.TreeCodec;
import io.hiq.tree.TreeJsonWriter;
import io.hiq.tree.TreeView;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Every {@link TreeAssemblerTest} again with a sink that reads views (the flat, garbage-free path):
 * each tree handed over as a view must encode to exactly the bytes of its materialised objects, and
 * the assertions of the object tests then run on those objects. Plus: object and view sinks side by
 * side get the same tree, and the arrays are reused rather than regrown.
 */
class TreeAssemblerViewTest extends TreeAssemblerTest {
    final TreeJsonWriter writer = new TreeJsonWriter();
    int views;

    @Override
    TreeSink sinkInto(List<HiQTree> into) {
        return new TreeSink() {
            @Override public boolean acceptsView() { return true; }
            @Override public void acceptView(TreeView v) {
                views++;
                HiQTree t = v.toTree();
                int n = writer.encode(v, Integer.MAX_VALUE);
                assertThat(new String(writer.buffer(), 0, n, StandardCharsets.UTF_8))
                        .as("the view's bytes and its objects' bytes").isEqualTo(TreeCodec.encodeToString(t));
                into.add(t);
            }
            @Override public void accept(HiQTree tree) { into.add(tree); }
        };
    }

    @Test
    void aViewSinkAndAnObjectSinkGetTheSameTree() {
        List<HiQTree> objects = new ArrayList<>();
        List<String> viewed = new ArrayList<>();
        TreeSink objectSink = objects::add;
        TreeSink viewSink = new TreeSink() {
            @Override public boolean acceptsView() { return true; }
            @Override public void acceptView(TreeView v) { viewed.add(TreeCodec.encodeToString(v.toTree())); }
            @Override public void accept(HiQTree tree) { throw new AssertionError("objects to a view sink"); }
        };
        TreeAssembler a = new TreeAssembler(TAGS, List.of(Metric.TIME), Mode.CONCISE, "svc", "host", 1, nanos -> nanos / 1000, 0,
                List.of(viewSink, objectSink), new AssemblyLimits(100, Duration.ZERO), counters);
        Records r = new Records().enter(ROOT, 1000).extra("k", "v");
        for (int i = 0; i < 5; i++) r.enter(LEAF, 2000 + i * 10).exit(LEAF, 2000 + i * 10); // zero-span: pruned
        r.enter(ITEM, 3000).exit(ITEM, 9000).enter(OTHER, 9100).exitThrowing(OTHER, 9100, new IllegalStateException("boom"))
                .exit(ROOT, 10_000);
        a.onBatch(r.batch(1, "main"), true);
        assertThat(objects).hasSize(1);
        assertThat(viewed).containsExactly(TreeCodec.encodeToString(objects.get(0)));
        // the zero-span leaves are pruned as they close; a zero-span call that threw is kept with its exception
        assertThat(names(objects.get(0).root().children())).containsExactly("item", "other");
        assertThat(objects.get(0).root().children().get(1).extra())
                .containsEntry("exception", "java.lang.IllegalStateException: boom");
        assertThat(objects.get(0).root().extra()).isEqualTo(Map.of("k", "v"));
    }

    @Test
    void aSinkThatUsesNoTreesDoesNotMakeTheAssemblerBuildObjects() {
        List<String> viewed = new ArrayList<>();
        int[] objectCalls = {0};
        TreeSink unused = new TreeSink() { // the agent's store with HIQ_MAX_TREES=0
            @Override public boolean wantsTrees() { return false; }
            @Override public void accept(HiQTree tree) { objectCalls[0]++; }
        };
        TreeSink viewSink = new TreeSink() {
            @Override public boolean acceptsView() { return true; }
            @Override public void acceptView(TreeView v) { viewed.add(v.id()); }
            @Override public void accept(HiQTree tree) { throw new AssertionError("objects to a view sink"); }
        };
        TreeAssembler a = new TreeAssembler(TAGS, List.of(Metric.TIME), Mode.VERBOSE, "svc", "host", 1, nanos -> nanos / 1000, 0,
                List.of(unused, viewSink), new AssemblyLimits(100, Duration.ZERO), counters);
        for (int i = 0; i < 3; i++) a.onBatch(goodRoot(new Records(), i * 10_000L).batch(1, "main"), true);
        assertThat(viewed).hasSize(3).doesNotHaveDuplicates();
        assertThat(objectCalls[0]).as("objects made for a sink that uses none").isZero();
    }

    @Test
    void theArraysAreReusedTreeAfterTree() {
        TreeAssembler a = assembler(Mode.VERBOSE, 10_000, Duration.ZERO);
        for (int round = 0; round < 50; round++) {
            Records r = new Records();
            long t = round * 100_000L;
            r.enter(ROOT, t);
            for (int i = 0; i < 20; i++) r.enter(LEAF, t + 10 + i).exit(LEAF, t + 20 + i);
            r.exit(ROOT, t + 50_000);
            a.onBatch(r.batch(1, "main"), true);
        }
        assertThat(trees).hasSize(50);
        assertThat(views).isEqualTo(50);
        assertThat(trees.get(49).root().children()).hasSize(20);
        assertThat(a.spareRoots()).as("one reused root, not one per tree").isEqualTo(1);
        assertThat(new AtomicLong(a.heldNodes()).get()).isZero();
    }
}
