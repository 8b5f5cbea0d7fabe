package io.hiq.jack.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hiq.core.runtime.Counters;
import io.hiq.jack.JackCounters;
import io.hiq.jack.publisher.EncodedTree;
import io.hiq.jack.publisher.ExportResult;
import io.hiq.jack.publisher.TreePublisher;
import io.hiq.jack.spool.DiskSpool;
import io.hiq.jack.support.StderrCapture;
import io.hiq.jack.support.TestTrees;
import io.hiq.tree.HiQTree;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trees that reach Jack while it closes (HiQ's assembler still delivering when the exit deadline
 * passed) are never dropped silently: each one is delivered, left in the spool (and counted in
 * {@code JackSpoolPending}), or counted in {@code JackFailed} with a stderr line.
 */
class JackPipelineCloseTest {
    @TempDir Path home;

    static final class InstantPublisher implements TreePublisher {
        final Set<String> delivered = ConcurrentHashMap.newKeySet();
        @Override public String name() { return "instant"; }
        @Override public int maxMessageBytes() { return 1 << 20; }
        @Override public boolean flush(Duration timeout) { return true; }
        @Override public void shutdown(Duration timeout) { }
        @Override public CompletableFuture<ExportResult> export(List<EncodedTree> batch) {
            for (EncodedTree t : batch) delivered.add(t.id());
            return CompletableFuture.completedFuture(ExportResult.success(batch.size()));
        }
    }

    @Test
    void aTreeAcceptedAfterCloseIsCountedAsFailedWithALine() throws Exception {
        InstantPublisher pub = new InstantPublisher();
        Counters counters = new Counters();
        DiskSpool spool = DiskSpool.open(home.resolve("spool"), 1 << 30, 1 << 20, n -> { });
        JackPipeline p = new JackPipeline(pub, spool, null, new JackCounters(counters), 8192, TimeUnit.SECONDS.toNanos(5)).start();
        p.flush(System.nanoTime() + TimeUnit.SECONDS.toNanos(5));
        p.close();
        try (StderrCapture err = new StderrCapture()) {
            for (HiQTree t : TestTrees.trees(3)) p.accept(t);
            p.endOfBatch();
            assertThat(counters.get("JackFailed")).isEqualTo(3);
            assertThat(err.lines("hiq: jack:")).anyMatch(l -> l.contains("cannot spool") && l.contains("JackFailed"));
        }
        assertThat(pub.delivered).isEmpty();
    }

