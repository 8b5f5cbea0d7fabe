package io.hiq.jack.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hiq.core.runtime.Counters;
import io.hiq.jack.JackCounters;
import io.hiq.jack.publisher.EncodedTree;
import io.hiq.jack.publisher.ExportResult;
import io.hiq.jack.publisher.TreePublisher;
import io.hiq.jack.spool.DiskSpool;
import io.hiq.tree.ArrayTreeView;
import io.hiq.jack.support.TestTrees;
import io.hiq.tree.HiQNode;
import io.hiq.tree.HiQTree;
import io.hiq.tree.TreeCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trees handed to Jack as views (the assembler's arrays) are encoded on the calling thread and
 * delivered exactly as trees handed over as objects: the same bytes, in the order they came, and the
 * same size limit.
 */
class JackViewTest {
    @TempDir Path home;

    /** Keeps what it was sent, bytes and all; refuses nothing itself. */
    static final class KeepingPublisher implements TreePublisher {
        final List<EncodedTree> delivered = Collections.synchronizedList(new ArrayList<>());
        final int max;

        KeepingPublisher(int max) { this.max = max; }

        @Override public String name() { return "keeping"; }
        @Override public int maxMessageBytes() { return max; }
        @Override public CompletableFuture<ExportResult> export(List<EncodedTree> batch) {
            delivered.addAll(batch);
            return CompletableFuture.completedFuture(ExportResult.success(batch.size()));
        }
        @Override public boolean flush(Duration timeout) { return true; }
        @Override public void shutdown(Duration timeout) { }
    }

    @Test
    void viewsAndObjectsAreDeliveredAsTheSameBytesInOrder() throws Exception {
        KeepingPublisher pub = new KeepingPublisher(1 << 20);
        Counters counters = new Counters();
        DiskSpool spool = DiskSpool.open(home.resolve("spool"), 1 << 30, 1 << 20, n -> { });
        JackPipeline p = new JackPipeline(pub, spool, null, new JackCounters(counters), 8192, TimeUnit.SECONDS.toNanos(5)).start();
        assertThat(p.acceptsView()).isTrue();
        List<HiQTree> trees = TestTrees.trees(600);
        try {
            for (int i = 0; i < trees.size(); i++) {
                // alternate: a sink list with an object sink before Jack hands Jack views all the same
                if (i % 2 == 0) p.acceptView(new ArrayTreeView(trees.get(i)));
                else p.accept(trees.get(i));
                if (i % 50 == 49) p.endOfBatch();
            }
            p.endOfBatch();
            await("all 600 trees delivered").atMost(Duration.ofSeconds(30)).until(() -> pub.delivered.size() >= trees.size());
            for (int i = 0; i < trees.size(); i++) {
                EncodedTree e = pub.delivered.get(i);
                assertThat(e.id()).isEqualTo(trees.get(i).id());
                assertThat(new String(e.json(), StandardCharsets.UTF_8)).as("tree %d", i).isEqualTo(TreeCodec.encodeToString(trees.get(i)));
            }
            assertThat(counters.get("JackFailed")).isZero();
        } finally {
            p.close();
        }
    }

    @Test
    void aDeepViewIsEncodedByTheBatcherAndArrivesWhole() throws Exception {
        KeepingPublisher pub = new KeepingPublisher(1 << 20);
        Counters counters = new Counters();
        DiskSpool spool = DiskSpool.open(home.resolve("spool"), 1 << 30, 1 << 20, n -> { });
        JackPipeline p = new JackPipeline(pub, spool, null, new JackCounters(counters), 8192, TimeUnit.SECONDS.toNanos(5)).start();
        try {
            // a traced recursion 2 000 calls deep: more nodes than the assembler's thread encodes itself
            HiQNode root = HiQNode.of("down", 0, 10_000, 0, 10_000);
            HiQNode n = root;
            for (int i = 1; i < 2_000; i++) {
                HiQNode c = HiQNode.of("down", i, 10_000 - i, i, 10_000 - i);
                n.addChild(c);
                n = c;
            }
            HiQTree deep = HiQTree.builder().id("deep-one").service("s").host("h").thread("t").root(root).build();
            assertThat(root.size()).isGreaterThan(JackPipeline.VIEW_ENCODE_MAX_NODES);
            p.acceptView(new ArrayTreeView(deep));
            p.endOfBatch();
            await("the deep tree delivered").atMost(Duration.ofSeconds(30)).until(() -> pub.delivered.size() >= 1);
            assertThat(new String(pub.delivered.get(0).json(), StandardCharsets.UTF_8)).isEqualTo(TreeCodec.encodeToString(deep));
        } finally {
            p.close();
        }
    }

    @Test
    void aViewOverThePublishersLimitIsRejectedAndTheOthersGoOn() throws Exception {
        KeepingPublisher pub = new KeepingPublisher(4096);
        Counters counters = new Counters();
        DiskSpool spool = DiskSpool.open(home.resolve("spool"), 1 << 30, 1 << 20, n -> { });
        JackPipeline p = new JackPipeline(pub, spool, null, new JackCounters(counters), 8192, TimeUnit.SECONDS.toNanos(5)).start();
        try {
            HiQNode root = HiQNode.of("big", 1, 2, 3, 4);
            for (int i = 0; i < 500; i++) root.addChild(HiQNode.of("child", i, i + 1, i, i + 1));
            HiQTree big = HiQTree.builder().id("big-one").service("s").host("h").thread("t").root(root).build();
            List<HiQTree> small = TestTrees.trees(3);
            p.acceptView(new ArrayTreeView(small.get(0)));
            p.endOfBatch();
            await("the first tree delivered (the publisher, and its limit, exist)").atMost(Duration.ofSeconds(30))
                    .until(() -> pub.delivered.size() >= 1);
            p.acceptView(new ArrayTreeView(big));
            p.acceptView(new ArrayTreeView(small.get(1)));
            p.acceptView(new ArrayTreeView(small.get(2)));
            p.endOfBatch();
            await("the two small trees after the big one delivered").atMost(Duration.ofSeconds(30))
                    .until(() -> pub.delivered.size() >= 3);
            assertThat(pub.delivered.stream().map(EncodedTree::id).toList())
                    .containsExactly(small.get(0).id(), small.get(1).id(), small.get(2).id());
            assertThat(counters.get("JackFailed")).as("the big tree, counted once").isEqualTo(1);
        } finally {
            p.close();
        }
    }
}
