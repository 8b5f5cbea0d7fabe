package io.hiq.jack.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hiq.core.runtime.Counters;
import io.hiq.jack.JackCounters;
import io.hiq.jack.publisher.EncodedTree;
import io.hiq.jack.publisher.ExportResult;
import io.hiq.jack.publisher.TreePublisher;
import io.hiq.jack.spool.DiskSpool;
import io.hiq.jack.support.TestTrees;
import io.hiq.tree.HiQTree;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The batcher with a scripted in-process publisher (Jack's own SPI, no Kafka): the assembler never
 * waits for a stuck publisher, overflow goes to the spool, and spooled trees are delivered in the
 * order they were produced once the publisher works again.
 */
class JackPipelineTest {
    @TempDir Path home;

    /** Records what it delivered; can be stuck (export blocks) or down (everything to retry). */
    static final class ScriptedPublisher implements TreePublisher {
        final List<String> delivered = Collections.synchronizedList(new ArrayList<>());
        final CountDownLatch gate = new CountDownLatch(1);
        volatile boolean stuck;
        volatile boolean down;

        @Override public String name() { return "scripted"; }
        @Override public int maxMessageBytes() { return 1 << 20; }
        @Override public CompletableFuture<ExportResult> export(List<EncodedTree> batch) {
            if (stuck) {
                try {
                    gate.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (down) return CompletableFuture.completedFuture(ExportResult.failure(batch, new IllegalStateException("down")));
            for (EncodedTree t : batch) delivered.add(t.id());
            return CompletableFuture.completedFuture(ExportResult.success(batch.size()));
        }
        @Override public boolean flush(Duration timeout) { return true; }
        @Override public void shutdown(Duration timeout) { gate.countDown(); }
    }

    static List<String> ids(List<HiQTree> trees) {
        return trees.stream().map(HiQTree::id).toList();
    }

    @Test
    void aStuckPublisherNeverBlocksTheAssemblerAndNothingIsLost() throws Exception {
        ScriptedPublisher pub = new ScriptedPublisher();
        pub.stuck = true;
        Counters counters = new Counters();
        DiskSpool spool = DiskSpool.open(home.resolve("spool"), 1 << 30, 1 << 20, n -> { });
        JackPipeline p = new JackPipeline(pub, spool, null, new JackCounters(counters), 64, TimeUnit.SECONDS.toNanos(5)).start();
        try {
            List<HiQTree> trees = TestTrees.trees(1000);
            for (int i = 0; i < trees.size(); i += 10) {
                for (HiQTree t : trees.subList(i, i + 10)) p.accept(t);
                p.endOfBatch();
            }
            // all 1000 were taken although the publisher holds Jack's thread: the batch it is stuck
            // on and at most 64 more wait in memory, every other tree went to the spool
            long waiting = p.backlog();
            assertThat(counters.get("JackSpooled") + waiting).isEqualTo(trees.size());
            assertThat(counters.get("JackSpooled")).isPositive();
            pub.stuck = false;
            pub.gate.countDown();
            await().atMost(Duration.ofSeconds(20)).until(() -> pub.delivered.size() >= trees.size());
            assertThat(pub.delivered).containsExactlyInAnyOrderElementsOf(ids(trees));
            p.flush(System.nanoTime() + TimeUnit.SECONDS.toNanos(5));
            assertThat(counters.get("JackPublished") + counters.get("JackReplayed")).isEqualTo(trees.size());
        } finally {
            pub.gate.countDown();
            p.close();
        }
    }

    @Test
    void treesSpooledWhileDownAreDeliveredInTheOrderTheyWereProduced() throws Exception {
        ScriptedPublisher pub = new ScriptedPublisher();
        pub.down = true;
        Counters counters = new Counters();
        DiskSpool spool = DiskSpool.open(home.resolve("spool"), 1 << 30, 64 * 1024, n -> { });
        JackPipeline p = new JackPipeline(pub, spool, null, new JackCounters(counters), 8192, TimeUnit.SECONDS.toNanos(5)).start();
        try {
        List<HiQTree> trees = TestTrees.trees(3000);
        for (int i = 0; i < trees.size(); i += 100) {
            for (HiQTree t : trees.subList(i, i + 100)) p.accept(t);
            p.endOfBatch();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> counters.get("JackSpooled") == trees.size());
        assertThat(p.isDown()).isTrue();
        pub.down = false; // the next probe (within a second) succeeds, then the rest at full speed
        List<HiQTree> later = TestTrees.trees(500);
        for (HiQTree t : later) p.accept(t);
        p.endOfBatch();
        await().atMost(Duration.ofSeconds(20)).until(() -> pub.delivered.size() >= trees.size() + later.size());
        List<String> expected = new ArrayList<>(ids(trees));
        expected.addAll(ids(later));
        assertThat(pub.delivered).containsExactlyElementsOf(expected);
        p.flush(System.nanoTime() + TimeUnit.SECONDS.toNanos(5));
        assertThat(spool.pending()).isZero();
        } finally {
            p.close();
        }
    }
}
