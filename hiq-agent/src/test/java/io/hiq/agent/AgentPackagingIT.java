package io.hiq.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's packaging (issue 14, point 3): a core jar of at most 10 MB, the optional extension
 * jars beside it, a clear line naming a missing one, and nothing unpacked into {@code $HIQ_HOME}.
 */
class AgentPackagingIT {
    /** The bound of issue 14: 10 MB, read strictly as 10 000 000 bytes (not MiB). */
    static final long MAX_AGENT_BYTES = 10_000_000L;

    static final Path AGENT = Path.of(System.getProperty("hiq.agent.jar"));
    static final Path EXT = AGENT.getParent().resolve("ext");

    @TempDir static Path work;
    static ExternalProgram program;

    static final String HELLO = """
            package hello;
            public class Hello {
                static int square(int x) { return x * x; }
                static int sum(int n) { int s = 0; for (int i = 1; i <= n; i++) s += square(i); return s; }
                public static void main(String[] args) { System.out.println("hello " + sum(10)); System.exit(3); }
            }
            """;

    @BeforeAll
    static void build() throws Exception {
        program = new ExternalProgram(work.resolve("hello")).compile(Map.of("hello/Hello.java", HELLO));
        Files.writeString(work.resolve("hello.conf"), "hello, Hello, sum, sum\nhello, Hello, square, square\n");
    }

    @Test
    void theCoreAgentJarIsAtMostTenMegabytesAndCarriesNoOptionalLibrary() throws IOException {
        long size = Files.size(AGENT);
        assertThat(size).as("size of %s (issue 14: at most 10 MB; see docs/AGENT.md for what it carries)", AGENT)
                .isLessThanOrEqualTo(MAX_AGENT_BYTES);
        List<String> optional = new ArrayList<>();
        try (JarFile jar = new JarFile(AGENT.toFile())) {
            jar.stream().map(e -> e.getName())
                    .filter(n -> n.contains("com/oracle/bmc/") || n.contains("io/opentelemetry/") || n.contains("io/prometheus/")
                            || n.contains("jackson/databind/") || n.contains("org/apache/kafka/shaded/") || n.endsWith(".so")
                            || n.endsWith(".jar"))
                    .limit(5).forEach(optional::add);
        }
        assertThat(optional).as("entries of the core agent jar that belong to an extension jar, or nested jars").isEmpty();
        for (String ext : List.of("hiq-ext-oci.jar", "hiq-ext-otlp.jar", "hiq-ext-prometheus.jar")) {
            assertThat(EXT.resolve(ext)).as("extension jar built beside the agent").isRegularFile();
        }
    }

