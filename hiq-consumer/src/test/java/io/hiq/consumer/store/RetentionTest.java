package io.hiq.consumer.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hiq.consumer.ingest.TreeValidator;
import io.hiq.consumer.support.TestTrees;
import io.hiq.tree.HiQTree;
import io.hiq.tree.TreeCodec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** {@code HIQ_RETENTION} on a real SQLite file and a real H2 file: old trees and roll-ups deleted in small batches, recent data exact, bad values refused. */
class RetentionTest {
    private static final long DAY_MS = 86_400_000L;

    private static List<HiQTree> trees(Random rnd, String prefix, int n, long nowMs) {
        List<HiQTree> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(TestTrees.random(rnd, prefix + i, "svc", List.of("old_" + (i % 3), "shared"), nowMs * 1000, 30));
        return out;
    }

    private static void write(TreeStore s, List<HiQTree> trees) throws Exception {
        List<StoredTree> batch = new ArrayList<>();
        for (HiQTree t : trees) {
            batch.add(TreeValidator.validate(TreeCodec.encode(t)));
            if (batch.size() == 500) {
                s.write(batch);
                batch.clear();
            }
        }
        s.write(batch);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "h2"})
    void deletesOldTreesAndRollupsInBatchesAndKeepsRecentDataExact(String kind, @TempDir Path dir) throws Exception {
        long now = System.currentTimeMillis();
        Random rnd = new Random(3);
        List<HiQTree> old = trees(rnd, "old-", 2_500, now - 10 * DAY_MS);
        List<HiQTree> recent = new ArrayList<>();
        for (int i = 0; i < 300; i++) recent.add(TestTrees.random(rnd, "new-" + i, "svc", List.of("shared", "fresh"), now * 1000, 30));
        try (TreeStore s = TreeStore.open(TreeStoreTest.url(kind, dir))) {
            write(s, old);
            write(s, recent);
            assertThat(s.treeCount()).isEqualTo(2_800);
            Retention r = new Retention(s, Duration.ofDays(7), Duration.ofMinutes(5), () -> now);
            r.runOnce();
            assertThat(r.errors()).isZero();
            assertThat(r.deletedTrees()).isEqualTo(2_500);
            assertThat(Retention.TREE_BATCH).as("small transactions").isLessThanOrEqualTo(1_000);
            assertThat(r.deletedRollups()).isPositive();
            assertThat(s.treeCount()).isEqualTo(300);
            assertThat(s.treeJson("old-0")).isNull();
            assertThat(s.treeJson("new-0")).isNotNull();
            // the roll-ups left are exactly the recent trees' nodes
            List<TagStats> all = s.stats(null, null, null);
            assertThat(all).extracting(TagStats::tag).containsExactlyInAnyOrderElementsOf(TestTrees.countsByTag(recent).keySet());
            TestTrees.countsByTag(recent).forEach((tag, n) ->
                    assertThat(all.stream().filter(x -> x.tag().equals(tag)).findFirst().orElseThrow().count()).as(tag).isEqualTo(n));
            // a second pass finds nothing more; a pass on a closed store is counted, not thrown
            r.runOnce();
            assertThat(r.deletedTrees()).isEqualTo(2_500);
            assertThat(r.passes()).isEqualTo(2);
            s.close();
            r.runOnce();
            assertThat(r.errors()).isEqualTo(1);
        }
    }

    @Test
    void parsesDurationsWithBoundsAndClearErrors() {
        assertThat(Retention.parse("HIQ_RETENTION", null)).isEqualTo(Duration.ofDays(7));
        assertThat(Retention.parse("HIQ_RETENTION", "30d")).isEqualTo(Duration.ofDays(30));
        assertThat(Retention.parse("HIQ_RETENTION", "36h")).isEqualTo(Duration.ofHours(36));
        assertThat(Retention.parse("HIQ_RETENTION", "PT90M")).isEqualTo(Duration.ofMinutes(90));
        assertThatThrownBy(() -> Retention.parse("HIQ_RETENTION", "forever")).hasMessageContaining("HIQ_RETENTION").hasMessageContaining("7d");
        assertThatThrownBy(() -> Retention.parse("HIQ_RETENTION", "10s")).hasMessageContaining("out of bounds");
        assertThatThrownBy(() -> Retention.parse("HIQ_RETENTION", "99999d")).hasMessageContaining("out of bounds");
        assertThatThrownBy(() -> Retention.parse("HIQ_RETENTION", "-P1D")).hasMessageContaining("HIQ_RETENTION");
    }
}
