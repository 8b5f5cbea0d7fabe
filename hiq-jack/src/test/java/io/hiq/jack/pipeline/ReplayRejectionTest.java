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
import io.hiq.tree.TreeCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tree that can never be delivered is rejected once, not at every replay probe: during an
 * outage Jack probes once a second and reads the same spooled chunk again each time;
 * {@code rejected.jsonl}, {@code JackFailed} and stderr must not grow with the probes, and the
 * destination is never sent a tree it already refused.
 */
class ReplayRejectionTest {
    @TempDir Path home;

    /** Down or up on demand; refuses for good the ids in {@link #refuse}; records every export. */
    static final class ProbedPublisher implements TreePublisher {
        final List<List<String>> exports = Collections.synchronizedList(new ArrayList<>());
        final List<String> delivered = Collections.synchronizedList(new ArrayList<>());
        final Set<String> refuse;
        final int max;
        volatile boolean down = true;

        ProbedPublisher(int maxMessageBytes, Set<String> refuse) {
            this.max = maxMessageBytes;
            this.refuse = refuse;
        }

        @Override public String name() { return "probed"; }
        @Override public int maxMessageBytes() { return max; }
        @Override public boolean flush(Duration timeout) { return true; }
        @Override public void shutdown(Duration timeout) { }

        @Override
        public CompletableFuture<ExportResult> export(List<EncodedTree> batch) {
            exports.add(batch.stream().map(EncodedTree::id).toList());
            List<EncodedTree> refused = new ArrayList<>();
            List<EncodedTree> retry = new ArrayList<>();
            int ok = 0;
            for (EncodedTree t : batch) {
                if (refuse.contains(t.id())) refused.add(t);
                else if (down) retry.add(t);
                else {
                    delivered.add(t.id());
                    ok++;
                }
            }
            return CompletableFuture.completedFuture(new ExportResult(ok, retry, refused,
                    retry.isEmpty() ? null : new IllegalStateException("down")));
        }

        int probes() { return exports.size(); }
    }

    static EncodedTree encoded(io.hiq.tree.HiQTree t) {
        return new EncodedTree(t.id(), TreeCodec.encodeToString(t).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void aSpooledTreeTooLargeForThePublisherIsRejectedOnceAcrossProbes() throws Exception {
        // spooled by an earlier run that had no publisher yet (its limit unknown): two trees are
        // larger than this publisher can carry
        DiskSpool spool = DiskSpool.open(home.resolve("spool"), 1 << 30, 1 << 20, n -> { });
        List<EncodedTree> small = new ArrayList<>();
        for (io.hiq.tree.HiQTree t : TestTrees.trees(20)) small.add(encoded(t));
        EncodedTree big1 = encoded(TestTrees.tree("big-1", 2, 5000));
        EncodedTree big2 = encoded(TestTrees.tree("big-2", 2, 5000));
        List<EncodedTree> all = new ArrayList<>(small.subList(0, 5));
        all.add(big1);
        all.addAll(small.subList(5, 15));
        all.add(big2);
        all.addAll(small.subList(15, 20));
        spool.append(all);

        ProbedPublisher pub = new ProbedPublisher(4000, Set.of());
        Counters counters = new Counters();
        try (StderrCapture err = new StderrCapture()) {
            JackPipeline p = new JackPipeline(pub, spool, null, new JackCounters(counters), 8192, TimeUnit.SECONDS.toNanos(5)).start();
            try {
                await("a first failed probe").atMost(Duration.ofSeconds(20)).until(() -> pub.probes() >= 1 && p.isDown());
                Path rejected = spool.rejectedFile();
                await("the rejections written").atMost(Duration.ofSeconds(10)).until(() -> Files.exists(rejected) && Files.readAllLines(rejected).size() == 2);
                long size = Files.size(rejected);
                // three more probes (one a second) read the same chunk again
                await("three more probes").atMost(Duration.ofSeconds(30)).until(() -> pub.probes() >= 4);
                assertThat(Files.size(rejected)).as("rejected.jsonl does not grow with the probes").isEqualTo(size);
                assertThat(counters.get("JackFailed")).as("each too-large tree counted once").isEqualTo(2);
                assertThat(err.lines("hiq: jack:").stream().filter(l -> l.contains("not published"))).hasSize(2);
                for (List<String> sent : pub.exports) assertThat(sent).doesNotContain("big-1", "big-2");

                pub.down = false; // back: every other tree is delivered, in order; the spool empties
                await("delivery of the spool").atMost(Duration.ofSeconds(20)).until(() -> pub.delivered.size() >= small.size());
                assertThat(pub.delivered).containsExactlyElementsOf(small.stream().map(EncodedTree::id).toList());
                p.flush(System.nanoTime() + TimeUnit.SECONDS.toNanos(10));
                assertThat(spool.pending()).isZero();
                assertThat(Files.readAllLines(rejected)).hasSize(2);
                assertThat(counters.get("JackFailed")).isEqualTo(2);
            } finally {
                p.close();
            }
        }
    }

    @Test
    void aTreeTheDestinationRefusedIsNeitherSentAgainNorRejectedAgainWhileTheRestWaits() throws Exception {
        DiskSpool spool = DiskSpool.open(home.resolve("spool"), 1 << 30, 1 << 20, n -> { });
        List<EncodedTree> trees = new ArrayList<>();
        for (io.hiq.tree.HiQTree t : TestTrees.trees(30)) trees.add(encoded(t));
        spool.append(trees);
        String refused = trees.get(7).id();
        ProbedPublisher pub = new ProbedPublisher(1 << 20, Set.of(refused)); // e.g. the broker's "record too large"
        Counters counters = new Counters();
        JackPipeline p = new JackPipeline(pub, spool, null, new JackCounters(counters), 8192, TimeUnit.SECONDS.toNanos(5)).start();
        try {
            await("four probes").atMost(Duration.ofSeconds(30)).until(() -> pub.probes() >= 4);
            Path rejected = spool.rejectedFile();
            assertThat(Files.readAllLines(rejected)).hasSize(1);
            assertThat(counters.get("JackFailed")).isEqualTo(1);
            long sentAgain = pub.exports.stream().filter(ids -> ids.contains(refused)).count();
            assertThat(sentAgain).as("probes that sent the refused tree").isEqualTo(1);

            pub.down = false;
            await("delivery of the spool").atMost(Duration.ofSeconds(20)).until(() -> pub.delivered.size() >= trees.size() - 1);
            p.flush(System.nanoTime() + TimeUnit.SECONDS.toNanos(10));
            assertThat(pub.delivered).doesNotContain(refused).hasSize(trees.size() - 1);
            assertThat(spool.pending()).isZero();
            assertThat(Files.readAllLines(rejected)).hasSize(1);
        } finally {
            p.close();
        }
    }
}
