package io.hiq.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bin/hiq demo} as a user runs it: a busy port is named at once, before anything starts. */
class DemoCommandTest {
    static final Path BIN_HIQ = Path.of(System.getProperty("user.dir")).getParent().resolve("bin/hiq");

    @TempDir Path work;

    @Test
    void aTakenHttpPortMakesTheDemoExitNonZeroWithin30sNamingThePort() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             ServerSocket free = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int kafka = free.getLocalPort();
            free.close(); // a port that was free a moment ago: the demo must not even get to it
            long t0 = System.nanoTime();
            ExternalProgram.Result r = ExternalProgram.run(List.of(BIN_HIQ.toString(), "demo", "--duration", "5",
                    "--http", "127.0.0.1:" + taken.getLocalPort(), "--kafka-port", String.valueOf(kafka)),
                    Map.of("TMPDIR", work.toString()), work);
            long seconds = (System.nanoTime() - t0) / 1_000_000_000L;
            assertThat(r.exitCode()).as("exit status; stderr: " + r.stderr()).isNotZero();
            assertThat(seconds).as("seconds until the demo exited").isLessThanOrEqualTo(30);
            assertThat(r.stderr()).contains("port " + taken.getLocalPort()).contains("in use");
            try (var left = Files.list(work)) {
                assertThat(left.filter(p -> p.getFileName().toString().startsWith("hiq-demo."))).as("temporary folders left").isEmpty();
            }
        }
    }

    @Test
    void theEnvironmentVariablesAreHonouredToo() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            ExternalProgram.Result r = ExternalProgram.run(List.of(BIN_HIQ.toString(), "demo", "--duration", "5"),
                    Map.of("HIQ_DEMO_KAFKA_PORT", String.valueOf(taken.getLocalPort()), "TMPDIR", work.toString()), work);
            assertThat(r.exitCode()).isNotZero();
            assertThat(r.stderr()).contains("port " + taken.getLocalPort() + " (Kafka) is already in use");
        }
    }

    @Test
    void everySubcommandHasHelp() throws Exception {
        for (String cmd : List.of("demo", "run", "show", "example")) {
            ExternalProgram.Result r = ExternalProgram.run(List.of(BIN_HIQ.toString(), cmd, "--help"), Map.of(), work);
            assertThat(r.exitCode()).as(cmd + " --help; stderr: " + r.stderr()).isZero();
            assertThat(r.stdout()).as(cmd + " --help").contains("usage: bin/hiq " + cmd);
        }
        ExternalProgram.Result demo = ExternalProgram.run(List.of(BIN_HIQ.toString(), "demo", "--help"), Map.of(), work);
        assertThat(demo.stdout()).contains("--http HOST:PORT").contains("--kafka-port N").contains("HIQ_DEMO_HTTP")
                .contains("HIQ_DEMO_KAFKA_PORT").contains("--keep");
    }

    @Test
    void runWithoutAJavaProgramPrintsAClearUsage() throws Exception {
        ExternalProgram.Result r = ExternalProgram.run(List.of(BIN_HIQ.toString(), "run", "--conf", "x.conf"), Map.of(), work);
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.stderr()).startsWith("hiq run: no Java program given").contains("usage: bin/hiq run");
    }
}
