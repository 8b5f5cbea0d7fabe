package io.hiq.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hiq.HiQ;
import io.hiq.core.runtime.HiQRuntime;
import io.hiq.core.runtime.Settings;
import io.hiq.core.spi.TreeSink;
import io.hiq.core.testapp.Deep;
import io.hiq.core.testapp.Target;
import io.hiq.core.tree.Mode;
import io.hiq.tree.HiQNode;
import io.hiq.tree.HiQTree;
import java.lang.ref.WeakReference;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recording survives errors (issue 11.1), HiQ never traces itself (11.5), and a closed driver lets
 * go of its ring (11.6).
 */
class RecordingSafetyTest {
    @TempDir Path home;

    private static final List<List<String>> CONF = List.of(
            List.of("io.hiq.core.testapp", "Target", "work", "work"),
            List.of("io.hiq.core.testapp", "Target", "leaf", "leaf"),
            List.of("io.hiq.core.testapp", "Deep", "down", "down"));

    private HiQ.Builder builder(Map<String, String> env) {
        Map<String, String> all = new HashMap<>(env);
        all.put("HIQ_HOME", home.toString());
        return HiQ.builder().conf(CONF).settings(Settings.of(all)).mode(Mode.VERBOSE).maxTrees(5_000);
    }

    private static String describe(HiQ hiq) {
        Map<String, Integer> m = new java.util.TreeMap<>();
        for (HiQTree t : hiq.trees()) m.merge(t.root().name() + "/" + t.broken() + "/" + t.root().size(), 1, Integer::sum);
        return m + " " + hiq.runtime().counters().snapshot();
    }

    private static long workTrees(HiQ hiq, boolean complete) {
        return hiq.trees().stream().filter(t -> t.root().name().equals("work"))
                .filter(t -> !complete || (!t.broken() && t.root().children().stream().map(HiQNode::name).toList().equals(List.of("leaf"))))
                .count();
    }

    @Test
    void stackOverflowsThroughTracedRecursionLeaveLaterRootsTraced() {
        try (HiQ hiq = builder(Map.of()).start()) {
            for (int i = 0; i < 3; i++) {
                try {
                    Deep.down(0);
                } catch (StackOverflowError expected) {
                    // caught by untraced code, as an application would
                }
            }
            Target t = new Target();
            for (int i = 0; i < 1_000; i++) t.work(1);
            await("1000 complete work trees after 3 stack overflows").atMost(Duration.ofSeconds(60))
                    .until(() -> workTrees(hiq, true) == 1_000);
            // the overflowing roots themselves closed (repaired), not left open for ever
            assertThat(hiq.trees()).filteredOn(x -> x.root().name().equals("down")).hasSize(3);
        }
    }

    @Test
    void anErrorInsideHiQsOwnCodeLeavesLaterRootsTraced() {
        AtomicInteger failures = new AtomicInteger(50);
        try (HiQ hiq = builder(Map.of()).customMetric(() -> {
            if (failures.getAndDecrement() > 0) throw new IllegalStateException("metric broken");
            return 7L;
        }).start()) {
            Target t = new Target();
            for (int i = 0; i < 50; i++) {
                t.work(1); // every record of these fails inside HiQ
            }
            assertThat(hiq.trees()).isNotEmpty(); // waits until the calls above are assembled
            hiq.clear();
            for (int i = 0; i < 1_000; i++) t.work(1);
            await("1000 complete work trees after errors inside HiQ").atMost(Duration.ofSeconds(60))
                    .until(() -> workTrees(hiq, true) >= 1_000);
            assertThat(workTrees(hiq, true)).as(describe(hiq)).isEqualTo(1_000);
        }
    }

    @Test
    void aTracedCustomMetricDoesNotReenterRecording() {
        Target inner = new Target();
        try (HiQ hiq = builder(Map.of()).customMetric(() -> {
            inner.work(0); // traced: HiQ's own metric reading would feed itself
            return 1L;
        }).start()) {
            Target t = new Target();
            for (int i = 0; i < 1_000; i++) t.work(1);
            await("1000 work trees").atMost(Duration.ofSeconds(60)).until(() -> workTrees(hiq, false) == 1_000);
            assertThat(hiq.trees()).allSatisfy(x -> assertThat(x.root().size()).isEqualTo(2));
            assertThat(hiq.runtime().counters().get(HiQRuntime.REENTRANT)).isGreaterThan(0);
        }
    }

    @Test
    void sinksThatRunTracedCodeGiveNoFeedbackAndNoDeadlockUnderBlock() {
        List<String> threads = new ArrayList<>();
        try (HiQ hiq = builder(Map.of("HIQ_RING_POLICY", "block", "HIQ_RING_SIZE", "4", "HIQ_BUFFER_SIZE", "16")).start()) {
            // an LMK-like sink: runs application code on the ring's consumer thread
            hiq.runtime().addTreeSink(new TreeSink() {
                @Override
                public void accept(HiQTree tree) {
                    new Target().work(1);
                }
            });
            // a Jack-like sink: hands trees to a worker thread of HiQ's that runs application code
            java.util.concurrent.ExecutorService jack = java.util.concurrent.Executors.newSingleThreadExecutor(
                    io.hiq.core.event.HiQThreads.daemon("hiq-jack-test"));
            hiq.runtime().addTreeSink(new TreeSink() {
                @Override
                public void accept(HiQTree tree) {
                    jack.execute(() -> new Target().work(1));
                }
            });
            Target t = new Target();
            for (int i = 0; i < 1_000; i++) t.work(1);
            await("1000 trees, none from HiQ's threads").atMost(Duration.ofSeconds(60)).until(() -> workTrees(hiq, false) >= 1_000);
            jack.shutdown();
            for (HiQTree x : hiq.trees()) threads.add(x.thread());
            assertThat(workTrees(hiq, false)).isEqualTo(1_000);
            assertThat(threads).allSatisfy(n -> assertThat(n).doesNotStartWith("hiq-"));
        }
    }

    @Test
    void aDriverOpenedAndClosedFiftyTimesLetsGoOfItsRings() {
        List<WeakReference<Object>> rings = new ArrayList<>();
        Target t = new Target();
        for (int i = 0; i < 50; i++) {
            HiQ hiq = builder(Map.of("HIQ_RING_SIZE", "1024")).start();
            Thread worker = new Thread(() -> t.work(1), "app-" + i);
            worker.start();
            for (int k = 0; k < 10; k++) t.work(1);
            try {
                worker.join();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            rings.add(new WeakReference<>(hiq.runtime().ring()));
            hiq.close();
        }
        // a call exiting after close (its enter recorded before) neither blocks nor fails
        await("every closed driver's ring collected").atMost(Duration.ofSeconds(60)).until(() -> {
            System.gc();
            return rings.stream().filter(r -> r.get() != null).count() <= 1; // the last runtime stays HiQRuntime.current
        });
    }
}
