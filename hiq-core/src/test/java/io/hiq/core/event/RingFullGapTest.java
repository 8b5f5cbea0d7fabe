package io.hiq.core.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hiq.core.metric.Metric;
import io.hiq.core.spi.SpanEventHandler;
import io.hiq.core.tree.Mode;
import io.hiq.core.tree.TreeAssembler;
import io.hiq.tree.HiQNode;
import io.hiq.tree.HiQTree;
import io.hiq.tree.TreeCodec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 11, the last point: a full ring costs a <em>gap</em> in a long root, not its whole tree.
 * The real pipeline, small: a {@link ThreadBuffer} of 16 records on this thread, a ring of two
 * 8-record slots, and a {@link TreeAssembler} behind a gate that holds the ring's consumer, so the
 * ring and the buffer fill up exactly where a test wants them to. Times are given explicitly (one
 * record every 100 ns), so nothing depends on the clock or on the machine's load.
 */
class RingFullGapTest {
    private static final LongSupplier[] TIME_ONLY = new LongSupplier[0];
    static final TagRegistry TAGS = new TagRegistry();
    static final int ROOT = TAGS.register("root", null, null).id();
    static final int OUTER1 = TAGS.register("outer1", null, null).id();
    static final int OUTER2 = TAGS.register("outer2", null, null).id();
    static final int INNER = TAGS.register("inner", null, null).id();
    static final int A = TAGS.register("a", null, null).id();
    static final int B = TAGS.register("b", null, null).id();

    final List<HiQTree> trees = new CopyOnWriteArrayList<>();
    final AtomicLong published = new AtomicLong();
    final DropCounters drops = new DropCounters();
    volatile CountDownLatch gate;
    SpanRing ring;
    ThreadBuffer buf;
    /** Records the application made (one per ENTER and per EXIT). */
    long produced;
    long t = 1_000_000L;

