package io.hiq.consumer.broker;

import io.hiq.consumer.Env;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bin/hiq broker}: runs an {@link EmbeddedBroker} until SIGTERM or Ctrl-C. */
@Command(name = "hiq broker", mixinStandardHelpOptions = true,
        description = "A standalone single-node KRaft Kafka broker on 127.0.0.1 for development.")
public final class BrokerMain implements Callable<Integer> {
    @Option(names = "--port", defaultValue = "9092", description = "client port (default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--dir", description = "data directory (default: $HIQ_HOME/broker)")
    Path dir;

    @Option(names = "--partitions", defaultValue = "4", description = "partitions of auto-created topics (default: ${DEFAULT-VALUE})")
    int partitions;

    @Override
    public Integer call() throws Exception {
        Path d = dir != null ? dir : Env.home().resolve("broker");
        EmbeddedBroker broker = new EmbeddedBroker(port, d, partitions);
        try {
            broker.start();
        } catch (Exception e) {
            System.err.println("hiq broker: cannot start: " + e.getMessage());
            broker.stop();
            return 1;
        }
        System.err.println("hiq broker: listening on " + broker.bootstrap() + " (data in " + d.toAbsolutePath() + "); Ctrl-C stops it");
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            broker.stop();
            done.countDown();
        }, "hiq-broker-shutdown"));
        done.await();
        return 0;
    }

    public static void main(String[] args) {
        int code = new CommandLine(new BrokerMain()).execute(args);
        if (code != 0) System.exit(code);
    }
}