    @Test
    void everyTreeAcceptedAroundCloseIsDeliveredSpooledOrCountedAsFailed() throws Exception {
        for (int round = 0; round < 5; round++) {
            InstantPublisher pub = new InstantPublisher();
            Counters counters = new Counters();
            DiskSpool spool = DiskSpool.open(home.resolve("spool-" + round), 1 << 30, 1 << 20, n -> { });
            JackPipeline p = new JackPipeline(pub, spool, null, new JackCounters(counters), 256, TimeUnit.SECONDS.toNanos(5)).start();
            List<HiQTree> trees = TestTrees.trees(20_000);
            AtomicInteger accepted = new AtomicInteger();
            AtomicBoolean closing = new AtomicBoolean();
            Thread assembler = new Thread(() -> {
                int afterClose = 0;
                for (int i = 0; i < trees.size() && afterClose < 300; i++) {
                    p.accept(trees.get(i));
                    accepted.incrementAndGet();
                    if (i % 7 == 6) p.endOfBatch();
                    if (closing.get()) afterClose++;
                }
                p.endOfBatch();
            }, "test-assembler");
            try (StderrCapture err = new StderrCapture()) {
                assembler.start();
                await("trees flowing").atMost(Duration.ofSeconds(20)).until(() -> pub.delivered.size() > 500);
                closing.set(true);
                p.flush(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200));
                p.close();
                assembler.join(30_000);
                assertThat(assembler.isAlive()).isFalse();
            }
            long failed = counters.get("JackFailed");
            long accounted = pub.delivered.size() + spool.pending() + failed;
            assertThat(accounted).as("round %d: delivered %d + left in the spool %d + failed %d", round,
                    pub.delivered.size(), spool.pending(), failed).isEqualTo(accepted.get());
        }
    }

    /** Takes every batch and never acknowledges it; at shutdown every tree comes back to retry. */
    static final class SilentPublisher implements TreePublisher {
        final List<CompletableFuture<ExportResult>> open = new java.util.concurrent.CopyOnWriteArrayList<>();
        final List<List<EncodedTree>> batches = new java.util.concurrent.CopyOnWriteArrayList<>();
        volatile Duration shutdownTimeout;
        @Override public String name() { return "silent"; }
        @Override public int maxMessageBytes() { return 1 << 20; }
        @Override public boolean flush(Duration timeout) { return false; }
        @Override public CompletableFuture<ExportResult> export(List<EncodedTree> batch) {
            CompletableFuture<ExportResult> f = new CompletableFuture<>();
            open.add(f);
            batches.add(batch);
            return f;
        }
        @Override public void shutdown(Duration timeout) {
            shutdownTimeout = timeout;
            for (int i = 0; i < open.size(); i++) {
                open.get(i).complete(ExportResult.failure(batches.get(i), new IllegalStateException("closed before acknowledged")));
            }
        }
    }

    @Test
    void treesNotAcknowledgedAtTheDeadlineAreSpooledNotCountedAndTheLineSaysWhy() throws Exception {
        SilentPublisher pub = new SilentPublisher();
        Counters counters = new Counters();
        DiskSpool spool = DiskSpool.open(home.resolve("spool"), 1 << 30, 1 << 20, n -> { });
        JackPipeline p = new JackPipeline(pub, spool, null, new JackCounters(counters), 8192, TimeUnit.SECONDS.toNanos(5)).start();
        List<HiQTree> trees = TestTrees.trees(500);
        try (StderrCapture err = new StderrCapture()) {
            for (HiQTree t : trees) p.accept(t);
            p.endOfBatch();
            await("the trees sent").atMost(Duration.ofSeconds(20)).until(() -> pub.batches.stream().mapToInt(List::size).sum() == trees.size());
            long t0 = System.nanoTime();
            p.flush(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1500));
            // the flush waited for the acknowledgements until its deadline
            assertThat((System.nanoTime() - t0) / 1_000_000).isGreaterThanOrEqualTo(1300);
            p.close();
            // nothing was acknowledged: nothing counts as published, everything is in the spool
            assertThat(counters.get("JackPublished") + counters.get("JackReplayed")).isZero();
            assertThat(spool.pending()).isEqualTo(trees.size());
            List<String> stay = err.lines("hiq: jack:").stream().filter(l -> l.contains("trees stay in")).toList();
            assertThat(stay).hasSize(1);
            assertThat(stay.get(0)).startsWith("hiq: jack: " + trees.size() + " trees stay in " + spool.directory())
                    .contains("HIQ_FLUSH_TIMEOUT ended before silent acknowledged them: IllegalStateException: closed before acknowledged");
        }
    }

    @Test
    void closeAfterAFlushThatRanOutOfTimeDoesNotStartAWholeNewTimeout() throws Exception {
        SilentPublisher pub = new SilentPublisher();
        Counters counters = new Counters();
        DiskSpool spool = DiskSpool.open(home.resolve("spool"), 1 << 30, 1 << 20, n -> { });
        // HIQ_FLUSH_TIMEOUT 10 s: the exit's one deadline, for flush and close together
        JackPipeline p = new JackPipeline(pub, spool, null, new JackCounters(counters), 8192, TimeUnit.SECONDS.toNanos(10)).start();
        List<HiQTree> trees = TestTrees.trees(100);
        for (HiQTree t : trees) p.accept(t);
        p.endOfBatch();
        await("the batch handed to the publisher").atMost(Duration.ofSeconds(20)).until(() -> !pub.batches.isEmpty());
        p.flush(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300)); // runs out: nothing is acknowledged
        try (StderrCapture err = new StderrCapture()) {
            p.close();
            // the deadline has passed: the publisher gets its last moment (200 ms), not 10 s more
            assertThat(pub.shutdownTimeout).as("time the publisher was given to shut down").isLessThan(Duration.ofSeconds(1));
            assertThat(err.lines("hiq: jack: 100 trees stay in")).hasSize(1);
        }
        assertThat(counters.get("JackSpooled")).as("the unacknowledged trees spooled").isEqualTo(trees.size());
    }
}
