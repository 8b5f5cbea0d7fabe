package io.hiq.consumer.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Parses every file under {@code deploy/} (YAML documents, the Dockerfile, systemd units as INI
 * lines, XML and properties files) and checks that what they reference agrees: images, the HTTP port
 * given to {@code --http} versus published/container/service ports and probes, the Kafka and
 * PostgreSQL host names and ports versus the services that provide them, the topic, and that every
 * {@code HIQ_*} variable is one DESIGN B5 defines.
 */
class DeployFilesTest {
    /** The variables of DESIGN B5. */
    static final Set<String> B5 = Set.of("LMK", "LMK_PATH", "JACK", "HIQ_KAFKA_BOOTSTRAP", "HIQ_KAFKA_TOPIC", "HIQ_KAFKA_PROPS",
            "HIQ_OCI_STREAMING", "OCI_STM_END", "OCI_STM_OCID", "NO_JACK_LOG", "HIQ_HOME", "HIQ_CONF", "HIQ_MODE", "HIQ_METRICS",
            "HIQ_TREES_FILE", "HIQ_SHOW", "HIQ_SERVICE", "HIQ_STATUS_CACHED", "HIQ_RING_SIZE", "HIQ_BUFFER_SIZE",
            "HIQ_RING_POLICY", "HIQ_ASYNC", "HIQ_LMK_CONFIG", "TRACE_TYPE", "HIQ_PROMETHEUS_PORT", "LMK_FORMAT",
            "HIQ_FLUSH_TIMEOUT", "OCI_CONFIG_PROFILE", "HIQ_CONSUMER_TOKEN", "HIQ_CONSUMER_HOSTS", "HIQ_RETENTION");
    /** Variables of other software the deployment may set. */
    static final Set<String> THIRD_PARTY = Set.of("PGPASSFILE", "JAVA_TOOL_OPTIONS", "JAVA_OPTS");
    static final String IMAGE = "hiq-consumer:0.1.0";

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static Path deploy;
    private static final Map<Path, List<JsonNode>> yaml = new TreeMap<>();
    private static final Map<Path, Map<String, List<String[]>>> units = new TreeMap<>();
    private static final Map<Path, List<String[]>> dockerfiles = new TreeMap<>();

