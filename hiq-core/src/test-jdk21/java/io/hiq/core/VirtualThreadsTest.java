package io.hiq.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hiq.HiQ;
import io.hiq.core.runtime.Settings;
import io.hiq.core.testapp.AsyncTarget;
import io.hiq.tree.HiQNode;
import io.hiq.tree.HiQTree;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Virtual threads (JDK 21+): compiled and run only by the jdk21-plus profile. */
class VirtualThreadsTest {
    @TempDir Path home;

    private static final List<List<String>> CONF = List.of(
            List.of("io.hiq.core.testapp", "AsyncTarget", "fanOut", "fanOut"),
            List.of("io.hiq.core.testapp", "AsyncTarget", "task", "task"),
            List.of("io.hiq.core.testapp", "AsyncTarget", "leafWork", "leafWork"));

    @AfterEach
    void stop() { AsyncTarget.pool.shutdownNow(); }

    private void assertFanOutTrees(HiQ hiq, int rounds, int tasks) {
        await().atMost(Duration.ofSeconds(20)).until(() -> hiq.trees().size() == rounds);
        for (HiQTree t : hiq.trees()) {
            assertThat(t.root().name()).isEqualTo("fanOut");
            assertThat(t.root().children()).hasSize(tasks).allSatisfy(task -> {
                assertThat(task.name()).isEqualTo("task");
                assertThat(task.children()).extracting(HiQNode::name).containsExactly("leafWork");
            });
        }
    }

    @Test
    void wrappedVirtualThreadExecutor() throws Exception {
        AsyncTarget.pool = HiQ.wrap(Executors.newVirtualThreadPerTaskExecutor());
        try (HiQ hiq = HiQ.builder().conf(CONF).settings(Settings.of(Map.of("HIQ_HOME", home.toString()))).start()) {
            for (int i = 0; i < 10; i++) assertThat(AsyncTarget.fanOut(20)).isEqualTo(190);
            assertFanOutTrees(hiq, 10, 20);
        }
    }

    @Test
    void virtualThreadExecutorWithHiqAsync() throws Exception {
        AsyncTarget.pool = Executors.newVirtualThreadPerTaskExecutor();
        try (HiQ hiq = HiQ.builder().conf(CONF).settings(Settings.of(Map.of("HIQ_HOME", home.toString(), "HIQ_ASYNC", "1"))).start()) {
            for (int i = 0; i < 10; i++) assertThat(AsyncTarget.fanOut(20)).isEqualTo(190);
            assertFanOutTrees(hiq, 10, 20);
        }
    }

    @Test
    void tracedCallsOnVirtualThreadsAreTreesOfTheirThreads() throws Exception {
        AsyncTarget.pool = Executors.newVirtualThreadPerTaskExecutor();
        try (HiQ hiq = HiQ.builder().conf(CONF).maxTrees(10_000).settings(Settings.of(Map.of("HIQ_HOME", home.toString()))).start()) {
            for (int i = 0; i < 1000; i++) {
                final int k = i;
                AsyncTarget.pool.submit(() -> AsyncTarget.task(k));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> hiq.trees().size() == 1000);
            assertThat(hiq.trees()).allSatisfy(t -> assertThat(t.root().children()).extracting(HiQNode::name).containsExactly("leafWork"));
        }
    }
}
