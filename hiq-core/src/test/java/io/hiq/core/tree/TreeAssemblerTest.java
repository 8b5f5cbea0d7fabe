package io.hiq.core.tree;

import static org.assertj.core.api.Assertions.assertThat;

import io.hiq.core.event.SpanBatch;
import io.hiq.core.event.TagRegistry;
import io.hiq.core.event.TestBatches;
import io.hiq.core.metric.Metric;
import io.hiq.core.spi.TreeSink;
import io.hiq.tree.HiQNode;
import io.hiq.tree.HiQTree;
import io.hiq.tree.TreeCodec;
import io.hiq.tree.TreeRenderer;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The assembler driven with batches as the ring delivers them: repairs of unmatched exits and dead
 * threads, the node cap, concise pruning as nodes close, partial trees and ids.
 */
class TreeAssemblerTest {
    static final TagRegistry TAGS = new TagRegistry();
    static final int ROOT = TAGS.register("root", null, null).id();
    static final int ITEM = TAGS.register("item", null, null).id();
    static final int LEAF = TAGS.register("leaf", null, null).id();
    static final int OTHER = TAGS.register("other", null, null).id();

    final List<HiQTree> trees = new ArrayList<>();
    final AssemblyCounters counters = new AssemblyCounters(new AtomicLong(), new AtomicLong(), new AtomicLong(), new AtomicLong(), new AtomicLong());

    TreeAssembler assembler(Mode mode, int maxNodes, Duration partialInterval) {
        return assembler(mode, maxNodes, partialInterval, 4242, trees);
    }

    TreeAssembler assembler(Mode mode, int maxNodes, Duration partialInterval, long pid, List<HiQTree> into) {
        TreeSink sink = sinkInto(into);
        return new TreeAssembler(TAGS, List.of(Metric.TIME), mode, "svc", "host", pid, nanos -> nanos / 1000, 0,
                List.of(sink), new AssemblyLimits(maxNodes, partialInterval), counters);
    }

    /** The sink the tests read trees from: objects here; {@link TreeAssemblerViewTest} reads views. */
    TreeSink sinkInto(List<HiQTree> into) {
        return into::add;
    }

    static List<String> names(List<HiQNode> nodes) { return nodes.stream().map(HiQNode::name).toList(); }

    /** A well-formed root: root → item → leaf, starting at {@code t}. */
    static Records goodRoot(Records r, long t) {
        return r.enter(ROOT, t).enter(ITEM, t + 1000).enter(LEAF, t + 2000).exit(LEAF, t + 3000).exit(ITEM, t + 4000).exit(ROOT, t + 5000);
    }

    static void assertGood(HiQTree t) {
        assertThat(t.broken()).isFalse();
        assertThat(t.root().name()).isEqualTo("root");
        assertThat(names(t.root().children())).containsExactly("item");
        assertThat(names(t.root().children().get(0).children())).containsExactly("leaf");
    }

    @Test
    void anExitWhoseInnerExitsAreMissingClosesThemAndFlagsTheTreeBroken() {
        TreeAssembler a = assembler(Mode.VERBOSE, 10_000, Duration.ZERO);
        Records r = new Records()
                // leaf's EXIT never came: item's EXIT arrives while leaf is the innermost open call
                .enter(ROOT, 1000).enter(ITEM, 2000).enter(LEAF, 3000).exit(ITEM, 9000).exit(ROOT, 10_000);
        goodRoot(r, 20_000);
        a.onBatch(r.batch(1, "main"), true);

        assertThat(trees).hasSize(2);
        HiQTree broken = trees.get(0);
        assertThat(broken.broken()).isTrue();
        HiQNode item = broken.root().children().get(0);
        assertThat(item.name()).isEqualTo("item");
        assertThat(item.span()).isEqualTo(7000);
        HiQNode leaf = item.children().get(0);
        assertThat(leaf.extra()).containsEntry(TreeAssembler.REPAIRED, "exit not recorded");
        assertThat(leaf.valueEnd()).isEqualTo(9000); // closed where the repair happened
        assertThat(broken.root().span()).isEqualTo(9000);
        assertGood(trees.get(1));
        assertThat(counters.broken().get()).isEqualTo(1);
        assertThat(counters.trees().get()).isEqualTo(2);
        // the flag survives the wire and shows in the rendering
        assertThat(TreeCodec.encodeToString(broken)).contains("\"broken\":true");
        assertThat(new TreeRenderer(ZoneOffset.UTC).render(broken)).contains("[broken]");
    }

