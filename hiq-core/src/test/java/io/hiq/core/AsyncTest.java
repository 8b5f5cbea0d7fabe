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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tasks submitted from a traced call appear under it, whatever thread runs them (HiQ.wrap). */
class AsyncTest {
    @TempDir Path home;

    private static final List<List<String>> CONF = List.of(
            List.of("io.hiq.core.testapp", "AsyncTarget", "fanOut", "fanOut"),
            List.of("io.hiq.core.testapp", "AsyncTarget", "fireAndForget", "fireAndForget"),
            List.of("io.hiq.core.testapp", "AsyncTarget", "chain", "chain"),
            List.of("io.hiq.core.testapp", "AsyncTarget", "commonPool", "commonPool"),
            List.of("io.hiq.core.testapp", "AsyncTarget", "task", "task"),
            List.of("io.hiq.core.testapp", "AsyncTarget", "leafWork", "leafWork"));

    private HiQ start() {
        return HiQ.builder().conf(CONF).settings(Settings.of(Map.of("HIQ_HOME", home.toString()))).start();
    }

    @AfterEach
    void stopPool() {
        if (AsyncTarget.pool != null) AsyncTarget.pool.shutdownNow();
    }

    @Test
    void executorTasksAppearUnderTheSubmittingCall() throws Exception {
        AsyncTarget.pool = HiQ.wrap(Executors.newFixedThreadPool(3));
        try (HiQ hiq = start()) {
            for (int round = 0; round < 20; round++) assertThat(AsyncTarget.fanOut(5)).isEqualTo(10);
            await().atMost(Duration.ofSeconds(20)).until(() -> hiq.trees().size() == 20);
            for (HiQTree t : hiq.trees()) {
                assertThat(t.root().name()).isEqualTo("fanOut");
                assertThat(t.root().children()).hasSize(5).allSatisfy(task -> {
                    assertThat(task.name()).isEqualTo("task");
                    assertThat(task.extra().get("thread")).asString().startsWith("pool-");
                    assertThat(task.children()).extracting(HiQNode::name).containsExactly("leafWork");
                });
            }
        }
    }

    @Test
    void aTaskThatOutlivesItsCallerStillJoinsTheTree() throws Exception {
        AsyncTarget.pool = HiQ.wrap(Executors.newSingleThreadExecutor());
        try (HiQ hiq = start()) {
            CompletableFuture<Integer> done = new CompletableFuture<>();
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            AsyncTarget.fireAndForget(go, done);
            go.countDown(); // the task starts only once its caller has returned
            assertThat(done.get()).isEqualTo(7);
            await().atMost(Duration.ofSeconds(20)).until(() -> hiq.trees().size() == 1);
            HiQNode root = hiq.trees().get(0).root();
            assertThat(root.name()).isEqualTo("fireAndForget");
            assertThat(root.children()).extracting(HiQNode::name).containsExactly("task");
            // the task ended after its caller: the tree was held until it did
            assertThat(root.children().get(0).end()).isGreaterThan(root.end());
        }
    }

    @Test
    void completableFutureChainsOnAWrappedExecutor() {
        AsyncTarget.pool = HiQ.wrap(Executors.newFixedThreadPool(2));
        try (HiQ hiq = start()) {
            assertThat(AsyncTarget.chain()).isEqualTo(3);
            await().atMost(Duration.ofSeconds(20)).until(() -> hiq.trees().size() == 1);
            HiQNode root = hiq.trees().get(0).root();
            assertThat(root.name()).isEqualTo("chain");
            // supplyAsync is forked from chain(); thenApplyAsync is forked from the pool thread that
            // completed the first stage (outside any traced call) or from chain() itself
            assertThat(root.children()).extracting(HiQNode::name).contains("task");
            assertThat(root.size()).isGreaterThanOrEqualTo(3);
        }
    }

    @Test
    void withHiqAsyncEveryJdkExecutorCarriesTheContext() throws Exception {
        AsyncTarget.pool = Executors.newFixedThreadPool(3); // not wrapped
        try (HiQ hiq = HiQ.builder().conf(CONF).settings(Settings.of(Map.of("HIQ_HOME", home.toString(), "HIQ_ASYNC", "1"))).start()) {
            assertThat(AsyncTarget.fanOut(4)).isEqualTo(6);
            assertThat(AsyncTarget.commonPool()).isEqualTo(5);
            await().atMost(Duration.ofSeconds(20)).until(() -> hiq.trees().size() == 2);
            List<HiQTree> trees = hiq.trees();
            assertThat(trees.get(0).root().name()).isEqualTo("fanOut");
            assertThat(trees.get(0).root().children()).extracting(HiQNode::name).containsExactly("task", "task", "task", "task");
            assertThat(trees.get(1).root().name()).isEqualTo("commonPool");
            assertThat(trees.get(1).root().children()).extracting(HiQNode::name).containsExactly("task");
        }
        // after close the executors are plain again: a task is a tree of its own
        AsyncTarget.pool.shutdownNow();
        AsyncTarget.pool = Executors.newFixedThreadPool(1);
        try (HiQ hiq = start()) {
            AsyncTarget.fanOut(1);
            await().atMost(Duration.ofSeconds(20)).until(() -> hiq.trees().size() == 2);
        }
    }

    @Test
    void withoutWrappingTasksAreTreesOfTheirOwn() throws Exception {
        AsyncTarget.pool = Executors.newFixedThreadPool(2);
        try (HiQ hiq = start()) {
            AsyncTarget.fanOut(3);
            await().atMost(Duration.ofSeconds(20)).until(() -> hiq.trees().size() == 4);
            assertThat(hiq.trees()).extracting(t -> t.root().name()).containsOnly("fanOut", "task");
        }
    }
}
