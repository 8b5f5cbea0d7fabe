package io.hiq.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hiq.consumer.support.Http;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service as a real process ({@code ConsumerMain} on this class path): refuses a non-loopback
 * bind without {@code HIQ_CONSUMER_TOKEN} (exit ≠ 0, one line naming the variable), serves it with the
 * token (401 without, 200 with) or with {@code --insecure-no-token}, and answers 421 to a foreign
 * {@code Host} (DNS rebinding) unless the name is in {@code HIQ_CONSUMER_HOSTS}. No broker is needed:
 * the HTTP side starts while Kafka is unreachable (127.0.0.1:1).
 */
class ExposureTest {
    private static final Pattern SERVING = Pattern.compile("serving http://[^:]+:(\\d+)/");

    private static ProcessBuilder consumer(Path home, Path log, String token, String hosts, String... args) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                ConsumerMain.class.getName(), "--bootstrap", "127.0.0.1:1", "--topic", "exposure"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("HIQ_HOME", home.toString());
        pb.environment().remove("HIQ_KAFKA_PROPS");
        pb.environment().remove("HIQ_CONSUMER_TOKEN");
        pb.environment().remove("HIQ_CONSUMER_HOSTS");
        if (token != null) pb.environment().put("HIQ_CONSUMER_TOKEN", token);
        if (hosts != null) pb.environment().put("HIQ_CONSUMER_HOSTS", hosts);
        return pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    }

    /** Waits for the "serving" line and returns the port. */
    private static int servingPort(Process p, Path log) {
        int[] port = {-1};
        await("the consumer's 'serving http://…' line in " + log).atMost(Duration.ofSeconds(60)).until(() -> {
            assertThat(p.isAlive()).as("consumer still running; output: %s", Files.readString(log)).isTrue();
            Matcher m = SERVING.matcher(Files.readString(log));
            if (!m.find()) return false;
            port[0] = Integer.parseInt(m.group(1));
            return true;
        });
        return port[0];
    }

    @Test
    void nonLoopbackWithoutTokenExitsNamingTheVariable(@TempDir Path home) throws Exception {
        Path log = home.resolve("out.log");
        Process p = consumer(home, log, null, null, "--http", "0.0.0.0:0").start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("exits by itself").isTrue();
        String out = Files.readString(log);
        assertThat(p.exitValue()).as("exit status; output: %s", out).isNotZero();
        List<String> lines = out.lines().filter(l -> l.contains("HIQ_CONSUMER_TOKEN")).toList();
        assertThat(lines).as("one line naming HIQ_CONSUMER_TOKEN in: %s", out).hasSize(1);
        assertThat(lines.get(0)).contains("--insecure-no-token").contains("0.0.0.0");
        assertThat(out).doesNotContain("serving http://");
    }

    @Test
    void nonLoopbackWithTokenNeedsItAndRefusesForeignHosts(@TempDir Path home) throws Exception {
        Path log = home.resolve("out.log");
        Process p = consumer(home, log, "s3cret-token", "hiq.internal.example", "--http", "0.0.0.0:0").start();
        try {
            int port = servingPort(p, log);
            String base = "http://127.0.0.1:" + port;
            assertThat(Http.get(base + "/api/trees").statusCode()).isEqualTo(401);
            assertThat(Http.get(base + "/api/trees", "wrong").statusCode()).isEqualTo(401);
            assertThat(Http.get(base + "/api/trees", "s3cret-token").statusCode()).isEqualTo(200);
            assertThat(Http.get(base + "/api/trees", "s3cret-token").body()).contains("\"total\":0");
            // DNS rebinding: a browser at evil.example sends its own name, even with a stolen token
            assertThat(rawGet(port, "evil.example:" + port, "s3cret-token")).startsWith("HTTP/1.1 421");
            assertThat(rawGet(port, "evil.example", null)).startsWith("HTTP/1.1 421").contains("HIQ_CONSUMER_HOSTS");
            assertThat(rawGet(port, "localhost:" + port, "s3cret-token")).startsWith("HTTP/1.1 200");
            assertThat(rawGet(port, "HIQ.internal.example:" + port, "s3cret-token")).as("allow-listed").startsWith("HTTP/1.1 200");
            assertThat(rawGet(port, "10.1.2.3:" + port, "s3cret-token")).as("IP literal").startsWith("HTTP/1.1 200");
            assertThat(Files.readString(log)).doesNotContain("s3cret-token");
        } finally {
            p.destroy();
            if (!p.waitFor(30, TimeUnit.SECONDS)) p.destroyForcibly().waitFor();
        }
    }

    @Test
    void loopbackDefaultAndInsecureFlagStart(@TempDir Path home) throws Exception {
        Path log = home.resolve("out.log");
        Process p = consumer(home, log, null, null, "--http", "0.0.0.0:0", "--insecure-no-token").start();
        try {
            int port = servingPort(p, log);
            assertThat(Http.get("http://127.0.0.1:" + port + "/api/trees").statusCode()).isEqualTo(200);
            assertThat(Files.readString(log)).contains("WARNING: --insecure-no-token");
            // the loopback bind is open to DNS rebinding without the Host check
            assertThat(rawGet(port, "rebind.attacker.example", null)).startsWith("HTTP/1.1 421");
        } finally {
            p.destroy();
            if (!p.waitFor(30, TimeUnit.SECONDS)) p.destroyForcibly().waitFor();
        }
    }

    /** A GET of /api/trees with a chosen Host header (java.net.http does not let a test set it). */
    private static String rawGet(int port, String host, String token) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET /api/trees HTTP/1.1\r\nHost: " + host + "\r\n"
                    + (token != null ? "Authorization: Bearer " + token + "\r\n" : "")
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
