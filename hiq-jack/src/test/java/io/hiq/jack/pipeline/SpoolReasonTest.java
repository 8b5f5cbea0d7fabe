package io.hiq.jack.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hiq.core.runtime.Counters;
import io.hiq.jack.JackCounters;
import io.hiq.jack.publisher.TreePublisher;
import io.hiq.jack.spool.DiskSpool;
import io.hiq.jack.support.StderrCapture;
import io.hiq.jack.support.TestTrees;
import io.hiq.tree.HiQTree;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trees never reach the spool without a word while the destination is up: a full queue (here while
 * Jack's thread still creates the publisher, as on a loaded machine where building the Kafka
 * producer took seconds) says so on stderr, and so does the moment new trees go directly again.
 */
class SpoolReasonTest {
    @TempDir Path home;

    @Test
    void aQueueFullWhileThePublisherIsCreatedIsReportedAndDirectDeliveryResumesAfterTheReplay() throws Exception {
        JackPipelineTest.ScriptedPublisher pub = new JackPipelineTest.ScriptedPublisher();
        CountDownLatch created = new CountDownLatch(1);
        Counters counters = new Counters();
        DiskSpool spool = DiskSpool.open(home.resolve("spool"), 1 << 30, 1 << 20, n -> { });
        try (StderrCapture err = new StderrCapture()) {
            JackPipeline p = new JackPipeline(() -> {
                try {
                    created.await(30, TimeUnit.SECONDS); // a slow start: class loading on a starved CPU
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return (TreePublisher) pub;
            }, spool, null, new JackCounters(counters), 64, TimeUnit.SECONDS.toNanos(5)).start();
            try {
                List<HiQTree> trees = TestTrees.trees(500);
                for (int i = 0; i < trees.size(); i += 10) {
                    for (HiQTree t : trees.subList(i, i + 10)) p.accept(t);
                    p.endOfBatch();
                }
                assertThat(counters.get("JackSpooled")).isPositive();
                assertThat(err.lines("hiq: jack: queue full")).first().asString()
                        .contains("HIQ_JACK_QUEUE=64, which is still creating the publisher")
                        .contains("spooling 10 trees on the assembler's thread");
                assertThat(err.lines("hiq: jack: scripted: spool replayed")).isEmpty();

                created.countDown();
                await("the spooled trees replayed").atMost(Duration.ofSeconds(20)).until(() -> spool.pending() == 0 && p.backlog() == 0);
                List<HiQTree> later = TestTrees.trees(100);
                for (int i = 0; i < later.size(); i += 10) { // within the queue's bound: no overflow
                    for (HiQTree t : later.subList(i, i + 10)) p.accept(t);
                    p.endOfBatch();
                    int done = trees.size() + i + 10;
                    await("batch delivered").atMost(Duration.ofSeconds(20)).until(() -> pub.delivered.size() >= done);
                }
                await("the later trees delivered").atMost(Duration.ofSeconds(20)).until(() -> pub.delivered.size() >= trees.size() + later.size());
                assertThat(err.lines("hiq: jack: scripted: spool replayed; new trees are delivered directly again")).hasSize(1);
                assertThat(err.lines("hiq: jack: scripted: cannot deliver")).isEmpty();
                // every tree once; the overflowed ones went ahead of the 60 still queued (docs/JACK.md,
                // ordering), and the later trees came after the whole backlog, in order
                assertThat(pub.delivered.subList(0, trees.size())).containsExactlyInAnyOrderElementsOf(JackPipelineTest.ids(trees));
                assertThat(pub.delivered.subList(trees.size(), pub.delivered.size())).containsExactlyElementsOf(JackPipelineTest.ids(later));
            } finally {
                created.countDown();
                p.close();
            }
        }
    }
}
