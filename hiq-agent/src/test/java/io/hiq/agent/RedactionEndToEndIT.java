package io.hiq.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13's acceptance for redaction: a traced program (agent mode, {@code bin/hiq run}) calls
 * traced methods with every secret-shaped argument, attaches secrets as extras and throws an
 * exception whose message holds one, with every output on: LMK to a file, the trees file, Jack to
 * a real broker (topic, jack log) and, in a second run against an unreachable broker, to the
 * spool; OTLP to a receiver run by this test; Prometheus scraped while the program waits. Then
 * every byte the runs produced -- every file under the test's directory (HIQ_HOMEs, broker and
 * consumer data, logs, the captured OTLP bodies and the scrape), every record of the topic and
 * the consumer service's HTTP responses -- is searched for each secret, raw and base64-, URL- and
 * JSON-encoded. A harmless allow-listed canary must be found in every channel, so the search is
 * shown to see what it searches.
 *
 * <p>Checked to fail: with {@code SecretValues.mask} made to return its input (by hand, not
 * committed), this test reports the ten secrets that only shape rules catch (url, header, basic,
 * headers map, DTO, query, PEM, opaque key, extra header text, exception message) in every channel:
 * trees file, LMK file, both jack logs, the spool, the topic's records and log segments, the
 * consumer's store file (H2 then; SQLite, with its WAL, now) and HTTP answers, and the OTLP bodies.
 */
class RedactionEndToEndIT {
    static final String CANARY = "Canary-visible-E2E7";
    static final String BASIC_CREDS = Base64.getEncoder().encodeToString("alice:BasicPw9e2e".getBytes(StandardCharsets.UTF_8));
    static final String JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJKd3RTdWJqZWN0RTJFIn0.Jwtsig5E2EsignatureBytes";

    /** Each secret (left) and the Java expression the program passes; secrets that are parts of an argument are listed too. */
    static final Map<String, String> SECRETS = new LinkedHashMap<>();
    static {
        SECRETS.put("Hunter2pwE2E", "password");
        SECRETS.put("Urlpass77E2E", "url");
        SECRETS.put("Bearertok3nE2E", "header");
        SECRETS.put("BasicPw9e2e", "basic (base64 inside)");
        SECRETS.put(BASIC_CREDS, "basic");
        SECRETS.put("Mapsecret9E2E", "headers map");
        SECRETS.put("Dtopass42E2E", "DTO toString");
        SECRETS.put(JWT, "jwt");
        SECRETS.put("Jwtsig5E2EsignatureBytes", "jwt signature");
        SECRETS.put("Qspass11E2E", "query string");
        SECRETS.put("MIIEvQIBADANBgkqhkiG9w0BAQEFAASCe2e", "PEM body");
        SECRETS.put("AKIAIOSFODNN7E2EXAMPLE99", "opaque key");
        SECRETS.put("Pin4812E2E", "char[] pin");
        SECRETS.put("StrarrSecret7E2E", "String[] element");
        SECRETS.put("Extrapw55E2E", "extra under a secret key");
        SECRETS.put("Extrahdr88E2E", "extra header text");
        SECRETS.put("Extradto31E2E", "extra DTO");
        SECRETS.put("Exmsgpw66E2E", "exception message");
    }

    static final String APP = """
            package sec;
            import java.nio.file.*;
            import java.util.Map;
            public class App {
                public record Login(String user, String password) {}
                static final String PEM = "-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCe2e\\n-----END PRIVATE KEY-----";
                public static void main(String[] args) throws Exception {
                    for (int i = 0; i < 3; i++) run(i);
                    System.out.println("done");
                    Path stop = Path.of(args[0]);
                    long end = System.nanoTime() + 120_000_000_000L; // waits for the test's scrape, at most 2 min
                    while (args.length > 1 && !Files.exists(stop) && System.nanoTime() < end) Thread.sleep(50);
                }
                static void extra(String k, Object v) throws Exception {
                    Class.forName("io.hiq.HiQ").getMethod("extra", String.class, Object.class).invoke(null, k, v);
                }
                static void run(int i) throws Exception {
                    extra("password", "Extrapw55E2E");
                    extra("header", "Authorization: Bearer Extrahdr88E2E");
                    extra("login", new Login("bob", "Extradto31E2E"));
                    extra("customer", "%1$s");
                    Object[] a = {"Hunter2pwE2E", "https://app:Urlpass77E2E@db.example/x", "Authorization: Bearer Bearertok3nE2E",
                        "Authorization: Basic %2$s", Map.of("Cookie", "Mapsecret9E2E"), new Login("bob", "Dtopass42E2E"),
                        "%3$s", "a=1&password=Qspass11E2E", PEM, "AKIAIOSFODNN7E2EXAMPLE99", "Pin4812E2E".toCharArray(),
                        new String[] {"x", "StrarrSecret7E2E"}, i, "%1$s"};
                    allowed((String) a[0], (String) a[1], (String) a[2], (String) a[3], (Map<String, String>) a[4], (Login) a[5],
                        (String) a[6], (String) a[7], (String) a[8], (String) a[9], (char[]) a[10], (String[]) a[11], (int) a[12], (String) a[13]);
                    denied((String) a[0], (String) a[1], (String) a[2], (String) a[3], (Map<String, String>) a[4], (Login) a[5],
                        (String) a[6], (String) a[7], (String) a[8], (String) a[9], (char[]) a[10], (String[]) a[11], (int) a[12], (String) a[13]);
                    try { fail(); } catch (IllegalStateException expected) { }
                }
                static int allowed(String password, String url, String header, String basic, Map<String, String> headers, Login login,
                                   String jwt, String query, String pem, String ref, char[] pin, String[] list, int count, String shown) {
                    return count;
                }
                static int denied(String password, String url, String header, String basic, Map<String, String> headers, Login login,
                                  String jwt, String query, String pem, String ref, char[] pin, String[] list, int count, String shown) {
                    return count;
                }
                static void fail() { throw new IllegalStateException("login failed: password=Exmsgpw66E2E"); }
            }
            """.formatted(CANARY, BASIC_CREDS, JWT);

