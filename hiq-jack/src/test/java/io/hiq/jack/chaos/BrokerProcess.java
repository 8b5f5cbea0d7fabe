package io.hiq.jack.chaos;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
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
 * A single-node KRaft broker (broker and controller in one process) meant to run in a JVM of its
 * own, so that a test can {@code kill -9} it and start it again on the same port with the same
 * data directory: {@code BrokerProcess PORT DIR PARTITIONS [GO_FILE]}. Prints {@code LISTENING <ms>}
 * on stdout once it serves clients ({@code ms}: how long the server's start-up took), then runs
 * until killed. With {@code GO_FILE} it loads the broker's classes, prints {@code READY} and waits
 * for that file to exist before starting: a test can time a restart without paying for the JVM's
 * start on a loaded machine. The controller port is kept in {@code DIR} so
 * that a restart finds the quorum where the first start put it.
 */
public final class BrokerProcess {
    private BrokerProcess() {}

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        Path dir = Path.of(args[1]);
        int partitions = Integer.parseInt(args[2]);
        Files.createDirectories(dir);
        Path controllerPortFile = dir.resolve("controller.port");
        int controllerPort;
        if (Files.exists(controllerPortFile)) {
            controllerPort = Integer.parseInt(Files.readString(controllerPortFile).trim());
        } else {
            controllerPort = ChildJvms.freePort();
            Files.writeString(controllerPortFile, Integer.toString(controllerPort));
        }
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
        p.put("offsets.topic.num.partitions", "1");
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
            p.store(out, "BrokerProcess");
        }
        // formatted once: a second format would stamp a new cluster id the existing data refuses
        if (!Files.exists(dir.resolve("data").resolve("meta.properties"))) {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            int rc;
            try (PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
                rc = StorageTool.execute(new String[] {"format", "--cluster-id", Uuid.randomUuid().toString(),
                        "--config", config.toString(), "--ignore-formatted"}, out);
            }
            if (rc != 0) throw new IOException("cannot format Kafka storage in " + dir + " (exit " + rc + "): " + buf);
        }
        KafkaConfig kc = KafkaConfig.fromProps(p, false);
        if (args.length > 3) {
            Path go = Path.of(args[3]);
            System.out.println("READY");
            System.out.flush();
            while (!Files.exists(go)) Thread.sleep(20);
        }
        long t0 = System.nanoTime();
        KafkaRaftServer server = new KafkaRaftServer(kc, Time.SYSTEM);
        server.startup();
        System.out.println("LISTENING " + (System.nanoTime() - t0) / 1_000_000);
        System.out.flush();
        server.awaitShutdown();
    }
}
