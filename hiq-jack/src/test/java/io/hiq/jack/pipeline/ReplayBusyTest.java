package io.hiq.jack.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hiq.core.runtime.Counters;
import io.hiq.jack.JackCounters;
import io.hiq.jack.publisher.EncodedTree;
import io.hiq.jack.publisher.ExportResult;
import io.hiq.jack.publisher.PublisherBusyException;
import io.hiq.jack.publisher.TreePublisher;
import io.hiq.jack.spool.DiskSpool;
import io.hiq.jack.support.TestTrees;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replay chunk given back at once as busy (the in-flight budget stayed spent) while an earlier
 * chunk is still in flight: no later chunk may be sent before it. A later chunk sent and delivered
 * would be read again after the rewind the busy one causes — a duplicate in the topic (counted
 * once, so the counters would not show it) and out of order. Seen with a slow broker.
 */
class ReplayBusyTest {
    @TempDir Path home;

    /** Export 1 waits for the test; export 2 is busy; the others are delivered at once. */
    static final class OneBusyPublisher implements TreePublisher {
        final List<String> delivered = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger exports = new AtomicInteger();
        final CompletableFuture<Void> releaseFirst = new CompletableFuture<>();

        @Override public String name() { return "one-busy"; }
        @Override public int maxMessageBytes() { return 1 << 20; }
        @Override public boolean flush(Duration timeout) { return true; }
        @Override public void shutdown(Duration timeout) { }

        @Override
        public CompletableFuture<ExportResult> export(List<EncodedTree> batch) {
            int n = exports.incrementAndGet();
            if (n == 1) {
                return releaseFirst.thenApply(v -> {
                    for (EncodedTree t : batch) delivered.add(t.id());
                    return ExportResult.success(batch.size());
                });
            }
            if (n == 2) return CompletableFuture.completedFuture(ExportResult.failure(batch, new PublisherBusyException("budget spent")));
            for (EncodedTree t : batch) delivered.add(t.id());
            return CompletableFuture.completedFuture(ExportResult.success(batch.size()));
        }
    }

    @Test
    void noChunkIsSentPastOneThatCameBackBusySoNothingIsDeliveredTwice() throws Exception {
        DiskSpool spool = DiskSpool.open(home.resolve("spool"), 1 << 30, 1 << 24, n -> { });
        List<EncodedTree> trees = new ArrayList<>();
        for (io.hiq.tree.HiQTree t : TestTrees.trees(5000)) trees.add(ReplayRejectionTest.encoded(t)); // 3 chunks of ≤ 2 048
        spool.append(trees);
        OneBusyPublisher pub = new OneBusyPublisher();
        Counters counters = new Counters();
        JackPipeline p = new JackPipeline(pub, spool, null, new JackCounters(counters), 8192, TimeUnit.SECONDS.toNanos(5)).start();
        try {
            await("the first chunk in flight and the second busy").atMost(Duration.ofSeconds(30)).until(() -> pub.exports.get() >= 2);
            pub.releaseFirst.complete(null);
            await("the whole spool replayed").atMost(Duration.ofSeconds(30)).until(() -> counters.get("JackReplayed") == trees.size());
            p.flush(System.nanoTime() + TimeUnit.SECONDS.toNanos(10));
            assertThat(pub.delivered).as("each tree delivered once, in order")
                    .containsExactlyElementsOf(trees.stream().map(EncodedTree::id).toList());
            assertThat(spool.pending()).isZero();
            assertThat(p.isDown()).as("busy is not an outage").isFalse();
        } finally {
            p.close();
        }
    }
}