    @Test
    void anExitOfACallThatWasNeverEnteredIsSkippedAndLaterRootsAssemble() {
        TreeAssembler a = assembler(Mode.VERBOSE, 10_000, Duration.ZERO);
        Records r = new Records().enter(ROOT, 1000).exit(OTHER, 1500).enter(ITEM, 2000).exit(ITEM, 3000).exit(ROOT, 4000);
        a.onBatch(r.batch(7, "worker"), false);
        // the next roots come in later batches of the same thread
        for (int i = 0; i < 3; i++) a.onBatch(goodRoot(new Records(), 10_000 + i * 10_000L).batch(7, "worker"), true);

        assertThat(trees).hasSize(4);
        assertThat(trees.get(0).broken()).isTrue();
        assertThat(names(trees.get(0).root().children())).containsExactly("item");
        assertThat(trees.get(0).root().span()).isEqualTo(3000);
        trees.subList(1, 4).forEach(TreeAssemblerTest::assertGood);
        assertThat(counters.broken().get()).isEqualTo(1);
    }

    @Test
    void recursionWithALostExitIsRepairedAtTheRootsExit() {
        TreeAssembler a = assembler(Mode.VERBOSE, 10_000, Duration.ZERO);
        // root → item → item → item; one item EXIT is lost, as when a StackOverflowError hits HiQ itself
        Records r = new Records().enter(ROOT, 0).enter(ITEM, 100).enter(ITEM, 200).enter(ITEM, 300)
                .exit(ITEM, 400).exit(ITEM, 500).exit(ROOT, 600);
        goodRoot(r, 1000);
        a.onBatch(r.batch(3, "main"), true);
        assertThat(trees).hasSize(2);
        assertThat(trees.get(0).broken()).isTrue();
        assertThat(trees.get(0).root().end()).isEqualTo(0); // 600 ns → 0 µs: the root closed at its own EXIT
        assertThat(trees.get(0).root().span()).isEqualTo(600);
        assertThat(trees.get(0).root().size()).isEqualTo(4);
        assertGood(trees.get(1));
    }

    @Test
    void aThreadThatDiesMidRootGetsItsTreeClosedBrokenAndOtherThreadsAreUntouched() {
        TreeAssembler a = assembler(Mode.VERBOSE, 10_000, Duration.ZERO);
        a.onBatch(new Records().enter(ROOT, 1000).enter(ITEM, 2000).exit(ITEM, 3000).enter(ITEM, 4000).batch(5, "dying"), false);
        // another thread's roots interleave
        a.onBatch(new Records().enter(ROOT, 1500).batch(6, "alive"), false);
        a.onBatch(TestBatches.ofTerminatedThread(5, "dying", new Records().enter(LEAF, 5000).take()), true);

        assertThat(trees).hasSize(1);
        HiQTree t = trees.get(0);
        assertThat(t.thread()).isEqualTo("dying");
        assertThat(t.broken()).isTrue();
        assertThat(t.root().valueEnd()).isEqualTo(5000); // closed at the thread's last record
        assertThat(names(t.root().children())).containsExactly("item", "item");
        HiQNode open = t.root().children().get(1);
        assertThat(open.extra()).containsEntry(TreeAssembler.REPAIRED, "exit not recorded");
        assertThat(open.children().get(0).extra()).containsEntry(TreeAssembler.REPAIRED, "exit not recorded");
        assertThat(t.root().children().get(0).hasExtra()).isFalse();
        assertThat(counters.broken().get()).isEqualTo(1);

        // the other thread finishes its root normally; a dead thread's empty last batch emits nothing
        a.onBatch(new Records().enter(ITEM, 2000).enter(LEAF, 2100).exit(LEAF, 2200).exit(ITEM, 2300).exit(ROOT, 9000).batch(6, "alive"), true);
        a.onBatch(TestBatches.ofTerminatedThread(6, "alive", new long[0][]), true);
        assertThat(trees).hasSize(2);
        assertGood(trees.get(1));
        assertThat(counters.broken().get()).isEqualTo(1);
        assertThat(a.heldNodes()).isZero();
    }

