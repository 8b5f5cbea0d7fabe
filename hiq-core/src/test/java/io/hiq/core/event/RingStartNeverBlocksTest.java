package io.hiq.core.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hiq.core.spi.SpanEventHandler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The agent's ring is built at the first publish, with the consumers the extensions add while they
 * start on their own thread: the build waits for that start. An extension whose start hangs (a
 * Kafka producer that cannot reach its broker, a logging configuration that blocks) must never
 * block an application thread's traced calls: the thread keeps its records in its own buffer
 * meanwhile (what does not fit is dropped, or a long root gets a gap, and counted), and they go out
 * once the ring is there. The consumers' supplier here is the runtime's ({@code ringHandlers}: it
 * waits for the extensions' starter) reduced to a latch the test holds.
 *
 * <p>Before the fix, the application thread's first publish built the ring itself and waited in
 * the supplier: both tests failed at their first assertion (the roots did not complete while the
 * start hung).
 */
class RingStartNeverBlocksTest {
    private static final LongSupplier[] TIME_ONLY = new LongSupplier[0];
    /** Generous: the roots take milliseconds; only a thread blocked in the ring's build takes this long. */
    private static final long BOUND_SECONDS = 30;

    private final List<SpanRing> rings = new ArrayList<>();
    private final CountDownLatch asked = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private final List<Thread> apps = new ArrayList<>();

    @AfterEach
    void tearDown() throws InterruptedException {
        release.countDown(); // also on failure: an old-code application thread waits in the supplier
        for (Thread t : apps) t.join(TimeUnit.SECONDS.toMillis(BOUND_SECONDS));
        Recorder.uninstall();
        for (SpanRing r : rings) r.shutdown(System.nanoTime() + 1_000_000_000L);
    }

    /** A lazily built ring whose consumers are known only once the (hanging) start is released. */
    private SpanRing hangingRing(SpanEventHandler consumer) {
        Supplier<List<SpanEventHandler>> whenStarted = () -> {
            asked.countDown();
            try {
                release.await(120, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return List.of(consumer);
        };
        SpanRing ring = new SpanRing(64, SpanRing.DEFAULT_SLOT_RECORDS, 2, false, whenStarted);
        rings.add(ring);
        return ring;
    }

    /** Runs {@code work} on an application thread that then ends; returns the latch of its completion. */
    private CountDownLatch onAppThread(Runnable work) {
        CountDownLatch done = new CountDownLatch(1);
        Thread t = new Thread(() -> {
            work.run();
            done.countDown();
        }, "app-main");
        t.setDaemon(true);
        apps.add(t);
        t.start();
        return done;
    }

    private static void roots(int n) {
        for (int i = 0; i < n; i++) {
            Object outer = Recorder.enterToken(1);
            Object inner = Recorder.enterToken(2);
            Recorder.exitToken(2, inner, null);
            Recorder.exitToken(1, outer, null);
        }
    }

    @Test
    void rootsCompleteWhileTheExtensionsStartHangsAndArriveWhenItEnds() throws Exception {
        BatchedPublishingTest.Checker c = new BatchedPublishingTest.Checker();
        DropCounters drops = new DropCounters();
        Recorder.install(hangingRing(c), 4096, TIME_ONLY, drops, Batching.DEFAULT);
        final int n = 1_000; // 4 000 records: they fit in the thread's buffer (4 096)

        CountDownLatch done = onAppThread(() -> roots(n));
        assertThat(done.await(BOUND_SECONDS, TimeUnit.SECONDS))
                .as("the application thread's %d roots completed while the extensions' start hung", n).isTrue();
        assertThat(release.getCount()).as("the start was still hanging while the roots ran").isEqualTo(1);
        // the build was asked for by the roots' publishes, started by the sweeper, and hangs
        assertThat(asked.await(60, TimeUnit.SECONDS)).as("the ring's build started (and hangs)").isTrue();
        assertThat(c.records.get()).as("nothing reached a consumer: there is none yet").isZero();

        release.countDown();
        await("every root on the ring once the start ended").atMost(Duration.ofSeconds(60))
                .until(() -> c.roots.get() == n);
        assertThat(Recorder.awaitPublished(System.nanoTime() + 30_000_000_000L)).isTrue();
        assertThat(c.records.get()).as("published: every record").isEqualTo(4L * n);
        assertThat(drops.droppedEvents.get()).isZero();
        assertThat(drops.droppedTrees.get()).isZero();
        assertThat(c.errors).isEmpty();
    }

    @Test
    void whatTheBufferCannotHoldMeanwhileIsCountedExactlyAGapForALongRoot() throws Exception {
        BatchedPublishingTest.Checker c = new BatchedPublishingTest.Checker();
        DropCounters drops = new DropCounters();
        Recorder.install(hangingRing(c), 256, TIME_ONLY, drops, Batching.DEFAULT);
        final int longCalls = 1_000, shortRoots = 1_000;
        // one long root (a gap: its ENTER is in the buffer, it fills half of it), then short roots
        // that find the buffer full (dropped whole)
        CountDownLatch done = onAppThread(() -> {
            Object root = Recorder.enterToken(1);
            for (int i = 0; i < longCalls; i++) Recorder.exitToken(2, Recorder.enterToken(2), null);
            Recorder.exitToken(1, root, null);
            for (int i = 0; i < shortRoots; i++) Recorder.exitToken(1, Recorder.enterToken(1), null);
        });
        assertThat(done.await(BOUND_SECONDS, TimeUnit.SECONDS))
                .as("the application thread completed its roots while the extensions' start hung").isTrue();
        assertThat(release.getCount()).as("the start was still hanging while the roots ran").isEqualTo(1);
        assertThat(drops.gaps.get()).as("the long root got a gap").isEqualTo(1);
        assertThat(drops.droppedTrees.get()).as("short roots that found the buffer full").isPositive();

        release.countDown();
        long produced = 2L + 2L * longCalls + 2L * shortRoots;
        long trees = 1 + shortRoots;
        await("every root kept on the ring once the start ended").atMost(Duration.ofSeconds(60))
                .until(() -> c.roots.get() + drops.droppedTrees.get() == trees);
        assertThat(Recorder.awaitPublished(System.nanoTime() + 30_000_000_000L)).isTrue();
        assertThat(c.records.get() + drops.droppedEvents.get()).as("published + dropped = produced").isEqualTo(produced);
        assertThat(drops.gapRecords.get()).as("the gap's records, in Dropped too").isPositive()
                .isLessThanOrEqualTo(drops.droppedEvents.get());
        assertThat(c.roots.get() + drops.droppedTrees.get()).as("trees published + dropped").isEqualTo(trees);
        assertThat(c.errors).isEmpty();
    }
}
