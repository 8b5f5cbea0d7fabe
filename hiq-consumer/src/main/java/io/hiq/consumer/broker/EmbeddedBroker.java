package io.hiq.consumer.broker;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * A single-node Kafka broker in this JVM, in KRaft mode (one process that is both broker and
 * controller), for development and the demo: bound to 127.0.0.1, every replication factor 1, no
 * initial rebalance delay, topics auto-created with {@code partitions} partitions. Storage under
 * {@code dir} is formatted on first start (through {@code StorageTool.execute}, which, unlike its
 * {@code main}, never exits the JVM) and reused afterwards, so data survives restarts.
 *
 * <p>Needs {@code kafka_2.13} and {@code kafka-server} on the class path: they are not in the
 * service's jar but in {@code hiq-consumer/target/broker-lib/}.
 */
public final class EmbeddedBroker implements AutoCloseable {
    private final Path dir;
    private final int requestedPort;
    private final int partitions;
    private KafkaRaftServer server;
    private int port;

    /**
     * @param port       client port on 127.0.0.1; 0 picks a free one
     * @param dir        data directory (created when missing)
     * @param partitions partitions of auto-created topics
     */
    public EmbeddedBroker(int port, Path dir, int partitions) {
        this.requestedPort = port;
        this.dir = dir;
        this.partitions = partitions;
    }

    /** Formats storage when needed and starts the broker; returns this. */
    public synchronized EmbeddedBroker start() throws IOException {
        if (server != null) return this;
        Files.createDirectories(dir);
        port = requestedPort == 0 ? freePort() : requestedPort;
        int controllerPort = freePort();
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", dir.resolve("data").toAbsolutePath().toString());
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "10");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("num.partitions", Integer.toString(partitions));
        p.put("auto.create.topics.enable", "true");
        Path config = dir.resolve("server.properties");
        try (OutputStream out = Files.newOutputStream(config)) {
            p.store(out, "written by hiq broker on each start");
        }
        // formatted once: a second format would stamp a new cluster id the existing data refuses
        if (!Files.exists(dir.resolve("data").resolve("meta.properties"))) format(config);
        server = new KafkaRaftServer(KafkaConfig.fromProps(p, false), Time.SYSTEM);
        server.startup();
        return this;
    }

    private void format(Path config) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int rc;
        try (PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
            rc = StorageTool.execute(new String[] {"format", "--cluster-id", Uuid.randomUuid().toString(),
                    "--config", config.toString(), "--ignore-formatted"}, out);
        } catch (RuntimeException e) {
            throw new IOException("cannot format Kafka storage in " + dir + ": " + e.getMessage() + " " + buf, e);
        }
        if (rc != 0) throw new IOException("cannot format Kafka storage in " + dir + " (exit " + rc + "): " + buf);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** The bootstrap servers string, {@code 127.0.0.1:PORT}. */
    public String bootstrap() { return "127.0.0.1:" + port; }

    /** The client port. */
    public int port() { return port; }

    /** Stops the broker and waits for it. */
    public synchronized void stop() {
        if (server == null) return;
        server.shutdown();
        server.awaitShutdown();
        server = null;
    }

    @Override
    public void close() { stop(); }
}
