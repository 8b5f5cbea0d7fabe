package io.hiq.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hiq.HiQ;
import io.hiq.core.runtime.HiQControl;
import io.hiq.core.runtime.HiQRuntime;
import io.hiq.core.runtime.Settings;
import io.hiq.core.testapp.LongRoot;
import io.hiq.core.tree.Mode;
import io.hiq.core.tree.TreeIds;
import io.hiq.tree.HiQNode;
import io.hiq.tree.HiQTree;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bounded assembler on real traced code through the driver: the node cap and partial trees. */
class BoundedTreesTest {
    @TempDir Path home;

    private static final List<List<String>> CONF = List.of(
            List.of("io.hiq.core.testapp", "LongRoot", "run", "run"),
            List.of("io.hiq.core.testapp", "LongRoot", "runUntil", "run_until"),
            List.of("io.hiq.core.testapp", "LongRoot", "leaf", "leaf"));

    private HiQ start(Map<String, String> env) {
        Map<String, String> all = new HashMap<>(env);
        all.put("HIQ_HOME", home.toString());
        all.put("HIQ_RING_POLICY", "block"); // every record must arrive for exact counts
        return HiQ.builder().conf(CONF).settings(Settings.of(all)).mode(Mode.VERBOSE).maxTrees(100_000).start();
    }

    /** Kept leaf nodes plus folded leaf calls of one tree. */
    private static long leafCalls(HiQTree t) {
        long n = 0;
        for (HiQNode c : t.root().children()) if (c.name().equals("leaf")) n++;
        Object folded = t.root().extra().get("folded");
        if (folded instanceof Map<?, ?> byTag && byTag.get("leaf") instanceof Map<?, ?> leaf) n += ((Number) leaf.get("count")).longValue();
        return n;
    }

    @Test
    void aRootWithFiftyThousandLeafCallsIsTruncatedWithExactCountsAndCounted() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = new ObjectName(HiQControl.OBJECT_NAME);
        try (HiQ hiq = start(Map.of("HIQ_MAX_NODES", "100"))) {
            LongRoot.run(50_000);
            LongRoot.run(10);
            await("two trees assembled").atMost(Duration.ofSeconds(60)).until(() -> hiq.trees().size() == 2);
            HiQTree big = hiq.trees().get(0);
            assertThat(big.truncated()).isTrue();
            assertThat(big.root().size()).isEqualTo(100);
            assertThat(big.root().children()).hasSize(99);
            assertThat(leafCalls(big)).isEqualTo(50_000);
            HiQTree small = hiq.trees().get(1);
            assertThat(small.truncated()).isFalse();
            assertThat(small.root().children()).hasSize(10);
            assertThat(big.id()).matches("[0-9a-f]{32}");
            assertThat(TreeIds.isWellFormed(small.id())).isTrue();
            await("the MBean registered").atMost(Duration.ofSeconds(30)).until(() -> server.isRegistered(name));
            assertThat((Long) server.getAttribute(name, "TruncatedTrees")).isEqualTo(1L);
            assertThat((Long) server.getAttribute(name, "BrokenTrees")).isZero();
            assertThat((Long) server.getAttribute(name, "Trees")).isEqualTo(2L);
        }
    }

    @Test
    void aLongRootEmitsPartialTreesWhoseUnionWithTheFinalTreeHoldsEveryCallOnce() {
        try (HiQ hiq = start(Map.of("HIQ_PARTIAL_INTERVAL", "0.05", "HIQ_MAX_NODES", "5000"))) {
            HiQRuntime rt = hiq.runtime();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            // the root runs until the assembler has emitted three partial trees of it (or 60 s)
            long calls = LongRoot.runUntil(() -> rt.counters().get(HiQRuntime.PARTIAL_TREES) >= 3 || System.nanoTime() > deadline,
                    Long.MAX_VALUE);
            assertThat(rt.counters().get(HiQRuntime.PARTIAL_TREES)).as("partial trees emitted within 60 s").isGreaterThanOrEqualTo(3);
            await("the final tree").atMost(Duration.ofSeconds(60)).until(() -> hiq.trees().stream().anyMatch(t -> !t.partial()));
            List<HiQTree> all = hiq.trees();
            HiQTree fin = all.stream().filter(t -> !t.partial()).findFirst().orElseThrow();
            List<HiQTree> partials = all.stream().filter(HiQTree::partial).toList();
            assertThat(partials.size()).isGreaterThanOrEqualTo(3);
            for (HiQTree p : partials) {
                assertThat(p.partOf()).isEqualTo(fin.id());
                assertThat(p.id()).isNotEqualTo(fin.id()).matches("[0-9a-f]{32}");
                assertThat(p.root().name()).isEqualTo("run_until");
                assertThat(p.root().start()).isEqualTo(fin.root().start());
                assertThat(p.root().end()).as("a placeholder ends before the real root").isLessThanOrEqualTo(fin.root().end());
            }
            assertThat(all.stream().map(HiQTree::id).distinct().count()).isEqualTo(all.size());
            long seen = leafCalls(fin);
            for (HiQTree p : partials) seen += leafCalls(p);
            assertThat(seen).as("kept + folded leaf calls over the partial trees and the final tree").isEqualTo(calls);
            assertThat(fin.partial()).isFalse();
            assertThat(fin.partOf()).isNull();
        }
    }
}