    @Test
    void lmkAndJackRunFromTheAgentJarWithoutUnpackingAnything() throws Exception {
        Path home = Files.createTempDirectory(work, "home");
        ExternalProgram.Result r = run(Map.of("HIQ_HOME", home.toString(), "LMK", "1", "JACK", "1", "NO_JACK_LOG", "1",
                "HIQ_KAFKA_BOOTSTRAP", "127.0.0.1:" + freePort(), "HIQ_FLUSH_TIMEOUT", "1"));
        assertThat(r.stdout()).as("the program's own output, unchanged").isEqualTo("hello 385\n");
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.stderr()).as("LMK's lines (stderr by default)").contains("[square]").doesNotContain("needs the extension jar");
        assertThat(r.stderr()).as("the Kafka producer is created from the trimmed kafka-clients (only the broker is missing)")
                .doesNotContain("Kafka publisher:").doesNotContain("NoClassDefFoundError").doesNotContain("failed to start");
        try (Stream<Path> s = Files.list(home)) {
            assertThat(s.map(p -> p.getFileName().toString()).toList())
                    .as("HIQ_HOME holds Jack's spool, never unpacked libraries").doesNotContain("agent");
        }
    }

    @Test
    void asyncTracingFindsEveryByteBuddyClassItNeedsInTheMinimizedJar() throws Exception {
        // HIQ_ASYNC weaves the JDK's executors (bootstrap classes, retransformed): what minimizeJar
        // keeps of ByteBuddy (its ASM) must be enough for it
        ExternalProgram.Result r = run(Map.of("HIQ_HOME", Files.createTempDirectory(work, "home").toString(), "HIQ_ASYNC", "1"));
        assertThat(r.stdout()).isEqualTo("hello 385\n");
        assertThat(r.stderr()).as("stderr with HIQ_ASYNC=1").doesNotContain("HIQ_ASYNC").doesNotContain("NoClassDefFoundError")
                .doesNotContain("Exception");
    }

    @Test
    void aSettingThatNeedsAMissingExtensionJarNamesItAndTheProgramRunsOn() throws Exception {
        Path emptyExt = Files.createTempDirectory(work, "no-ext");
        Map<String, Map<String, String>> cases = Map.of(
                "hiq-ext-oci.jar", Map.of("JACK", "1", "NO_JACK_LOG", "1", "HIQ_OCI_STREAMING", "1",
                        "OCI_STM_END", "https://127.0.0.1:1", "OCI_STM_OCID", "ocid1.stream.oc1..x"),
                "hiq-ext-otlp.jar", Map.of("HIQ_OTLP_ENDPOINT", "http://127.0.0.1:" + freePort()),
                "hiq-ext-prometheus.jar", Map.of("TRACE_TYPE", "prometheus", "HIQ_PROMETHEUS_PORT", String.valueOf(freePort())));
        for (Map.Entry<String, Map<String, String>> c : cases.entrySet()) {
            Map<String, String> env = new HashMap<>(c.getValue());
            env.put("HIQ_HOME", Files.createTempDirectory(work, "home").toString());
            env.put("HIQ_EXT_DIR", emptyExt.toString());
            env.put("HIQ_FLUSH_TIMEOUT", "1");
            ExternalProgram.Result r = run(env);
            assertThat(r.stdout()).as("output with %s missing", c.getKey()).isEqualTo("hello 385\n");
            assertThat(r.exitCode()).as("exit code with %s missing", c.getKey()).isEqualTo(3);
            List<String> lines = r.stderr().lines().filter(l -> l.contains("needs the extension jar")).toList();
            assertThat(lines).as("stderr with %s missing:%n%s", c.getKey(), r.stderr()).hasSize(1);
            assertThat(lines.get(0)).startsWith("hiq: ").contains(c.getKey()).contains(emptyExt.toString()).contains("HIQ_EXT_DIR");
            assertThat(r.stderr()).as("no stack trace, every other extension started, with %s missing", c.getKey())
                    .doesNotContain("\tat ").doesNotContain("Exception in thread").doesNotContain("failed to start");
        }
    }

    @Test
    void theExtensionJarsBesideTheAgentLoadInItsClassLoader() throws Exception {
        try (ExtensionClassLoader loader = ExtensionClassLoader.open(AGENT, EXT, getClass().getClassLoader())) {
            assertThat(loader.libraryRoots()).as("libraries stored in the agent jar")
                    .contains(ExtensionClassLoader.LIB_PREFIX + "kafka-clients/", ExtensionClassLoader.LIB_PREFIX + "logback-classic/");
            for (String name : List.of("com.oracle.bmc.streaming.StreamClient", "io.hiq.export.otel.OtlpExtension",
                    "io.hiq.export.prometheus.PrometheusExtension", "org.apache.kafka.clients.producer.KafkaProducer",
                    "io.hiq.jack.oci.OciStreamingPublisher")) {
                Class<?> c = Class.forName(name, false, loader);
                assertThat(c.getClassLoader()).as("loader of %s", name).isSameAs(loader);
            }
            List<String> extensions = new ArrayList<>();
            for (io.hiq.core.spi.HiQExtension e : ServiceLoader.load(io.hiq.core.spi.HiQExtension.class, loader)) extensions.add(e.name());
            assertThat(extensions).as("extensions found by the runtime's ServiceLoader").contains("lmk", "jack", "otlp", "prometheus");
            java.net.URL logback = loader.getResource("logback.xml");
            assertThat(logback).as("the agent's own logback.xml").isNotNull();
            assertThat(logback.toString()).contains(ExtensionClassLoader.LIB_PREFIX + "conf/");
        }
    }

    @Test
    void withTheOtlpJarPresentTreesAreExportedToTheEndpoint() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        AtomicInteger posts = new AtomicInteger();
        server.createContext("/v1/traces", ex -> {
            ex.getRequestBody().readAllBytes();
            posts.incrementAndGet();
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        server.start();
        try {
            ExternalProgram.Result r = run(Map.of("HIQ_HOME", Files.createTempDirectory(work, "home").toString(),
                    "HIQ_OTLP_ENDPOINT", "http://127.0.0.1:" + server.getAddress().getPort(), "HIQ_FLUSH_TIMEOUT", "20"));
            assertThat(r.stdout()).isEqualTo("hello 385\n");
            assertThat(r.stderr()).doesNotContain("needs the extension jar").doesNotContain("failed to start");
            assertThat(posts.get()).as("OTLP exports received before the program ended; stderr:%n%s", r.stderr()).isPositive();
        } finally {
            server.stop(0);
        }
    }

    @Test
    void beforeMainTheAgentLoadsNeitherByteBuddyBeyondItsAsmNorTheRing() throws Exception {
        // the start-up budget (issue 14: at most 200 ms added to main) rests on these: ByteBuddy's
        // Advice and type pool were ~500 classes run interpreted before main, the ring a 16 MB
        // allocation and a young collection (docs/PERFORMANCE.md section 15). Counted, not timed.
        Path log = Files.createTempFile(work, "classes", ".log");
        ExternalProgram.Result r = ExternalProgram.run(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xlog:class+load=info:file=" + log, "-javaagent:" + AGENT + "=conf=" + work.resolve("hello.conf"),
                "-cp", program.classes().toString(), "hello.Hello"), Map.of("HIQ_HOME", Files.createTempDirectory(work, "home").toString()), work);
        assertThat(r.stdout()).isEqualTo("hello 385\n");
        List<String> loaded = Files.readAllLines(log).stream().map(l -> l.substring(l.lastIndexOf("] ") + 2)) // after the decorations
                .map(l -> l.split(" ", 2)[0]).toList();
        int main = loaded.indexOf("hello.Hello");
        assertThat(main).as("hello.Hello in the class-load log").isPositive();
        List<String> beforeMain = loaded.subList(0, main);
        assertThat(beforeMain.stream().filter(c -> c.startsWith("io.hiq.shaded.bb.") && !c.startsWith("io.hiq.shaded.bb.jar.asm.")))
                .as("ByteBuddy classes beyond its ASM loaded before main").isEmpty();
        assertThat(beforeMain.stream().filter(c -> c.startsWith("io.hiq.shaded.disruptor.dsl.")))
                .as("the Disruptor built before main (the ring starts at the first published batch)").isEmpty();
        assertThat(loaded).as("the hello world was traced: the ring was built after all").contains("io.hiq.shaded.disruptor.dsl.Disruptor");
    }

    private static ExternalProgram.Result run(Map<String, String> env) throws Exception {
        return ExternalProgram.run(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-javaagent:" + AGENT + "=conf=" + work.resolve("hello.conf"),
                "-cp", program.classes().toString(), "hello.Hello"), env, work);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
