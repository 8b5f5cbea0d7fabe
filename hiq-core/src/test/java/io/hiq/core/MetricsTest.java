package io.hiq.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.hiq.HiQ;
import io.hiq.core.metric.Metric;
import io.hiq.core.runtime.Settings;
import io.hiq.core.testapp.Resources;
import io.hiq.core.tree.Mode;
import io.hiq.tree.HiQNode;
import io.hiq.tree.HiQTree;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each metric of DESIGN B2 against a method that uses a known amount of it. */
class MetricsTest {
    @TempDir Path home;

    private static List<List<String>> conf(String method) {
        return List.of(List.of("io.hiq.core.testapp", "Resources", method, method));
    }

    private HiQ start(String method, Metric... metrics) {
        return HiQ.builder().conf(conf(method)).metrics(metrics).mode(Mode.VERBOSE)
                .settings(Settings.of(Map.of("HIQ_HOME", home.toString()))).start();
    }

    private static HiQNode only(HiQ hiq) {
        List<HiQTree> trees = hiq.trees();
        assertThat(trees).hasSize(1);
        return trees.get(0).root();
    }

    @Test
    void memoryCountsBytesAllocatedByTheThread() {
        try (HiQ hiq = start("allocate", Metric.MEMORY)) {
            Resources.allocate(10);
            HiQTree t = hiq.trees().get(0);
            assertThat(t.metric()).isEqualTo("memory");
            assertThat(t.unit()).isEqualTo("bytes");
            assertThat(t.root().span()).isGreaterThanOrEqualTo(10L << 20).isLessThan(20L << 20);
        }
    }

    @Test
    void diskIoCountsBytesWrittenToStorage() throws Exception {
        Path file = home.resolve("five-mb.bin");
        try (HiQ hiq = start("writeFile", Metric.DISK_IO)) {
            Resources.writeFile(file, 5_000_000);
            assertThat(only(hiq).span()).isGreaterThanOrEqualTo(5_000_000L);
        }
        assertThat(Files.size(file)).isEqualTo(5_000_000L);
    }

    @Test
    void netIoCountsBytesOnTheInterfaces() throws Exception {
        try (HiQ hiq = start("loopback", Metric.NET_IO)) {
            assertThat(Resources.loopback(1 << 20)).isEqualTo(1 << 20);
            // sent and received on lo: at least twice the payload
            assertThat(only(hiq).span()).isGreaterThanOrEqualTo(2L << 20);
        }
    }

    @Test
    void rssGrowsWithTouchedMemory() {
        try (HiQ hiq = start("touchNative", Metric.RSS)) {
            Resources.touchNative(64);
            assertThat(only(hiq).span()).isGreaterThanOrEqualTo(48L << 20);
        }
    }

    @Test
    void gcCountsCollectionTime() {
        try (HiQ hiq = start("collect", Metric.GC)) {
            Resources.collect();
            HiQTree t = hiq.trees().get(0);
            assertThat(t.unit()).isEqualTo("ms");
            assertThat(t.root().span()).isPositive();
        }
    }

    @Test
    void customMetricReadsTheUsersSupplierAndSeveralMetricsGoTogether() {
        AtomicLong widgets = new AtomicLong();
        try (HiQ hiq = HiQ.builder().conf(conf("allocate")).metrics(Metric.TIME, Metric.MEMORY).customMetric(widgets::get)
                .settings(Settings.of(Map.of("HIQ_HOME", home.toString()))).start()) {
            widgets.set(5);
            Resources.allocate(2);
            HiQNode n = only(hiq);
            assertThat(n.values()).containsOnlyKeys("time", "memory", "custom");
            assertThat(n.values().get("memory")[1] - n.values().get("memory")[0]).isGreaterThanOrEqualTo(2L << 20);
            assertThat(n.values().get("custom")).containsExactly(5L, 5L);
            assertThat(n.values().get("time")[1] - n.values().get("time")[0]).isEqualTo(n.span()).isPositive();
        }
    }
}
