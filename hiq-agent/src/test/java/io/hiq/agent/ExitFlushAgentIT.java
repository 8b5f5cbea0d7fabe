package io.hiq.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * At JVM exit the agent drains what the program recorded within {@code HIQ_FLUSH_TIMEOUT}. When
 * the bound runs out, the trees not yet assembled are lost: that must be said on stderr, never
 * silent (issue 11), and with time enough every tree is written.
 */
class ExitFlushAgentIT {
    @TempDir static Path work;
    static ExternalProgram program;

    @BeforeAll
    static void build() throws Exception {
        assertThat(Path.of(System.getProperty("hiq.agent.jar"))).exists();
        program = new ExternalProgram(work.resolve("app")).compile(Map.of("pipe/Orders.java", PipelineEndToEndIT.APP));
    }

    private static long run(String flushTimeout, Path trees, StringBuilder stderr) throws Exception {
        Path conf = work.resolve("orders.conf");
        Files.writeString(conf, "pipe, Orders, order, order\npipe, Orders, price, price\npipe, Orders, pay, pay\n");
        ExternalProgram.Result r = ExternalProgram.run(List.of(ExternalProgram.java(),
                        "-javaagent:" + System.getProperty("hiq.agent.jar") + "=conf=" + conf + ",mode=verbose,trees=" + trees,
                        "-cp", program.classes().toString(), "pipe.Orders"),
                Map.of("HIQ_HOME", work.resolve("home").toString(), "HIQ_FLUSH_TIMEOUT", flushTimeout, "HIQ_RING_POLICY", "block"), work, 300);
        assertThat(r.exitCode()).as("exit code; stderr: %s", r.stderr()).isZero();
        stderr.append(r.stderr());
        return Files.exists(trees) ? Files.readAllLines(trees, StandardCharsets.UTF_8).size() : 0;
    }

    @Test
    void aFlushTimeoutThatRunsOutSaysSoAndTimeEnoughWritesEveryTree() throws Exception {
        // no time at all to drain: the 1 000 trees are mostly still in the ring at exit
        StringBuilder err = new StringBuilder();
        long written = run("0", work.resolve("none.jsonl"), err);
        Matcher m = Pattern.compile("hiq: exit: HIQ_FLUSH_TIMEOUT \\(0\\.0 s\\) ran out with (\\d+) batch\\(es\\) of recorded calls not assembled; "
                + "their trees are in no sink \\(raise HIQ_FLUSH_TIMEOUT\\)").matcher(err);
        if (written < 1000) {
            assertThat(m.find()).as("a loss of %d trees reported on stderr: %s", 1000 - written, err).isTrue();
            assertThat(Long.parseLong(m.group(1))).isPositive();
        } else {
            assertThat(m.find()).as("no loss, no report: %s", err).isFalse();
        }
        System.out.printf("ExitFlushAgentIT: HIQ_FLUSH_TIMEOUT=0 wrote %d of 1000 trees%n", written);

        StringBuilder err2 = new StringBuilder();
        assertThat(run("120", work.resolve("all.jsonl"), err2)).as("trees written; stderr: %s", err2).isEqualTo(1000);
        assertThat(err2.toString()).doesNotContain("hiq: exit:");
    }
}