    @Test
    void fiftyThousandLeafCallsPastTheCapAreFoldedIntoExactCounts() throws Exception {
        int cap = 100, calls = 50_000;
        TreeAssembler a = assembler(Mode.CONCISE, cap, Duration.ZERO);
        Records r = new Records().enter(ROOT, 0);
        long t = 10;
        long[] spans = new long[calls];
        for (int i = 0; i < calls; i++) {
            spans[i] = 200 + (i * 7919L) % 5000; // every span above the zero-span threshold: all kept while there is room
            r.enter(LEAF, t).exit(LEAF, t + spans[i]);
            t += spans[i] + 50;
            if (r.size() >= 4096) {
                a.onBatch(r.batch(1, "main"), false);
                assertThat(a.heldNodes()).isLessThanOrEqualTo(cap);
            }
        }
        r.exit(ROOT, t);
        a.onBatch(r.batch(1, "main"), true);

        assertThat(trees).hasSize(1);
        HiQTree tree = trees.get(0);
        assertThat(tree.truncated()).isTrue();
        assertThat(tree.root().size()).isEqualTo(cap);
        int kept = tree.root().children().size();
        assertThat(kept).isEqualTo(cap - 1);
        long total = 0, max = 0;
        for (int i = kept; i < calls; i++) {
            total += spans[i];
            max = Math.max(max, spans[i]);
        }
        assertThat(tree.root().extra().get(TreeAssembler.FOLDED)).isEqualTo(
                Map.of("leaf", Map.of("count", (long) (calls - kept), "total", total, "max", max)));
        assertThat(counters.truncated().get()).isEqualTo(1);

        // valid B4 with the flag, the same after a round trip, and it renders
        String json = TreeCodec.encodeToString(tree);
        assertThat(json).contains("\"truncated\":true").contains("\"folded\":{\"leaf\":{\"count\":" + (calls - kept) + ",");
        HiQTree back = TreeCodec.decode(json);
        assertThat(back.truncated()).isTrue();
        Object decoded = ((Map<?, ?>) ((Map<?, ?>) back.root().extra().get("folded")).get("leaf")).get("count");
        assertThat(((Number) decoded).longValue()).isEqualTo(calls - kept);
        String text = new TreeRenderer(ZoneOffset.UTC).render(back);
        assertThat(text).contains("[truncated]").contains("folded={leaf={count=" + (calls - kept));
    }

    @Test
    void callsBelowAFoldedCallFoldIntoTheNearestKeptAncestor() {
        TreeAssembler a = assembler(Mode.VERBOSE, 3, Duration.ZERO);
        Records r = new Records().enter(ROOT, 0);
        // item#1 (kept) → leaf (kept: 3 nodes); item#2 folded, its leaf too
        r.enter(ITEM, 10).enter(LEAF, 20).exit(LEAF, 30).exit(ITEM, 40);
        r.enter(ITEM, 50).enter(LEAF, 60).exit(LEAF, 90).exit(ITEM, 100);
        r.exit(ROOT, 200);
        a.onBatch(r.batch(1, "main"), true);
        HiQTree t = trees.get(0);
        assertThat(t.truncated()).isTrue();
        assertThat(t.root().size()).isEqualTo(3);
        assertThat(t.root().extra().get(TreeAssembler.FOLDED)).isEqualTo(Map.of(
                "item", Map.of("count", 1L, "total", 50L, "max", 50L),
                "leaf", Map.of("count", 1L, "total", 30L, "max", 30L)));
    }

    @Test
    void concisePruningAsNodesCloseKeepsHalfAMillionZeroSpanCallsInConstantMemory() {
        TreeAssembler a = assembler(Mode.CONCISE, 1_000, Duration.ZERO);
        Records r = new Records().enter(ROOT, 0);
        long t = 1;
        int maxHeld = 0;
        for (int i = 0; i < 250_000; i++) {
            r.enter(ITEM, t).enter(LEAF, t + 10).exit(LEAF, t + 20).exit(ITEM, t + 30); // zero spans (< 100 ns)
            t += 40;
            if (r.size() >= 4096) {
                a.onBatch(r.batch(1, "main"), false);
                maxHeld = Math.max(maxHeld, a.heldNodes());
            }
        }
        r.enter(ITEM, t).enter(LEAF, t + 10).exit(LEAF, t + 500).exit(ITEM, t + 600).exit(ROOT, t + 700);
        a.onBatch(r.batch(1, "main"), true);
        assertThat(maxHeld).as("nodes held while the root runs").isLessThanOrEqualTo(3);
        HiQTree tree = trees.get(0);
        // pruning, not the cap, kept it small: nothing folded, the one non-zero call kept with its parent
        assertThat(tree.truncated()).isFalse();
        assertThat(tree.root().size()).isEqualTo(3);
        assertThat(tree.root().children().get(0).children().get(0).span()).isEqualTo(490);
    }