    @BeforeEach
    void setUp() {
        TreeAssembler assembler = new TreeAssembler(TAGS, List.of(Metric.TIME), Mode.VERBOSE, "svc", "host", 1,
                nanos -> nanos / 1000, 0, List.of(trees::add), published, new AtomicLong());
        SpanEventHandler gated = (b, end) -> {
            CountDownLatch g = gate;
            if (g != null) {
                try {
                    g.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            assembler.onBatch(b, end);
        };
        gate = new CountDownLatch(1); // held: the ring fills up
        ring = new SpanRing(2, 8, 2, false, List.of(gated));
        // batches of 8 records; no age-based publishing within a test
        buf = new ThreadBuffer(Thread.currentThread(), ring, 16, TIME_ONLY, drops, false,
                new Batching(8, 1_000_000_000L, 1_000_000_000L));
    }

    @AfterEach
    void tearDown() {
        gate.countDown();
        ring.shutdown(System.nanoTime() + 5_000_000_000L);
    }

    ThreadBuffer.Frame in(int tag) {
        produced++;
        return buf.enter(tag, t += 100);
    }

    void out(ThreadBuffer.Frame f, int tag) { out(f, tag, null); }

    void out(ThreadBuffer.Frame f, int tag, Throwable thrown) {
        produced++;
        buf.exit(f, tag, thrown, t += 100);
    }

    void calls(int tag, int n) {
        for (int i = 0; i < n; i++) out(in(tag), tag);
    }

    /**
     * Calls with the consumer keeping up: after each, waits until it took everything published, so
     * that when the buffer fills the ring has room (whatever the machine's load).
     */
    void callsDrained(int tag, int n) {
        for (int i = 0; i < n; i++) {
            out(in(tag), tag);
            assertThat(ring.awaitDrained(System.nanoTime() + 30_000_000_000L)).as("the consumer drained the ring").isTrue();
        }
    }

    /** Lets the consumer go and waits until it took everything on the ring. */
    void release() {
        gate.countDown();
        assertThat(ring.awaitDrained(System.nanoTime() + 30_000_000_000L)).as("the consumer drained the ring").isTrue();
    }

    /** Holds the consumer again: the batch it takes next waits at the gate. */
    void hold() { gate = new CountDownLatch(1); }

    /** Releases the consumer, publishes what the buffer still holds, and returns the one tree. */
    HiQTree finish() throws Exception {
        release();
        await("the buffer's last records published").atMost(Duration.ofSeconds(30)).until(() -> {
            buf.sweep(true);
            return !buf.hasPending();
        });
        assertThat(ring.awaitDrained(System.nanoTime() + 30_000_000_000L)).isTrue();
        await("the tree").atMost(Duration.ofSeconds(30)).until(() -> !trees.isEmpty());
        assertThat(trees).hasSize(1);
        HiQTree tree = trees.get(0);
        // whatever the gaps, the tree is one a reader accepts
        assertThat(TreeCodec.decode(TreeCodec.encode(tree)).root().size()).isEqualTo(tree.root().size());
        return tree;
    }

    /** Every record is published or counted as dropped: no more, no less (GAP records are HiQ's own). */
    void assertCountersExact() throws Exception {
        assertThat(published.get() + drops.droppedEvents.get()).as("published + dropped = produced").isEqualTo(produced);
        assertThat(drops.droppedTrees.get()).as("no tree dropped whole").isZero();
    }

    static Map<?, ?> gaps(HiQTree tree) {
        return (Map<?, ?>) tree.root().extra().get(TreeAssembler.GAPS);
    }

    static long gapLong(HiQTree tree, String key) { return ((Number) gaps(tree).get(key)).longValue(); }

    static long count(HiQNode n, String name) {
        long c = n.name().equals(name) ? 1 : 0;
        for (HiQNode k : n.children()) c += count(k, name);
        return c;
    }

    static boolean closedInGap(HiQNode n) { return Boolean.TRUE.equals(n.extra().get(TreeAssembler.CLOSED_IN_GAP)); }

    @Test
    void aRingFullMidRootCostsAGapTheTreeKeepsTheCallsBeforeAndAfterIt() throws Exception {
        ThreadBuffer.Frame root = in(ROOT);
        ThreadBuffer.Frame o1 = in(OUTER1);
        calls(A, 100); // 200 records: the ring (16) and the buffer (14) fill up, a gap starts
        out(o1, OUTER1); // exits during the gap
        long o2At = t + 100;
        ThreadBuffer.Frame o2 = in(OUTER2); // entered during the gap, still open when it ends
        ThreadBuffer.Frame inner = in(INNER);
        assertThat(drops.gaps.get()).as("a gap started").isEqualTo(1);
        release(); // the consumer catches up: room returns
        callsDrained(B, 100); // within RETRY_RECORDS skipped records the gap ends, then every B call is recorded
        out(inner, INNER);
        out(o2, OUTER2);
        out(root, ROOT);
        HiQTree tree = finish();

        assertThat(tree.broken()).isFalse();
        assertThat(tree.truncated()).isTrue();
        assertThat(tree.dropped()).as("no tree was dropped").isZero();
        HiQNode r = tree.root();
        assertThat(r.name()).isEqualTo("root");
        assertThat(TreeAssemblerNames.of(r.children())).containsExactly("outer1", "outer2");
        HiQNode n1 = r.children().get(0), n2 = r.children().get(1);
        // outer1 exited during the gap: closed there, at the last record before it
        assertThat(closedInGap(n1)).isTrue();
        assertThat(n1.end()).isLessThan(n2.start());
        assertThat(n1.children()).isNotEmpty().allSatisfy(c -> assertThat(c.name()).isEqualTo("a"));
        // outer2 and inner were entered during the gap: present, with their real start and end
        assertThat(closedInGap(n2)).isFalse();
        assertThat(n2.start()).as("outer2's real start").isEqualTo(o2At / 1000);
        assertThat(TreeAssemblerNames.of(n2.children())).containsExactly("inner");
        HiQNode in = n2.children().get(0);
        assertThat(closedInGap(in)).isFalse();
        assertThat(in.children()).isNotEmpty().allSatisfy(c -> assertThat(c.name()).isEqualTo("b"));
        assertThat(in.end()).isLessThanOrEqualTo(n2.end());
        assertThat(n2.end()).isLessThanOrEqualTo(r.end());
        // the calls before and after the gap are kept; the gap counts the others exactly
        long keptA = count(r, "a"), keptB = count(r, "b");
        assertThat(keptA).isPositive();
        assertThat(keptB).isPositive();
        assertThat(gapLong(tree, "count")).isEqualTo(1);
        assertThat(keptA + keptB + gapLong(tree, "calls")).as("kept + skipped calls").isEqualTo(200);
        assertThat(gapLong(tree, "records")).isEqualTo(drops.droppedEvents.get()).isEqualTo(drops.gapRecords.get());
        assertCountersExact();
    }

    @Test
    void aGapThatSpansTheRootsExitEndsWithTheRootsOwnExit() throws Exception {
        ThreadBuffer.Frame root = in(ROOT);
        calls(A, 100);
        assertThat(drops.gaps.get()).isEqualTo(1);
        out(root, ROOT, new IllegalStateException("boom")); // the ring is still full: the RESERVE takes the GAP and the EXIT
        HiQTree tree = finish();

        assertThat(tree.broken()).isFalse();
        assertThat(tree.truncated()).isTrue();
        HiQNode r = tree.root();
        assertThat(r.name()).isEqualTo("root");
        // the root's real end and exception, not the gap's
        assertThat(r.end()).isEqualTo(t / 1000);
        assertThat(String.valueOf(r.extra().get("exception"))).isEqualTo("java.lang.IllegalStateException: boom");
        assertThat(count(r, "a") + gapLong(tree, "calls")).isEqualTo(100);
        assertThat(count(r, "a")).isPositive();
        assertCountersExact();
    }

    @Test
    void nestedGapsCloseWhatExitedInEachAndKeepWhatOpenedInEach() throws Exception {
        ThreadBuffer.Frame root = in(ROOT);
        ThreadBuffer.Frame o1 = in(OUTER1);
        calls(A, 100); // gap 1, under outer1
        out(o1, OUTER1);
        ThreadBuffer.Frame o2 = in(OUTER2);
        release();
        callsDrained(A, 64); // gap 1 ends under outer2 (synthetic), more A calls recorded under it
        assertThat(drops.gaps.get()).isEqualTo(1);
        ThreadBuffer.Frame inner = in(INNER);
        hold();
        calls(B, 100); // the ring fills again: gap 2, under inner, deeper than gap 1
        assertThat(drops.gaps.get()).isEqualTo(2);
        out(inner, INNER); // both exit during gap 2
        out(o2, OUTER2);
        out(root, ROOT); // gap 2 spans the root's exit
        HiQTree tree = finish();

        assertThat(tree.broken()).isFalse();
        assertThat(tree.truncated()).isTrue();
        assertThat(gapLong(tree, "count")).isEqualTo(2);
        HiQNode r = tree.root();
        assertThat(TreeAssemblerNames.of(r.children())).containsExactly("outer1", "outer2");
        HiQNode n1 = r.children().get(0), n2 = r.children().get(1);
        assertThat(closedInGap(n1)).isTrue();
        assertThat(closedInGap(n2)).as("outer2 exited during gap 2").isTrue();
        HiQNode in = n2.children().stream().filter(c -> c.name().equals("inner")).findFirst().orElseThrow();
        assertThat(closedInGap(in)).isTrue();
        assertThat(in.children()).isNotEmpty().allSatisfy(c -> assertThat(c.name()).isEqualTo("b"));
        assertThat(count(r, "a") + count(r, "b") + gapLong(tree, "calls")).isEqualTo(264);
        // every node ends within its parent: a gap never makes a child outlive its caller
        assertNested(r);
        assertCountersExact();
    }

    @Test
    void exceptionsThrownDuringAGapUnwindToTheRightDepth() throws Exception {
        ThreadBuffer.Frame root = in(ROOT);
        ThreadBuffer.Frame o1 = in(OUTER1);
        calls(A, 100); // gap
        ThreadBuffer.Frame leaf = in(A);
        ThreadBuffer.Frame deeper = in(B);
        // a throw unwinds outer1 while b and a are open (their exits never ran: a stack overflow)
        out(o1, OUTER1, new IllegalStateException("thrown in the gap"));
        assertThat(buf.depth()).isEqualTo(1);
        ThreadBuffer.Frame o2 = in(OUTER2);
        release(); // room returns: the gap ends within RETRY_RECORDS skipped records
        callsDrained(B, 70);
        out(o2, OUTER2, new IllegalArgumentException("after the gap"));
        out(root, ROOT);
        HiQTree tree = finish();
        assertThat(leaf).isNotNull();
        assertThat(deeper).isNotNull();

        assertThat(tree.broken()).isFalse();
        HiQNode r = tree.root();
        assertThat(TreeAssemblerNames.of(r.children())).containsExactly("outer1", "outer2");
        HiQNode n1 = r.children().get(0), n2 = r.children().get(1);
        assertThat(closedInGap(n1)).isTrue();
        // outer1's exception was thrown in the gap: not known; outer2's after it: kept
        assertThat(n1.extra()).doesNotContainKey("exception");
        assertThat(String.valueOf(n2.extra().get("exception"))).isEqualTo("java.lang.IllegalArgumentException: after the gap");
        assertThat(count(r, "a") + count(r, "b") + gapLong(tree, "calls")).isEqualTo(100 + 2 + 70);
        assertNested(r);
        assertThat(published.get() + drops.droppedEvents.get()).isEqualTo(produced);
    }

    @Test
    void aShortRootNoneOfWhoseRecordsWentOutIsStillDroppedWholeAndCounted() throws Exception {
        // completed roots fill the ring and most of the buffer
        for (int i = 0; i < 12; i++) calls(ROOT, 1);
        int before = trees.size();
        ThreadBuffer.Frame root = in(ROOT); // fits, then its calls do not: nothing of it is out, it is short
        calls(A, 3);
        out(root, ROOT);
        assertThat(drops.droppedTrees.get()).isEqualTo(1);
        assertThat(drops.gaps.get()).isZero();
        release();
        await("the buffer's last records published").atMost(Duration.ofSeconds(30)).until(() -> {
            buf.sweep(true);
            return !buf.hasPending();
        });
        assertThat(ring.awaitDrained(System.nanoTime() + 30_000_000_000L)).isTrue();
        assertThat(before).isZero();
        assertThat(trees).hasSize(12).allSatisfy(tr -> assertThat(tr.truncated()).isFalse());
        assertThat(published.get() + drops.droppedEvents.get()).isEqualTo(produced);
        assertThat(drops.droppedEvents.get()).isEqualTo(8); // the dropped root's 8 records, whole
    }

    static void assertNested(HiQNode n) {
        for (HiQNode c : n.children()) {
            assertThat(c.start()).as("%s starts within %s", c.name(), n.name()).isGreaterThanOrEqualTo(n.start());
            assertThat(c.end()).as("%s ends within %s", c.name(), n.name()).isLessThanOrEqualTo(n.end());
            assertThat(c.end()).isGreaterThanOrEqualTo(c.start());
            assertNested(c);
        }
    }

    /** Node names. */
    static final class TreeAssemblerNames {
        static List<String> of(List<HiQNode> nodes) { return nodes.stream().map(HiQNode::name).toList(); }
    }
}
