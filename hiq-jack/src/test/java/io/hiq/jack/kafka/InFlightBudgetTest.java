package io.hiq.jack.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class InFlightBudgetTest {
    static final long LONG_WAIT = TimeUnit.SECONDS.toNanos(60);

    @Test
    void takesWhatFitsAndRefusesWhatDoesNotWhenItMayNotWait() {
        InFlightBudget b = new InFlightBudget(1000);
        assertThat(b.acquire(600, 0)).isTrue();
        assertThat(b.acquire(400, 0)).isTrue();
        assertThat(b.hasRoom()).isFalse();
        assertThat(b.acquire(1, 0)).isFalse();
        assertThat(b.used()).isEqualTo(1000);
        assertThat(b.waits()).isEqualTo(1);
        assertThat(b.timeouts()).isEqualTo(1);
        b.release(400);
        assertThat(b.hasRoom()).isTrue();
        assertThat(b.acquire(400, 0)).isTrue();
    }

    @Test
    void aBatchLargerThanTheWholeBudgetPassesAloneSoThatProgressNeverDependsOnTheSize() {
        InFlightBudget b = new InFlightBudget(1000);
        assertThat(b.acquire(5000, 0)).isTrue();
        assertThat(b.acquire(1, 0)).isFalse();
        b.release(5000);
        assertThat(b.used()).isZero();
        assertThat(b.acquire(1, 0)).isTrue();
    }

    @Test
    void aWaitingAcquireTakesTheBytesAnAcknowledgementGivesBack() throws Exception {
        InFlightBudget b = new InFlightBudget(1000);
        assertThat(b.acquire(900, 0)).isTrue();
        CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(() -> b.acquire(500, LONG_WAIT));
        await("the second acquire waiting").atMost(Duration.ofSeconds(30)).until(() -> b.waits() == 1);
        assertThat(waiting).isNotDone();
        b.release(900);
        assertThat(waiting.get(30, TimeUnit.SECONDS)).isTrue();
        assertThat(b.used()).isEqualTo(500);
        assertThat(b.timeouts()).isZero();
    }

    @Test
    void closingReleasesAWaiterEmptyHandedAndRefusesFromThenOn() throws Exception {
        InFlightBudget b = new InFlightBudget(1000);
        assertThat(b.acquire(1000, 0)).isTrue();
        CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(() -> b.acquire(1, LONG_WAIT));
        await("the acquire waiting").atMost(Duration.ofSeconds(30)).until(() -> b.waits() == 1);
        b.close();
        assertThat(waiting.get(30, TimeUnit.SECONDS)).isFalse();
        b.release(1000);
        assertThat(b.acquire(1, 0)).as("closed: even an empty budget refuses").isFalse();
        assertThat(b.hasRoom()).isFalse();
    }

    @Test
    void anInterruptedWaitGivesUpAndKeepsTheInterrupt() throws Exception {
        InFlightBudget b = new InFlightBudget(10);
        assertThat(b.acquire(10, 0)).isTrue();
        CompletableFuture<Boolean[]> result = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            boolean got = b.acquire(5, LONG_WAIT);
            result.complete(new Boolean[] {got, Thread.currentThread().isInterrupted()});
        });
        t.start();
        await("the acquire waiting").atMost(Duration.ofSeconds(30)).until(() -> b.waits() == 1);
        t.interrupt();
        assertThat(result.get(30, TimeUnit.SECONDS)).containsExactly(false, true);
        assertThat(b.used()).isEqualTo(10);
    }

    @Test
    void theBatcherWaitsAsLongAsTheProducerWaitsForAnAnswerAtMost30Seconds() {
        Properties p = new Properties();
        assertThat(KafkaTreePublisher.budgetWaitMillis(p)).as("Kafka's default request.timeout.ms").isEqualTo(30_000);
        p.put("request.timeout.ms", "5000");
        assertThat(KafkaTreePublisher.budgetWaitMillis(p)).isEqualTo(5_000);
        p.put("request.timeout.ms", "600000");
        assertThat(KafkaTreePublisher.budgetWaitMillis(p)).isEqualTo(30_000);
    }

    @Test
    void refusesANonPositiveLimit() {
        assertThatThrownBy(() -> new InFlightBudget(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theDefaultIsBoundedByTheHeapAndByHalfTheProducersBuffer() {
        Properties p = new Properties();
        p.put("buffer.memory", String.valueOf(64L << 20));
        long mib = 1 << 20;
        assertThat(KafkaTreePublisher.budgetBytes(p, 0, 2048 * mib)).isEqualTo(32 * mib);
        assertThat(KafkaTreePublisher.budgetBytes(p, 0, 64 * mib)).as("an eighth of a 64 MiB heap").isEqualTo(8 * mib);
        assertThat(KafkaTreePublisher.budgetBytes(p, 0, 4 * mib)).as("at least 1 MiB").isEqualTo(mib);
        assertThat(KafkaTreePublisher.budgetBytes(p, 100 * mib, 64 * mib)).as("asked for, above half the buffer").isEqualTo(32 * mib);
        assertThat(KafkaTreePublisher.budgetBytes(p, 10 * mib, 64 * mib)).as("asked for: the heap bound is the user's call").isEqualTo(10 * mib);
        p.put("buffer.memory", "524288");
        assertThat(KafkaTreePublisher.budgetBytes(p, 0, 2048 * mib)).isEqualTo(256 * 1024);
    }
}
