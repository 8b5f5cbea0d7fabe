package io.hiq.jack.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The in-flight byte budget bounds Jack's memory: a JVM with a 96 MiB heap hands Jack
 * {@value #TREES} trees of about 2 KB each (≈ {@value #TREES} × 2 KB, several times the heap) as
 * fast as Jack takes them, while the broker ({@link BrokerProcess}, a JVM of its own) acknowledges each
 * batch only after {@code linger.ms}. Jack must neither run out of memory nor lose or double-count
 * a tree: every tree is published live or replayed from the spool, exactly once by the counters.
 * (With the old bound of 16 batches of up to 2 048 trees, up to ~64 MB of JSON could wait for
 * acknowledgement here.)
 */
class SmallHeapIT {
    static final int TREES = Integer.getInteger("smallheap.trees", 60_000);
    static final String TOPIC = "hiq-small-heap";

    @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path work;
    final ChildJvms jvms = new ChildJvms();

    @AfterEach
    void stop() throws InterruptedException {
        jvms.killAll();
    }

    Process startJava(List<String> javaArgs, String name) throws IOException {
        return jvms.start(work, javaArgs, java.util.Map.of(), name);
    }

    @Test
    void aSmallHeapFedFarMoreThanItHoldsDoesNotRunOutOfMemoryAndLosesNothing() throws Exception {
        int port = ChildJvms.freePort();
        Process broker = startJava(List.of("-Xmx512m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                BrokerProcess.class.getName(), "" + port, work.resolve("kafka").toString(), "2"), "broker");
        await("the broker listening").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(50)).until(() -> {
            if (!broker.isAlive()) throw new AssertionError("broker died: " + Files.readString(work.resolve("broker.err")));
            return Files.readString(work.resolve("broker.out")).contains("LISTENING");
        });
        Path props = work.resolve("producer.properties");
        // acknowledgements come late (each batch waits 300 ms in the producer), so the budget fills
        Files.writeString(props, "linger.ms=300\nmetadata.recovery.rebootstrap.trigger.ms=2000\n");
        Process feeder = startJava(List.of("-Xmx96m", "-XX:+HeapDumpOnOutOfMemoryError", "-XX:HeapDumpPath=" + work,
                "-XX:+ExitOnOutOfMemoryError", SmallHeapFeeder.class.getName(),
                "127.0.0.1:" + port, TOPIC, work.resolve("home").toString(), props.toString(), "" + TREES, "1800"), "feeder");
        assertThat(feeder.waitFor(600, TimeUnit.SECONDS)).as("the feeder ends").isTrue();
        String err = Files.readString(work.resolve("feeder.err"));
        String out = Files.readString(work.resolve("feeder.out"));
        assertThat(err).doesNotContain("OutOfMemoryError");
        assertThat(feeder.exitValue()).as("feeder exit code; stderr: " + err).isZero();
        String result = out.lines().filter(l -> l.startsWith("RESULT ")).findFirst()
                .orElseThrow(() -> new AssertionError("no RESULT line; stdout: " + out + "; stderr: " + err));
        long published = field(result, "published"), replayed = field(result, "replayed"), spooled = field(result, "spooled");
        assertThat(published + replayed).as(result).isEqualTo(TREES);
        assertThat(replayed).as(result).isEqualTo(spooled);
        assertThat(field(result, "failed")).as(result).isZero();
        assertThat(field(result, "pending")).as(result).isZero();
        assertThat(field(result, "maxHeap")).as("the heap is small").isLessThan(128L << 20);
        assertThat(published).as("most trees took the live path, the one the budget bounds: " + result).isGreaterThan(TREES / 2);
    }

    static long field(String line, String name) {
        for (String kv : line.split(" ")) if (kv.startsWith(name + "=")) return Long.parseLong(kv.substring(name.length() + 1));
        throw new AssertionError("no " + name + " in " + line);
    }
}
