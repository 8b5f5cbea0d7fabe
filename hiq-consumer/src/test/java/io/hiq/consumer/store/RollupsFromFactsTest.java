package io.hiq.consumer.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.hiq.consumer.ingest.TreeValidator;
import io.hiq.tree.HiQNode;
import io.hiq.tree.HiQTree;
import io.hiq.tree.TreeCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * What the store writes of a batch, from the flat facts {@link TreeValidator} keeps, against the
 * former walk of the tree model: the same roll-up keys with the same count, sum, min and max (every
 * node of a {@code time} tree, minus a partial tree's root; no node of another metric), and the same
 * root columns.
 */
class RollupsFromFactsTest {
    /** The former roll-up walk over the model: key → count, sum, min, max. */
    private static Map<RollupKey, long[]> former(List<HiQTree> trees) {
        Map<RollupKey, long[]> out = new TreeMap<>();
        for (HiQTree t : trees) {
            if (!"time".equals(t.metric())) continue;
            if (t.partial()) for (HiQNode c : t.root().children()) walk(out, t.service(), c);
            else walk(out, t.service(), t.root());
        }
        return out;
    }

    private static void walk(Map<RollupKey, long[]> out, String service, HiQNode n) {
        long minute = Math.floorDiv(n.start(), 60_000_000L) * 60_000L;
        long[] a = out.computeIfAbsent(new RollupKey(service, n.name(), minute), k -> new long[] {0, 0, Long.MAX_VALUE, Long.MIN_VALUE});
        a[0]++;
        a[1] += n.span();
        a[2] = Math.min(a[2], n.span());
        a[3] = Math.max(a[3], n.span());
        for (HiQNode c : n.children()) walk(out, service, c);
    }

    @Test
    void rollsUpTheNodesTheModelWalkRolledUp() throws Exception {
        SplittableRandom r = new SplittableRandom(9);
        List<HiQTree> trees = new ArrayList<>();
        List<StoredTree> batch = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            long t = 1_700_000_000_000_000L + r.nextLong(600_000_000L); // ten minutes
            List<HiQNode> all = new ArrayList<>();
            int nodes = 1 + r.nextInt(12);
            for (int k = 0; k < nodes; k++) {
                long vs = r.nextLong(1_000_000);
                HiQNode n = HiQNode.of("tag" + r.nextInt(5), t + r.nextLong(120_000_000L), t + 200_000_000L, vs, vs + r.nextLong(1_000_000_000L));
                if (k > 0) all.get(r.nextInt(k)).addChild(n);
                all.add(n);
            }
            HiQTree tree = HiQTree.builder().id("id" + i).service("svc" + r.nextInt(2)).host("h").pid(1).thread("t")
                    .metric(r.nextInt(5) == 0 ? "memory" : "time").unit("ns").partial(r.nextInt(3) == 0).root(all.get(0)).build();
            trees.add(tree);
            StoredTree st = TreeValidator.validate(TreeCodec.encode(tree));
            batch.add(st);
            assertThat(st.facts().rootTag()).isEqualTo(tree.root().name());
            assertThat(st.facts().rootStart()).isEqualTo(tree.root().start());
            assertThat(st.facts().size()).isEqualTo(tree.root().size());
            assertThat(TreeStore.latencyUs(st.facts())).isEqualTo(Math.max(0, tree.root().end() - tree.root().start()));
        }
        Map<RollupKey, long[]> expected = former(trees);
        TreeMap<RollupKey, RollupCounts> actual = TreeStore.rollups(batch);
        assertThat(actual.keySet()).containsExactlyElementsOf(expected.keySet());
        actual.forEach((k, a) -> assertThat(new long[] {a.count(), a.sum(), a.min(), a.max()}).as(k.toString()).containsExactly(expected.get(k)));
        assertThat(expected).hasSizeGreaterThan(50);
    }
}
