package io.hiq.jack.oci;

import static org.assertj.core.api.Assertions.assertThat;

import io.hiq.jack.oci.FakeStreamingService.FailEntries;
import io.hiq.jack.oci.FakeStreamingService.Request;
import io.hiq.jack.oci.FakeStreamingService.Status;
import io.hiq.jack.publisher.EncodedTree;
import io.hiq.jack.publisher.ExportResult;
import io.hiq.jack.support.TestTrees;
import io.hiq.tree.HiQTree;
import io.hiq.tree.TreeCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The OCI Streaming publisher with the real SDK client against the fake PutMessages service. */
class OciStreamingPublisherTest {
    static final String STREAM = "ocid1.stream.oc1.iad.aaaatest";
    static final Duration BACKOFF = Duration.ofMillis(40);

    FakeStreamingService service;
    OciStreamingPublisher publisher;

    @BeforeEach
    void start() throws Exception {
        service = new FakeStreamingService(0);
        publisher = new OciStreamingPublisher(TestKeys.auth(), service.endpoint(), STREAM,
                new OciStreamingPublisher.RetryPolicy(6, BACKOFF, Duration.ofSeconds(1), Duration.ofSeconds(20), 8),
                PutMessagesLimits.MAX_REQUEST_BYTES, 1000);
    }

    @AfterEach
    void stop() {
        publisher.shutdown(Duration.ofSeconds(2));
        service.close();
    }

    static List<EncodedTree> encoded(int n, int padding) {
        List<EncodedTree> out = new ArrayList<>();
        for (HiQTree t : TestTrees.trees(n)) {
            HiQTree big = padding == 0 ? t : TestTrees.tree(t.id(), 2, padding);
            out.add(new EncodedTree(big.id(), TreeCodec.encode(big)));
        }
        return out;
    }

    ExportResult export(List<EncodedTree> batch) throws Exception {
        return publisher.export(batch).get(60, TimeUnit.SECONDS);
    }

    void assertAllAcceptedOnce(List<EncodedTree> batch) {
        for (EncodedTree t : batch) {
            assertThat(service.accepted.get(t.id())).as("tree %s", t.id()).isEqualTo(t.json());
            assertThat(service.acceptCount.get(t.id())).as("tree %s accepted once", t.id()).isEqualTo(1);
        }
    }

    @Test
    void batchIsSplitIntoRequestsWithinTheServiceLimits() throws Exception {
        List<EncodedTree> batch = new ArrayList<>(encoded(40, 150_000)); // ~6 MB of trees
        batch.addAll(encoded(300, 0));
        HiQTree largest = TestTrees.tree("largest-" + System.nanoTime(), 1, 1);
        int pad = PutMessagesLimits.MAX_VALUE_BYTES - TreeCodec.encode(largest).length + 1; // the padding of 1 is in there
        largest = TestTrees.tree(largest.id(), 1, pad); // exactly the publisher's limit
        batch.add(new EncodedTree(largest.id(), TreeCodec.encode(largest)));
        assertThat(batch.get(batch.size() - 1).size()).isEqualTo(publisher.maxMessageBytes());

        ExportResult r = export(batch);

        assertThat(r.isSuccess()).isTrue();
        assertThat(r.delivered()).isEqualTo(batch.size());
        assertThat(service.violations).isEmpty();
        assertThat(service.requests).allSatisfy(q -> {
            assertThat(q.status()).isEqualTo(200);
            assertThat(q.bodyBytes()).isLessThanOrEqualTo(FakeStreamingService.MIB);
            assertThat(q.stream()).isEqualTo(STREAM);
        });
        // 6 MB does not fit fewer than 7 requests of 1 MiB (base64 adds a third)
        assertThat(service.requests.size()).isGreaterThanOrEqualTo(8);
        assertAllAcceptedOnce(batch);
    }

    @Test
    void entriesThatFailInAPartiallyFailedResponseAreSentAgainAndOnlyThey() throws Exception {
        List<EncodedTree> batch = encoded(50, 0);
        service.then(new FailEntries(i -> i % 3 == 0), new FailEntries(i -> i == 0));

        ExportResult r = export(batch);

        assertThat(r.isSuccess()).isTrue();
        assertThat(r.delivered()).isEqualTo(50);
        List<Integer> sizes = service.requests.stream().map(Request::entries).toList();
        assertThat(sizes).containsExactly(50, 17, 1); // all; the 17 that failed; the one that failed again
        assertAllAcceptedOnce(batch);
    }

    @Test
    void throttlingAndServerErrorsAreRetriedWithBackOff() throws Exception {
        List<EncodedTree> batch = encoded(20, 0);
        service.then(new Status(429), new Status(429), new Status(503), new Status(500));

        ExportResult r = export(batch);

        assertThat(r.isSuccess()).isTrue();
        assertThat(service.requests).extracting(Request::status).containsExactly(429, 429, 503, 500, 200);
        // each retry waited: at least half the (doubling) back-off, jitter being on the upper half
        for (int i = 1; i < service.requests.size(); i++) {
            long gap = service.requests.get(i).atNanos() - service.requests.get(i - 1).atNanos();
            long minimum = BACKOFF.toNanos() << (i - 1);
            assertThat(gap).as("gap before request %d", i).isGreaterThanOrEqualTo(Math.min(minimum, Duration.ofSeconds(1).toNanos()) / 2);
        }
        assertAllAcceptedOnce(batch);
    }

    @Test
    void whatStillFailsAfterTheAttemptsComesBackForRetryNotLost() throws Exception {
        List<EncodedTree> batch = encoded(10, 0);
        for (int i = 0; i < 6; i++) service.then(new Status(429));

        ExportResult r = export(batch);

        assertThat(r.delivered()).isZero();
        assertThat(r.retry()).extracting(EncodedTree::id).containsExactlyElementsOf(batch.stream().map(EncodedTree::id).toList());
        assertThat(service.requests).hasSize(6);
        // next time it goes through
        assertThat(export(r.retry()).isSuccess()).isTrue();
        assertAllAcceptedOnce(batch);
    }

    @Test
    void anUnreachableServiceFailsTheBatchAtOnceForRetry() throws Exception {
        service.close();
        List<EncodedTree> batch = encoded(5, 0);
        ExportResult r = export(batch);
        assertThat(r.delivered()).isZero();
        assertThat(r.retry()).hasSize(5);
        assertThat(r.error()).isNotNull();
    }

    @Test
    void longKeysAreCutTo256Bytes() throws Exception {
        String id = "k".repeat(300);
        HiQTree t = TestTrees.tree(id, 1, 0);
        ExportResult r = export(List.of(new EncodedTree(id, TreeCodec.encode(t))));
        assertThat(r.isSuccess()).isTrue();
        assertThat(service.violations).isEmpty();
        assertThat(service.accepted).containsKey("k".repeat(256));
    }

    @Test
    void aTreeThatCannotFitIsRefusedNotSentForever() throws Exception {
        List<EncodedTree> batch = new ArrayList<>(encoded(3, 0));
        HiQTree huge = TestTrees.tree("huge-" + System.nanoTime(), 1, PutMessagesLimits.MAX_VALUE_BYTES + 10);
        batch.add(1, new EncodedTree(huge.id(), TreeCodec.encode(huge)));
        ExportResult r = export(batch);
        assertThat(r.delivered()).isEqualTo(3);
        assertThat(r.rejected()).extracting(EncodedTree::id).containsExactly(huge.id());
        assertThat(r.retry()).isEmpty();
        assertThat(service.violations).isEmpty();
    }
}
