package io.hiq.tree;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The text rendering of a tree that records several metrics: one block per metric (issue 14). */
class TreeRendererTest {
    static final String G = TreeRenderer.ROOT_GLYPH;

    /** main (1 s, 3 MB allocated, 40 ms of GC) → work (0.5 s, 2 MB, 10 ms), recorded as time+memory+gc. */
    static HiQTree timeMemoryGc() {
        HiQNode root = HiQNode.of("main", 1_700_000_000_000_000L, 1_700_000_001_000_000L, 0, 1_000_000_000L)
                .putValues("time", 0, 1_000_000_000L).putValues("memory", 500_000, 3_500_000).putValues("gc", 7, 47);
        HiQNode work = HiQNode.of("work", 1_700_000_000_250_000L, 1_700_000_000_750_000L, 250_000_000L, 750_000_000L)
                .putValues("time", 250_000_000L, 750_000_000L).putValues("memory", 1_000_000, 3_000_000).putValues("gc", 17, 27)
                .putExtra("order", 42L);
        root.addChild(work);
        return HiQTree.builder().id("m-1").service("shop").host("h").pid(1).thread("main")
                .metric("time").unit("ns").overheadNs(2_000).root(root).build();
    }

    @Test
    void everyMetricOfATreeIsRenderedInItsOwnBlockTheTreesMetricFirst() {
        String text = new TreeRenderer(ZoneOffset.UTC).render(timeMemoryGc());
        assertThat(text).isEqualTo("""
                [2023-11-14 22:13:20.000000 - 22:13:21.000000] [100.00%] @_root_time(1.0000)
                                                                         [OH:2us]
                [2023-11-14 22:13:20.000000 - 22:13:21.000000] [100.00%] l_[main] (1.000000)
                [2023-11-14 22:13:20.250000 - 22:13:20.750000] [ 50.00%]    l_[work] (0.500000) ({order=42})
                [2023-11-14 22:13:20.000000 - 22:13:21.000000] [100.00%] @_root_memory(3.0000)
                [2023-11-14 22:13:20.000000 - 22:13:21.000000] [100.00%] l_[main] (3.000000)
                [2023-11-14 22:13:20.250000 - 22:13:20.750000] [ 66.67%]    l_[work] (2.000000) ({order=42})
                [2023-11-14 22:13:20.000000 - 22:13:21.000000] [100.00%] @_root_gc(0.0400)
                [2023-11-14 22:13:20.000000 - 22:13:21.000000] [100.00%] l_[main] (0.040000)
                [2023-11-14 22:13:20.250000 - 22:13:20.750000] [ 25.00%]    l_[work] (0.010000) ({order=42})
                """.replace("@", G));
    }

    @Test
    void theTreesOwnMetricNeedNotBeTimeAndARoundTripRendersTheSame() throws Exception {
        HiQNode root = HiQNode.of("main", 1_700_000_000_000_000L, 1_700_000_000_000_100L, 0, 4_000_000)
                .putValues("memory", 0, 4_000_000).putValues("time", 10_000, 110_000);
        HiQTree tree = HiQTree.builder().id("m-2").service("s").host("h").pid(1).thread("t")
                .metric("memory").unit("bytes").root(root).build();
        TreeRenderer r = new TreeRenderer(ZoneOffset.UTC);
        String text = r.render(tree);
        assertThat(text.lines().filter(l -> l.contains("_root_")).toList())
                .containsExactly("[2023-11-14 22:13:20.000000 - 22:13:20.000100] [100.00%] " + G + "_root_memory(4.0000)",
                        "[2023-11-14 22:13:20.000000 - 22:13:20.000100] [100.00%] " + G + "_root_time(0.0001)");
        assertThat(r.render(TreeCodec.decode(TreeCodec.encodeToString(tree)))).isEqualTo(text);
    }

    @Test
    void aNodeWithoutAReadingOfAMetricSaysNotAvailableInsteadOfZero() {
        HiQNode root = HiQNode.of("main", 1_700_000_000_000_000L, 1_700_000_001_000_000L, 0, 1_000_000_000L)
                .putValues("time", 0, 1_000_000_000L).putValues("memory", 0, 2_000_000);
        root.addChild(HiQNode.of("foreign", 1_700_000_000_000_001L, 1_700_000_000_000_002L, 1_000, 2_000));
        HiQTree tree = HiQTree.builder().id("m-3").service("s").host("h").pid(1).thread("t").root(root).build();
        String text = new TreeRenderer(ZoneOffset.UTC).render(tree);
        assertThat(text).contains("[   n/a%]    l_[foreign] (n/a)").contains("[  0.00%]    l_[foreign] (0.000001)");
    }

    @Test
    void aTreeOfOneMetricHasOneBlock() {
        String text = new TreeRenderer(ZoneOffset.UTC).render(TreeCodecTest.sample());
        assertThat(text.lines().filter(l -> l.contains("_root_"))).hasSize(1);
    }
}
