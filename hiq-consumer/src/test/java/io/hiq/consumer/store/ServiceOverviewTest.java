package io.hiq.consumer.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.hiq.consumer.ingest.TreeValidator;
import io.hiq.tree.HiQNode;
import io.hiq.tree.HiQTree;
import io.hiq.tree.TreeCodec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /api/services}' source: every service with trees in the window (not only listed ones),
 * busiest first, each with its busiest root tag and that tag's statistics from its own roll-ups.
 */
class ServiceOverviewTest {
    private static HiQTree tree(String id, String service, String root, long startUs, long latencyNs) {
        HiQNode r = HiQNode.of(root, startUs, startUs + latencyNs / 1000, 0, latencyNs);
        r.addChild(HiQNode.of("child", startUs + 1, startUs + 2, 1_000, 2_000));
        return HiQTree.builder().id(id).service(service).host("h").pid(1).thread("t").root(r).build();
    }

    /** In SQLite counted per service (no global start index), in H2 in one grouped count. */
    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "h2"})
    void everyServiceInTheWindowBusiestFirstWithItsBusiestRoot(String kind, @TempDir Path dir) throws Exception {
        long nowMs = System.currentTimeMillis();
        long nowUs = nowMs * 1000;
        List<StoredTree> batch = new ArrayList<>();
        // shop: 5 x checkout (1..5 ms) + 2 x browse; admin: 3 x login; old: only 2 h ago (outside the hour)
        for (int i = 1; i <= 5; i++) batch.add(store(tree("s" + i, "shop", "checkout", nowUs - 60_000_000L, i * 1_000_000L)));
        for (int i = 0; i < 2; i++) batch.add(store(tree("b" + i, "shop", "browse", nowUs - 60_000_000L, 9_000_000L)));
        for (int i = 0; i < 3; i++) batch.add(store(tree("a" + i, "admin", "login", nowUs - 60_000_000L, 500_000L)));
        batch.add(store(tree("o1", "old", "batch", nowUs - 7_200_000_000L, 1_000_000L)));
        // "shop" also uses the tag "login" as a child elsewhere: its stats must never leak into admin's
        try (TreeStore s = TreeStore.open(TreeStoreTest.url(kind, dir))) {
            s.write(batch);
            List<ServiceSummary> out = new ServiceOverview(s).services(nowMs - 3_600_000L, null, 20);
            assertThat(out).extracting(ServiceSummary::service).containsExactly("shop", "admin");
            ServiceSummary shop = out.get(0);
            assertThat(shop.trees()).isEqualTo(7);
            assertThat(shop.rootTag()).isEqualTo("checkout");
            assertThat(shop.rootTrees()).isEqualTo(5);
            assertThat(shop.rootStats().count()).isEqualTo(5);
            assertThat(shop.rootStats().maxMs()).isBetween(4.99, 5.01);
            ServiceSummary admin = out.get(1);
            assertThat(admin.rootTag()).isEqualTo("login");
            assertThat(admin.rootStats().count()).isEqualTo(3);
            assertThat(admin.rootStats().maxMs()).isBetween(0.49, 0.51);

            assertThat(new ServiceOverview(s).services(nowMs - 3_600_000L, null, 1)).extracting(ServiceSummary::service)
                    .as("limit keeps the busiest").containsExactly("shop");
            assertThat(new ServiceOverview(s).services(0, null, 20)).extracting(ServiceSummary::service)
                    .as("an all-time window includes the old service").containsExactly("shop", "admin", "old");
            assertThat(new ServiceOverview(s).services(nowMs, null, 20)).as("an empty window").isEmpty();
        }
    }

    private static StoredTree store(HiQTree t) throws Exception {
        return TreeValidator.validate(TreeCodec.encode(t));
    }
}
