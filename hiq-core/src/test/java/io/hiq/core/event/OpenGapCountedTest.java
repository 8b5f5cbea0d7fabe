package io.hiq.core.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A gap's records are counted ({@code GapRecords}, and in {@code Dropped}) when the gap ends; a gap
 * that never ends — its thread died mid-gap, or its root was still open at shutdown — used to be
 * counted as a gap ({@code Gaps}) but its records never: the exit line and the MBean understated
 * what was lost. The real pipeline, small: a ring of four 256-record slots held full by a gated
 * consumer, a 256-record thread buffer, one long root that runs into a gap and never exits.
 *
 * <p>Both tests failed on the old code (checked: {@code GapRecords} and {@code Dropped} stayed 0).
 */
class OpenGapCountedTest {
    private static final LongSupplier[] TIME_ONLY = new LongSupplier[0];
    private static final int CALLS = 2_000;

    private final List<SpanRing> rings = new ArrayList<>();
    private final BatchedPublishingTest.Checker c = new BatchedPublishingTest.Checker();
    private final DropCounters drops = new DropCounters();
    private final CountDownLatch finish = new CountDownLatch(1);
    private Thread owner;

    @AfterEach
    void tearDown() throws InterruptedException {
        CountDownLatch g = c.gate;
        if (g != null) g.countDown();
        finish.countDown();
        if (owner != null) owner.join(30_000);
        Recorder.uninstall();
        for (SpanRing r : rings) r.shutdown(System.nanoTime() + 1_000_000_000L);
    }

    /** Starts the owner: a root whose calls outrun the held ring (a gap), left open; then {@code after}. */
    private CountDownLatch longRootIntoAGap(boolean die) {
        c.gate = new CountDownLatch(1); // the consumer is held: the ring fills up
        SpanRing ring = new SpanRing(4, SpanRing.DEFAULT_SLOT_RECORDS, 2, false, List.of(c));
        rings.add(ring);
        Recorder.install(ring, 256, TIME_ONLY, drops, Batching.DEFAULT);
        CountDownLatch inGap = new CountDownLatch(1);
        owner = new Thread(() -> {
            Object root = Recorder.enterToken(1);
            for (int i = 0; i < CALLS; i++) Recorder.exitToken(2, Recorder.enterToken(2), null);
            inGap.countDown();
            if (die) return; // the root's exit never runs (as when a thread dies mid-root)
            try {
                finish.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            Recorder.exitToken(1, root, null); // after the shutdown
        }, die ? "dies-mid-gap" : "open-at-shutdown");
        owner.setDaemon(true);
        owner.start();
        return inGap;
    }

    /** Records the owner made: the root's ENTER and two per call. */
    private static long produced() { return 1 + 2L * CALLS; }

    @Test
    void aThreadThatDiesMidGapHasItsGapsRecordsCounted() throws Exception {
        CountDownLatch inGap = longRootIntoAGap(true);
        assertThat(inGap.await(60, TimeUnit.SECONDS)).isTrue();
        owner.join(60_000);
        assertThat(owner.isAlive()).isFalse();
        assertThat(drops.gaps.get()).as("a gap started").isEqualTo(1);
        c.gate.countDown();
        c.gate = null;
        // the sweeper takes what the dead owner left, its last batch flagged terminated
        await("the dead owner's last batch").atMost(Duration.ofSeconds(60)).until(() -> c.terminated.get() == 1);
        assertThat(drops.gapRecords.get()).as("the gap's records").isPositive();
        assertThat(drops.droppedEvents.get()).as("Dropped: the gap's records, nothing else").isEqualTo(drops.gapRecords.get());
        assertThat(c.records.get() + drops.droppedEvents.get()).as("published + dropped = produced").isEqualTo(produced());
        assertThat(drops.droppedTrees.get()).isZero();
    }

    @Test
    void aRootStillOpenAtShutdownMidGapHasItsGapsRecordsCountedOnce() throws Exception {
        CountDownLatch inGap = longRootIntoAGap(false);
        assertThat(inGap.await(60, TimeUnit.SECONDS)).isTrue();
        assertThat(drops.gaps.get()).as("a gap started").isEqualTo(1);
        c.gate.countDown();
        c.gate = null;
        Recorder.setEnabled(false);
        assertThat(Recorder.drainForShutdown(System.nanoTime() + 30_000_000_000L)).isTrue();
        assertThat(rings.get(0).awaitDrained(System.nanoTime() + 30_000_000_000L)).isTrue();
        ThreadBuffer b = Recorder.buffers().iterator().next();
        long gapRecords = drops.gapRecords.get();
        assertThat(gapRecords).as("the open gap's records, counted at shutdown").isPositive();
        assertThat(drops.droppedEvents.get()).isEqualTo(gapRecords);
        // the open root's records: on the ring, still in the buffer (an open root is neither published
        // nor counted at shutdown), or skipped in the gap — exactly
        assertThat(c.records.get() + b.held() + drops.droppedEvents.get()).as("published + held + dropped = produced")
                .isEqualTo(produced());

        // the root ends after the shutdown: its gap ends, and is not counted twice
        finish.countDown();
        owner.join(60_000);
        assertThat(owner.isAlive()).isFalse();
        assertThat(drops.gapRecords.get()).as("GapRecords after the root's late exit").isEqualTo(gapRecords);
        assertThat(drops.droppedEvents.get()).isEqualTo(gapRecords);
        assertThat(drops.gaps.get()).isEqualTo(1);
    }
}