    @BeforeAll
    static void parseEverything() throws Exception {
        Path root = Path.of(System.getProperty("hiq.repo.root", ".."));
        deploy = root.resolve("deploy").normalize();
        assertThat(deploy).isDirectory();
        List<Path> files;
        try (Stream<Path> s = Files.walk(deploy)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        assertThat(files).isNotEmpty();
        for (Path f : files) {
            String name = f.getFileName().toString();
            if (name.endsWith(".yml") || name.endsWith(".yaml")) {
                List<JsonNode> docs = new ArrayList<>();
                try (Reader r = Files.newBufferedReader(f);
                     var it = YAML.readerFor(JsonNode.class).<JsonNode>readValues(r)) {
                    while (it.hasNext()) {
                        JsonNode d = it.next();
                        if (d != null && !d.isNull() && !d.isMissingNode()) docs.add(d);
                    }
                }
                assertThat(docs).as("YAML documents in %s", f).isNotEmpty();
                yaml.put(f, docs);
            } else if (name.endsWith(".service") || name.endsWith(".timer") || name.endsWith(".socket")) {
                units.put(f, ini(f));
            } else if (name.startsWith("Dockerfile")) {
                dockerfiles.put(f, dockerfile(f));
            } else if (name.endsWith(".xml")) {
                DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(f.toFile()); // well-formed
            } else if (name.endsWith(".properties") || name.endsWith(".env")) {
                try (Reader r = Files.newBufferedReader(f)) {
                    new Properties().load(r);
                }
            } else if (!name.endsWith(".md") && !name.endsWith(".txt")) {
                fail("deploy/ holds a file of an unknown kind (teach DeployFilesTest to parse it): " + f);
            }
        }
    }

    /** systemd unit syntax: sections, Key=Value lines, comments, blank lines, nothing else. */
    static Map<String, List<String[]>> ini(Path f) throws IOException {
        Map<String, List<String[]>> sections = new LinkedHashMap<>();
        List<String[]> current = null;
        int n = 0;
        for (String line : Files.readAllLines(f)) {
            n++;
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#") || t.startsWith(";")) continue;
            if (t.startsWith("[") && t.endsWith("]")) {
                current = sections.computeIfAbsent(t.substring(1, t.length() - 1), k -> new ArrayList<>());
                continue;
            }
            int eq = t.indexOf('=');
            if (current == null || eq <= 0) fail(f + ":" + n + ": not a systemd unit line: " + line);
            current.add(new String[] {t.substring(0, eq).strip(), t.substring(eq + 1).strip()});
        }
        return sections;
    }

    static List<String[]> dockerfile(Path f) throws IOException {
        List<String[]> out = new ArrayList<>();
        int n = 0;
        for (String line : Files.readAllLines(f)) {
            n++;
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#")) continue;
            Matcher m = Pattern.compile("([A-Z]+)\\s+(.*)").matcher(t);
            if (!m.matches()) fail(f + ":" + n + ": not a Dockerfile instruction: " + line);
            out.add(new String[] {m.group(1), m.group(2)});
        }
        return out;
    }

    private static JsonNode compose() {
        return yaml.entrySet().stream().filter(e -> e.getKey().getFileName().toString().startsWith("docker-compose"))
                .map(e -> e.getValue().get(0)).findFirst().orElseThrow(() -> new AssertionError("no docker-compose.yml"));
    }

    private static JsonNode k8s(String kind) {
        return yaml.values().stream().flatMap(List::stream).filter(d -> kind.equals(d.path("kind").asText()))
                .findFirst().orElseThrow(() -> new AssertionError("no Kubernetes " + kind));
    }

    private static List<String> strings(JsonNode arr) {
        List<String> out = new ArrayList<>();
        arr.forEach(x -> out.add(x.asText()));
        return out;
    }

    /** The value following {@code option} in an argument list, or null. */
    static String option(List<String> args, String option) {
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).equals(option) && i + 1 < args.size()) return args.get(i + 1);
            if (args.get(i).startsWith(option + "=")) return args.get(i).substring(option.length() + 1);
        }
        return null;
    }

    static int port(String hostPort) {
        return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
    }

    static void checkVariable(String where, String name) {
        if (name.startsWith("HIQ_") || B5.contains(name)) {
            assertThat(B5).as("%s: variable %s is not one of DESIGN B5", where, name).contains(name);
        } else {
            assertThat(THIRD_PARTY).as("%s: unexpected variable %s", where, name).contains(name);
        }
    }

    /** The consumer image's entry point arguments (after {@code java -jar …jar}). */
    private static List<String> entrypoint() throws Exception {
        List<String[]> df = dockerfiles.entrySet().stream().filter(e -> e.getKey().getFileName().toString().equals("Dockerfile.consumer"))
                .findFirst().orElseThrow().getValue();
        String ep = df.stream().filter(i -> i[0].equals("ENTRYPOINT")).findFirst().orElseThrow()[1];
        return strings(new ObjectMapper().readTree(ep));
    }

    @Test
    void consumerImageRunsTheServiceJar() throws Exception {
        List<String[]> df = dockerfiles.values().iterator().next();
        assertThat(df.get(0)[0]).isEqualTo("FROM");
        assertThat(df.get(0)[1]).startsWith("eclipse-temurin:17");
        assertThat(df).anySatisfy(i -> assertThat(i[0] + " " + i[1]).startsWith("COPY hiq-consumer/target/hiq-consumer.jar /opt/hiq/hiq-consumer.jar"));
        List<String> ep = entrypoint();
        assertThat(ep.subList(0, 3)).containsExactly("java", "-jar", "/opt/hiq/hiq-consumer.jar");
        int http = port(option(ep, "--http"));
        assertThat(df).anySatisfy(i -> assertThat(i[0] + " " + i[1]).isEqualTo("EXPOSE " + http));
        // a non-loopback bind: the service itself refuses to start without HIQ_CONSUMER_TOKEN
        assertThat(option(ep, "--http")).startsWith("0.0.0.0:");
        assertThat(ep).doesNotContain("--insecure-no-token");
        df.stream().filter(i -> i[0].equals("ENV")).forEach(i -> assertThat(i[1]).as("no token baked into the image").doesNotContain("TOKEN"));
        df.stream().filter(i -> i[0].equals("ENV")).forEach(i -> checkVariable("Dockerfile", i[1].split("[= ]")[0]));
        // the path COPY names is the one the build produces
        assertThat(deploy.resolveSibling("hiq-consumer").resolve("pom.xml")).exists();
    }

    @Test
    void composeWiresKafkaPostgresAndTwoConsumers() throws Exception {
        JsonNode services = compose().get("services");
        JsonNode kafka = services.get("kafka");
        assertThat(kafka.get("image").asText()).startsWith("apache/kafka:");
        assertThat(kafka.at("/environment/KAFKA_PROCESS_ROLES").asText()).isEqualTo("broker,controller");
        String advertised = kafka.at("/environment/KAFKA_ADVERTISED_LISTENERS").asText();
        JsonNode pg = services.get("postgres");
        assertThat(pg.get("image").asText()).startsWith("postgres:");
        int http = port(option(entrypoint(), "--http"));

        List<String> consumers = new ArrayList<>();
        services.fieldNames().forEachRemaining(n -> { if (IMAGE.equals(services.get(n).path("image").asText())) consumers.add(n); });
        assertThat(consumers).hasSize(2);
        Set<String> published = new java.util.HashSet<>();
        for (String name : consumers) {
            JsonNode c = services.get(name);
            JsonNode env = c.get("environment");
            env.fieldNames().forEachRemaining(v -> checkVariable("compose " + name, v));
            String bootstrap = env.get("HIQ_KAFKA_BOOTSTRAP").asText();
            assertThat(advertised).as("Kafka advertises what %s bootstraps from", name).contains("PLAINTEXT://" + bootstrap);
            assertThat(env.get("HIQ_KAFKA_TOPIC").asText()).isEqualTo("hiq");
            List<String> cmd = strings(c.get("command"));
            assertThat(option(cmd, "--http")).as("--http comes from the image").isNull();
            assertThat(option(cmd, "--group")).isEqualTo("hiq-consumer");
            String store = option(cmd, "--store");
            assertThat(store).startsWith("jdbc:postgresql://postgres:5432/" + pg.at("/environment/POSTGRES_DB").asText() + "?");
            assertThat(store).contains("user=" + pg.at("/environment/POSTGRES_USER").asText());
            assertThat(store.toLowerCase()).as("no password on a command line").doesNotContain("password");
            assertThat(cmd).doesNotContain("--insecure-no-token");
            // the image binds 0.0.0.0: compose must refuse to start without a token
            assertThat(env.get("HIQ_CONSUMER_TOKEN").asText()).startsWith("${HIQ_CONSUMER_TOKEN:?");
            String pgpass = env.get("PGPASSFILE").asText();
            assertThat(c.get("secrets")).as("%s mounts its pgpass secret", name).anySatisfy(x ->
                    assertThat(pgpass).isEqualTo("/run/secrets/" + x.asText()));
            String port = c.get("ports").get(0).asText();
            assertThat(port).as("published on loopback only").startsWith("127.0.0.1:").endsWith(":" + http);
            assertThat(published.add(port.split(":")[1])).as("host ports differ").isTrue();
            assertThat(c.at("/depends_on/kafka/condition").asText()).isEqualTo("service_healthy");
            assertThat(c.at("/depends_on/postgres/condition").asText()).isEqualTo("service_healthy");
        }
        // PostgreSQL's password comes from a secret file, never from the compose file or a command line
        assertThat(pg.at("/environment/POSTGRES_PASSWORD").isMissingNode()).as("no POSTGRES_PASSWORD value").isTrue();
        String pwFile = pg.at("/environment/POSTGRES_PASSWORD_FILE").asText();
        assertThat(pg.get("secrets")).anySatisfy(x -> assertThat(pwFile).isEqualTo("/run/secrets/" + x.asText()));
        JsonNode secrets = compose().get("secrets");
        secrets.fields().forEachRemaining(e -> assertThat(e.getValue().get("file").asText()).as("secret %s from a file", e.getKey())
                .startsWith("./secrets/"));
        for (JsonNode svc : services) {
            if (svc.has("secrets")) svc.get("secrets").forEach(x -> assertThat(secrets.has(x.asText())).as("declared secret %s", x).isTrue());
            String all = svc.toString().toLowerCase();
            assertThat(all).as("no password value in compose").doesNotContain("password=").doesNotContain("hiq-dev-only");
        }
        JsonNode build = services.get(consumers.get(0)).get("build");
        assertThat(deploy.resolve(build.get("context").asText()).resolve(build.get("dockerfile").asText()).normalize()).exists();
    }

    @Test
    void kubernetesDeploymentServiceAndConfigMapAgree() throws Exception {
        JsonNode cm = k8s("ConfigMap");
        JsonNode dep = k8s("Deployment");
        JsonNode svc = k8s("Service");
        cm.get("data").fieldNames().forEachRemaining(v -> checkVariable("ConfigMap", v));
        assertThat(cm.at("/data/HIQ_KAFKA_TOPIC").asText()).isEqualTo("hiq");

        assertThat(dep.at("/spec/replicas").asInt()).isGreaterThanOrEqualTo(2);
        JsonNode labels = dep.at("/spec/template/metadata/labels");
        dep.at("/spec/selector/matchLabels").fields().forEachRemaining(e ->
                assertThat(labels.get(e.getKey()).asText()).isEqualTo(e.getValue().asText()));
        svc.at("/spec/selector").fields().forEachRemaining(e ->
                assertThat(labels.get(e.getKey()).asText()).as("Service selects the pods").isEqualTo(e.getValue().asText()));

        JsonNode c = dep.at("/spec/template/spec/containers/0");
        assertThat(c.get("image").asText()).isEqualTo(IMAGE);
        List<String> args = strings(c.get("args"));
        assertThat(option(args, "--http")).as("--http comes from the image").isNull();
        assertThat(option(args, "--store")).startsWith("jdbc:postgresql://");
        int http = port(option(entrypoint(), "--http"));
        JsonNode cport = c.get("ports").get(0);
        assertThat(cport.get("containerPort").asInt()).isEqualTo(http);
        String portName = cport.get("name").asText();
        for (String probe : List.of("readinessProbe", "livenessProbe")) {
            assertThat(c.at("/" + probe + "/httpGet/path").asText()).as(probe).isEqualTo("/health");
            String p = c.at("/" + probe + "/httpGet/port").asText();
            assertThat(p.equals(portName) || p.equals(Integer.toString(http))).as("%s port %s", probe, p).isTrue();
        }
        JsonNode sp = svc.at("/spec/ports/0");
        String target = sp.get("targetPort").asText();
        assertThat(target.equals(portName) || target.equals(Integer.toString(http))).as("Service targetPort").isTrue();
        assertThat(c.at("/envFrom/0/configMapRef/name").asText()).isEqualTo(cm.at("/metadata/name").asText());
        c.get("env").forEach(e -> checkVariable("Deployment", e.get("name").asText()));
        // the pods listen on 0.0.0.0: the token is required, from the Secret, never optional
        JsonNode token = null;
        for (JsonNode e : c.get("env")) if (e.get("name").asText().equals("HIQ_CONSUMER_TOKEN")) token = e;
        assertThat(token).as("HIQ_CONSUMER_TOKEN in the Deployment").isNotNull();
        assertThat(token.has("value")).as("token not written in the manifest").isFalse();
        assertThat(token.at("/valueFrom/secretKeyRef/optional").asBoolean(false)).as("token Secret optional").isFalse();
        assertThat(args).doesNotContain("--insecure-no-token");
        assertThat(String.join(" ", args).toLowerCase()).doesNotContain("password");
        dep.at("/spec/template/spec/volumes").forEach(v -> {
            if (v.has("secret")) assertThat(v.at("/secret/optional").asBoolean(false)).as("secret volume optional").isFalse();
        });
        assertThat(cm.at("/data/HIQ_CONSUMER_HOSTS").asText()).contains(svc.at("/metadata/name").asText());
        // every mounted volume is declared
        Set<String> volumes = new java.util.HashSet<>();
        dep.at("/spec/template/spec/volumes").forEach(v -> volumes.add(v.get("name").asText()));
        c.get("volumeMounts").forEach(m -> assertThat(volumes).contains(m.get("name").asText()));
        assertThat(c.get("volumeMounts").findValuesAsText("mountPath")).contains(cm.at("/data/HIQ_HOME").asText());
    }

    @Test
    void systemdUnitRunsTheJarOnLoopback() {
        assertThat(units).isNotEmpty();
        units.forEach((f, sections) -> {
            assertThat(sections).containsKeys("Unit", "Service", "Install");
            Map<String, String> service = new LinkedHashMap<>();
            List<String> env = new ArrayList<>();
            for (String[] kv : sections.get("Service")) {
                if (kv[0].equals("Environment")) env.add(kv[1]);
                else service.put(kv[0], kv[1]);
            }
            List<String> exec = List.of(service.get("ExecStart").split("\\s+"));
            assertThat(exec.subList(0, 3)).as("%s ExecStart", f).containsExactly("/usr/bin/java", "-jar", "/opt/hiq/hiq-consumer.jar");
            assertThat(option(exec, "--http")).as("bound to loopback").startsWith("127.0.0.1:");
            for (String e : env) {
                String name = e.substring(0, e.indexOf('='));
                checkVariable(f.toString(), name);
                if (name.equals("HIQ_KAFKA_TOPIC")) assertThat(e).isEqualTo("HIQ_KAFKA_TOPIC=hiq");
                if (name.equals("HIQ_HOME")) assertThat(service.get("ReadWritePaths")).isEqualTo(e.substring(e.indexOf('=') + 1));
            }
            assertThat(service.get("SuccessExitStatus")).contains("143");
            assertThat(sections.get("Install")).anySatisfy(kv -> assertThat(kv[0]).isEqualTo("WantedBy"));
        });
    }
}
