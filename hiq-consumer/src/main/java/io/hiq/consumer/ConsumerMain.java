package io.hiq.consumer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import io.hiq.consumer.http.ExposureGuard;
import io.hiq.consumer.http.HostCheck;

/**
 * {@code bin/hiq consumer} / {@code java -jar hiq-consumer.jar}: the analytics consumer service of
 * docs/ARCHITECTURE.md §3 and §6. Options default from the environment variables ({@code HIQ_KAFKA_BOOTSTRAP},
 * {@code HIQ_KAFKA_TOPIC}, {@code HIQ_KAFKA_PROPS}, {@code HIQ_HOME}, {@code HIQ_CONSUMER_TOKEN}).
 * Runs until SIGTERM or Ctrl-C, then leaves the group and closes the store cleanly.
 */
@Command(name = "hiq consumer", mixinStandardHelpOptions = true, version = "hiq-consumer 0.1.0",
        description = "The HiQ analytics consumer service: Kafka trees -> store -> HTTP API and web UI.")
public final class ConsumerMain implements Callable<Integer> {
    @Option(names = "--bootstrap", paramLabel = "HOST:PORT",
            description = "Kafka bootstrap servers (default: $HIQ_KAFKA_BOOTSTRAP or 127.0.0.1:9092)")
    String bootstrap;

    @Option(names = "--topic", description = "topic of the trees (default: $HIQ_KAFKA_TOPIC or hiq)")
    String topic;

    @Option(names = "--group", defaultValue = "hiq-consumer", description = "consumer group (default: ${DEFAULT-VALUE})")
    String group;

    @Option(names = "--http", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:8080",
            description = "HTTP bind address (default: ${DEFAULT-VALUE}; port 0 = any free port)")
    String http;

    @Option(names = "--insecure-no-token",
            description = "serve a non-loopback --http address without HIQ_CONSUMER_TOKEN (anyone who reaches the port reads every tree)")
    boolean insecureNoToken;

    @Option(names = "--store", paramLabel = "JDBC_URL",
            description = "store: jdbc:sqlite:…, jdbc:h2:file:… or jdbc:postgresql://… (default: SQLite file $HIQ_HOME/consumer/store.db)")
    String store;

    /** Resolves the options and the environment into settings. */
    ConsumerSettings settings() throws IOException {
        Path home = Env.home();
        int colon = http.lastIndexOf(':');
        if (colon <= 0) throw new CommandLine.ParameterException(new CommandLine(this), "--http: expected HOST:PORT, not '" + http + "'");
        int port;
        try {
            port = Integer.parseInt(http.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--http: bad port in '" + http + "'");
        }
        String host = http.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        return new ConsumerSettings(
                bootstrap != null ? bootstrap : Env.get("HIQ_KAFKA_BOOTSTRAP", "127.0.0.1:9092"),
                topic != null ? topic : Env.get("HIQ_KAFKA_TOPIC", "hiq"),
                group, host, port,
                store != null ? store : ConsumerSettings.defaultStoreUrl(home),
                home, Env.get("HIQ_CONSUMER_TOKEN", null), kafkaProps(),
                HostCheck.parseAllowList(Env.get(HostCheck.VARIABLE, null)));
    }

    private static Map<String, String> kafkaProps() throws IOException {
        String file = Env.get("HIQ_KAFKA_PROPS", null);
        Map<String, String> out = new LinkedHashMap<>();
        if (file == null) return out;
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(Path.of(file))) {
            p.load(in);
        } catch (IOException e) {
            throw new IOException("HIQ_KAFKA_PROPS: cannot read " + file + ": " + e.getMessage(), e);
        }
        p.stringPropertyNames().forEach(k -> out.put(k, p.getProperty(k)));
        return out;
    }

    @Override
    public Integer call() throws Exception {
        ConsumerSettings s;
        try {
            s = settings();
        } catch (IOException e) {
            System.err.println("hiq consumer: " + e.getMessage());
            return 2;
        }
        String refusal = ExposureGuard.refusal(s.httpHost(), s.token(), insecureNoToken);
        if (refusal != null) {
            System.err.println("hiq consumer: " + refusal);
            return 2;
        }
        if (insecureNoToken && s.token() == null && !ExposureGuard.loopback(s.httpHost())) {
            System.err.println("hiq consumer: WARNING: --insecure-no-token: every tree on http://" + s.httpHost() + ":" + s.httpPort()
                    + "/ is readable by anyone who reaches it");
        }
        ConsumerService service = new ConsumerService(s);
        try {
            service.start();
        } catch (Exception e) {
            System.err.println("hiq consumer: cannot start: " + e.getMessage());
            service.close();
            return 1;
        }
        System.err.println("hiq consumer: serving http://" + s.httpHost() + ":" + service.httpPort() + "/ (topic " + s.topic()
                + ", group " + s.group() + ", bootstrap " + s.bootstrap() + ")");
        Thread hook = new Thread(() -> {
            try {
                service.close();
            } catch (Exception e) {
                System.err.println("hiq consumer: shutdown: " + e);
            }
        }, "hiq-consumer-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        service.awaitTermination();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
            // the ingest thread died on its own (a fatal Kafka error): release everything, exit non-zero
            service.close();
            return 1;
        } catch (IllegalStateException shuttingDown) {
            return 0; // normal path: the hook is stopping the service
        }
    }

    public static void main(String[] args) {
        int code = new CommandLine(new ConsumerMain()).execute(args);
        if (code != 0) System.exit(code);
    }
}