    /** Every parameter but {@code list} allow-listed (a secret-named one stays masked): value patterns alone must catch the rest. */
    static final String CONF = """
            sec, App, run, run
            sec, App, allowed, allowed, "args(password,url,header,basic,headers,login,jwt,query,pem,ref,pin,count,shown)"
            sec, App, denied, denied, args
            sec, App, fail, fail
            """;

    @TempDir Path work;
    final List<Process> processes = new ArrayList<>();
    final HttpClient http = HttpClient.newHttpClient();
    HttpServer otlp;

    @AfterEach
    void stop() throws InterruptedException {
        for (Process p : processes) p.destroy();
        for (Process p : processes) p.waitFor();
        if (otlp != null) otlp.stop(0);
    }

    Process start(List<String> command, Map<String, String> env, String log) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(work.toFile())
                .redirectErrorStream(true).redirectOutput(work.resolve(log).toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("HIQ_") || k.equals("LMK") || k.equals("JACK") || k.equals("TRACE_TYPE"));
        pb.environment().putAll(env);
        Process p = pb.start();
        processes.add(p);
        return p;
    }

    String get(String url) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() == 200 ? r.body() : null;
    }

    @Test
    void noSecretValueInAnyFileTopicRecordOrHttpResponse() throws Exception {
        assertThat(PipelineEndToEndIT.CONSUMER_JAR).exists();
        int kafkaPort = PipelineEndToEndIT.freePort();
        int httpPort = PipelineEndToEndIT.freePort();
        int promPort = PipelineEndToEndIT.freePort();
        String topic = "hiq-redact";
        Path otlpDir = Files.createDirectories(work.resolve("otlp"));
        AtomicInteger otlpBodies = new AtomicInteger();
        otlp = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        otlp.createContext("/", ex -> {
            try (InputStream in = ex.getRequestBody()) {
                Files.write(otlpDir.resolve("body-" + otlpBodies.incrementAndGet() + ".bin"), in.readAllBytes());
            }
            ex.getResponseHeaders().set("Content-Type", "application/x-protobuf");
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        otlp.start();

        start(List.of(AgentIT.BIN_HIQ.toString(), "broker", "--port", "" + kafkaPort, "--dir", work.resolve("kafka").toString()),
                Map.of("HIQ_HOME", work.resolve("broker-home").toString()), "broker.log");
        await("the broker's port to accept connections").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).until(() -> {
            try (Socket ignored = new Socket(InetAddress.getLoopbackAddress(), kafkaPort)) {
                return true;
            } catch (IOException e) {
                return false;
            }
        });
        start(List.of(ExternalProgram.java(), "-jar", PipelineEndToEndIT.CONSUMER_JAR.toString(), "--bootstrap", "127.0.0.1:" + kafkaPort,
                "--topic", topic, "--http", "127.0.0.1:" + httpPort), Map.of("HIQ_HOME", work.resolve("consumer-home").toString()), "consumer.log");
        String base = "http://127.0.0.1:" + httpPort;
        await("the consumer's /health to say UP").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() -> {
            try {
                String h = get(base + "/health");
                return h != null && h.contains("\"UP\"");
            } catch (IOException e) {
                return false;
            }
        });

        ExternalProgram app = new ExternalProgram(work.resolve("app")).compile(Map.of("sec/App.java", APP));
        Path conf = work.resolve("sec.conf");
        Files.writeString(conf, CONF);

        // run 1: every output on, Jack to the real broker; the program waits for the scrape
        Path stopFile = work.resolve("stop");
        Process run1 = start(List.of(AgentIT.BIN_HIQ.toString(), "run", "--conf", conf.toString(), "--mode", "verbose",
                        "--trees", work.resolve("trees.jsonl").toString(), "--", "-cp", app.classes().toString(), "sec.App",
                        stopFile.toString(), "wait"),
                Map.ofEntries(Map.entry("HIQ_HOME", work.resolve("home1").toString()), Map.entry("LMK", "1"),
                        Map.entry("LMK_PATH", work.resolve("lmk.log").toString()), Map.entry("JACK", "1"),
                        Map.entry("HIQ_KAFKA_BOOTSTRAP", "127.0.0.1:" + kafkaPort), Map.entry("HIQ_KAFKA_TOPIC", topic),
                        Map.entry("HIQ_SERVICE", "redact-e2e"), Map.entry("TRACE_TYPE", "prometheus"),
                        Map.entry("HIQ_PROMETHEUS_PORT", "" + promPort),
                        Map.entry("HIQ_OTLP_ENDPOINT", "http://127.0.0.1:" + otlp.getAddress().getPort()),
                        Map.entry("HIQ_RING_POLICY", "block")),
                "run1.out");
        String promUrl = "http://127.0.0.1:" + promPort + "/metrics";
        await("Prometheus /metrics of the traced program to show the run tag").atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(500)).until(() -> {
                    try {
                        String m = get(promUrl);
                        return m != null && m.contains("allowed");
                    } catch (IOException e) {
                        return false;
                    }
                });
        Files.writeString(work.resolve("prometheus-scrape.txt"), get(promUrl));
        Files.writeString(stopFile, "");
        assertThat(run1.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)).as("run 1 ends").isTrue();
        assertThat(run1.exitValue()).as(Files.readString(work.resolve("run1.out"))).isZero();

        // run 2: Jack to a port nobody listens on, so its trees stay in the spool
        ExternalProgram.Result run2 = ExternalProgram.run(List.of(AgentIT.BIN_HIQ.toString(), "run", "--conf", conf.toString(),
                        "--mode", "verbose", "--", "-cp", app.classes().toString(), "sec.App", stopFile.toString()),
                Map.of("HIQ_HOME", work.resolve("home2").toString(), "JACK", "1", "HIQ_KAFKA_BOOTSTRAP", "127.0.0.1:9",
                        "HIQ_FLUSH_TIMEOUT", "1", "HIQ_RING_POLICY", "block"), work);
        assertThat(run2.exitCode()).as(run2.stderr()).isZero();

        // every record of the topic, raw
        List<byte[]> records = new ArrayList<>();
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + kafkaPort);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "redact-check");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(topic));
            await("the topic to hold the 3 trees of run 1").atMost(Duration.ofSeconds(60)).until(() -> {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
                    records.add(r.value());
                    if (r.key() != null) records.add(r.key());
                    r.headers().forEach(h -> records.add(h.value()));
                }
                return records.stream().filter(v -> new String(v, StandardCharsets.UTF_8).contains("\"allowed\"")).count() >= 3;
            });
        }
        // the consumer service's answers
        await("the consumer to store the 3 trees").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    String t = get(base + "/api/trees?limit=100&service=redact-e2e");
                    return t != null && t.contains("\"total\":3");
                });
        List<String> responses = new ArrayList<>();
        String list = get(base + "/api/trees?limit=100&service=redact-e2e");
        responses.add(list);
        java.util.regex.Matcher ids = java.util.regex.Pattern.compile("\"id\":\"([0-9a-f]+)\"").matcher(list);
        int trees = 0;
        while (ids.find()) {
            responses.add(get(base + "/api/trees/" + ids.group(1)));
            responses.add(get(base + "/api/trees/" + ids.group(1) + "/text"));
            trees++;
        }
        assertThat(trees).isEqualTo(3);
        responses.add(get(base + "/api/stats?service=redact-e2e"));
        responses.add(get(base + "/api/stats/series?service=redact-e2e&tag=allowed"));
        assertThat(responses).doesNotContainNull();

        // the canary is seen in every channel: the search sees what it searches
        Map<String, byte[]> channels = new LinkedHashMap<>();
        channels.put("trees file", Files.readAllBytes(work.resolve("trees.jsonl")));
        channels.put("LMK file", Files.readAllBytes(work.resolve("lmk.log")));
        channels.put("jack log", Files.readAllBytes(work.resolve("home1/log_jack.log")));
        channels.put("spool of run 2", concat(files(work.resolve("home2/spool"))));
        channels.put("topic records", concat(records));
        channels.put("consumer HTTP", String.join("\n", responses).getBytes(StandardCharsets.UTF_8));
        channels.put("OTLP bodies", concat(files(otlpDir)));
        for (Map.Entry<String, byte[]> ch : channels.entrySet()) {
            assertThat(ch.getValue().length).as(ch.getKey() + " is not empty").isPositive();
            assertThat(indexOf(ch.getValue(), CANARY.getBytes(StandardCharsets.UTF_8))).as("canary in " + ch.getKey()).isNotNegative();
        }

        // no secret anywhere: every file the runs produced (not the program's own sources and classes), every record, every response
        Map<String, String> everything = new LinkedHashMap<>();
        try (Stream<Path> all = Files.walk(work)) {
            for (Path f : all.filter(Files::isRegularFile).toList()) {
                if (f.startsWith(work.resolve("app"))) continue; // the program's source and classes hold the secrets by definition
                everything.put(work.relativize(f).toString(), latin1(Files.readAllBytes(f)));
            }
        }
        assertThat(everything).containsKeys("trees.jsonl", "lmk.log", "prometheus-scrape.txt");
        for (int i = 0; i < records.size(); i++) everything.put("topic record " + i, latin1(records.get(i)));
        everything.put("consumer HTTP", latin1(String.join("\n", responses).getBytes(StandardCharsets.UTF_8)));
        List<String> leaks = new ArrayList<>();
        for (String secret : SECRETS.keySet()) {
            for (Map.Entry<String, byte[]> form : forms(secret).entrySet()) {
                for (Map.Entry<String, String> e : everything.entrySet()) {
                    if (indexOf(e.getValue(), form.getValue()) >= 0) leaks.add(SECRETS.get(secret) + " (" + form.getKey() + ") in " + e.getKey());
                }
            }
        }
        assertThat(leaks).as("secrets found").isEmpty();
        // the check itself finds a known value in its encoded forms where they occur: the canary, raw, in the trees file
        assertThat(leaksOf(CANARY, everything)).contains("raw in trees.jsonl");
    }

    static List<String> leaksOf(String value, Map<String, String> everything) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, byte[]> form : forms(value).entrySet()) {
            for (Map.Entry<String, String> e : everything.entrySet()) {
                if (indexOf(e.getValue(), form.getValue()) >= 0) out.add(form.getKey() + " in " + e.getKey());
            }
        }
        return out;
    }

    /**
     * The byte sequences that betray {@code secret}: raw (UTF-8), JSON-escaped, URL-encoded, and the
     * part of its base64 (standard and URL-safe) that does not depend on where in a longer base64
     * text it starts (three alignments).
     */
    static Map<String, byte[]> forms(String secret) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        out.put("raw", secret.getBytes(StandardCharsets.UTF_8));
        out.put("json-escaped", secret.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n").getBytes(StandardCharsets.UTF_8));
        out.put("url-encoded", URLEncoder.encode(secret, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8));
        byte[] raw = secret.getBytes(StandardCharsets.UTF_8);
        for (int shift = 0; shift < 3; shift++) {
            byte[] shifted = new byte[shift + raw.length];
            System.arraycopy(raw, 0, shifted, shift, raw.length);
            for (boolean urlSafe : new boolean[] {false, true}) {
                String b64 = (urlSafe ? Base64.getUrlEncoder() : Base64.getEncoder()).withoutPadding().encodeToString(shifted);
                // skip the chars that mix prefix bytes in, and the last (partial) group
                String core = b64.substring(shift == 0 ? 0 : 4, Math.max(shift == 0 ? 0 : 4, b64.length() - 4));
                if (core.length() >= 8) out.put("base64" + (urlSafe ? "url" : "") + "@" + shift, core.getBytes(StandardCharsets.US_ASCII));
            }
        }
        return out;
    }

    static List<byte[]> files(Path dir) throws IOException {
        List<byte[]> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) return out;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path f : s.filter(Files::isRegularFile).toList()) out.add(Files.readAllBytes(f));
        }
        return out;
    }

    static byte[] concat(List<byte[]> parts) {
        int n = 0;
        for (byte[] b : parts) n += b.length + 1;
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] b : parts) {
            System.arraycopy(b, 0, out, at, b.length);
            at += b.length + 1;
        }
        return out;
    }

    /**
     * Byte search through ISO-8859-1, which maps each byte to one char: String.indexOf is vectorised,
     * which matters over a broker's preallocated index files.
     */
    static int indexOf(byte[] hay, byte[] needle) {
        return latin1(hay).indexOf(latin1(needle));
    }

    static int indexOf(String hay, byte[] needle) {
        return hay.indexOf(latin1(needle));
    }

    static String latin1(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }
}