    @Test
    void aLongRootEmitsPartialTreesAndTheirUnionWithTheFinalTreeHoldsEveryCallOnce() {
        // interval 1 ns: every batch is past it, so each batch boundary emits a partial tree
        TreeAssembler a = assembler(Mode.VERBOSE, 10_000, Duration.ofNanos(1));
        int items = 3_000;
        Records r = new Records().enter(ROOT, 0);
        long t = 1000;
        for (int i = 0; i < items; i++) {
            r.enter(ITEM, t).enter(LEAF, t + 100);
            // batches end in the middle of an item: that item is still open when a partial tree goes out
            if (i % 97 == 0) a.onBatch(r.batch(1, "main"), true);
            r.exit(LEAF, t + 300).exit(ITEM, t + 400);
            t += 1000;
        }
        r.exit(ROOT, t);
        a.onBatch(r.batch(1, "main"), true);

        List<HiQTree> partials = trees.stream().filter(HiQTree::partial).toList();
        List<HiQTree> finals = trees.stream().filter(x -> !x.partial()).toList();
        assertThat(finals).hasSize(1);
        HiQTree fin = finals.get(0);
        assertThat(partials).hasSizeGreaterThan(10);
        assertThat(counters.partial().get()).isEqualTo(partials.size());
        assertThat(counters.trees().get()).isEqualTo(1);
        Set<String> ids = new HashSet<>();
        trees.forEach(x -> ids.add(x.id()));
        assertThat(ids).hasSize(trees.size());
        Set<Long> starts = new HashSet<>();
        int count = 0;
        for (HiQTree p : partials) {
            assertThat(p.partOf()).isEqualTo(fin.id());
            assertThat(p.root().name()).isEqualTo("root");
            assertThat(p.root().start()).isEqualTo(fin.root().start());
            assertThat(p.root().valueEnd()).isLessThan(fin.root().valueEnd());
            for (HiQNode item : p.root().children()) {
                assertThat(item.name()).isEqualTo("item");
                assertThat(names(item.children())).containsExactly("leaf");
                assertThat(item.span()).isEqualTo(400);
                starts.add(item.valueStart());
                count++;
            }
            HiQTree back = TreeCodecRoundTrip.of(p);
            assertThat(back.partOf()).isEqualTo(fin.id());
            assertThat(back.partial()).isTrue();
        }
        for (HiQNode item : fin.root().children()) {
            assertThat(names(item.children())).containsExactly("leaf");
            starts.add(item.valueStart());
            count++;
        }
        assertThat(count).isEqualTo(items);
        assertThat(starts).hasSize(items); // each item exactly once
        assertThat(fin.root().valueEnd()).isEqualTo(t);
        assertThat(fin.partOf()).isNull();
        assertThat(fin.partial()).isFalse();
        assertThat(a.heldNodes()).isZero();
    }

    @Test
    void idsAre128RandomBitsIndependentOfThePid() {
        TreeIds gen = new TreeIds();
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 100_000; i++) {
            String id = gen.next();
            assertThat(id).matches("[0-9a-f]{32}");
            ids.add(id);
        }
        assertThat(ids).hasSize(100_000);

        // two runtimes in containers both see pid 1: their ids still differ
        List<HiQTree> first = new ArrayList<>(), second = new ArrayList<>();
        TreeAssembler a = assembler(Mode.VERBOSE, 10_000, Duration.ZERO, 1, first);
        TreeAssembler b = assembler(Mode.VERBOSE, 10_000, Duration.ZERO, 1, second);
        for (int i = 0; i < 5_000; i++) {
            a.onBatch(goodRoot(new Records(), i * 10_000L).batch(1, "main"), true);
            b.onBatch(goodRoot(new Records(), i * 10_000L).batch(1, "main"), true);
        }
        Set<String> all = new HashSet<>();
        for (HiQTree x : first) all.add(x.id());
        for (HiQTree x : second) all.add(x.id());
        assertThat(all).hasSize(10_000).allMatch(TreeIds::isWellFormed);
        assertThat(first.get(0).pid()).isEqualTo(second.get(0).pid()).isEqualTo(1);
    }

    @Test
    void recursionDeeperThanReadersAcceptIsFoldedSoTheTreeStillDecodes() throws Exception {
        TreeAssembler a = assembler(Mode.VERBOSE, 10_000, Duration.ZERO);
        int depth = 3 * TreeCodec.MAX_DEPTH;
        Records r = new Records().enter(ROOT, 1000);
        for (int d = 0; d < depth; d++) r.enter(ITEM, 2000 + d);
        for (int d = depth - 1; d >= 0; d--) r.exit(ITEM, 100_000 - d);
        r.exit(ROOT, 200_000);
        a.onBatch(r.batch(1, "main"), true);

        assertThat(trees).hasSize(1);
        HiQTree tree = trees.get(0);
        assertThat(tree.truncated()).isTrue();
        assertThat(tree.broken()).isFalse();
        // nodes down to the deepest level a reader accepts; every deeper call counted there
        HiQNode deepest = tree.root();
        int levels = 0;
        while (!deepest.isLeaf()) {
            deepest = deepest.children().get(0);
            levels++;
        }
        assertThat(levels).isEqualTo(TreeCodec.MAX_DEPTH);
        Object folded = ((Map<?, ?>) deepest.extra().get("folded")).get("item");
        assertThat(((Map<?, ?>) folded).get("count")).isEqualTo((long) (depth - TreeCodec.MAX_DEPTH));
        HiQTree back = TreeCodec.decode(TreeCodec.encodeToString(tree));
        assertThat(back.root().size()).isEqualTo(tree.root().size()).isEqualTo(TreeCodec.MAX_DEPTH + 1);
    }
}
