package io.hiq.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Command line and environment (through the B5 system properties) resolution of the service's settings. */
class ConsumerMainTest {
    @AfterEach
    void clear() {
        for (String p : new String[] {"hiq.home", "hiq.kafka.bootstrap", "hiq.kafka.topic", "hiq.kafka.props", "hiq.consumer.token"}) {
            System.clearProperty(p);
        }
    }

    private static ConsumerSettings parse(String... args) throws Exception {
        ConsumerMain m = new ConsumerMain();
        new CommandLine(m).parseArgs(args);
        return m.settings();
    }

    @Test
    void defaultsFollowDesign(@TempDir Path home) throws Exception {
        System.setProperty("hiq.home", home.toString());
        ConsumerSettings s = parse();
        assertThat(s.bootstrap()).isEqualTo(System.getenv("HIQ_KAFKA_BOOTSTRAP") == null ? "127.0.0.1:9092" : System.getenv("HIQ_KAFKA_BOOTSTRAP"));
        assertThat(s.group()).isEqualTo("hiq-consumer");
        assertThat(s.httpHost()).isEqualTo("127.0.0.1");
        assertThat(s.httpPort()).isEqualTo(8080);
        assertThat(s.storeUrl()).isEqualTo("jdbc:sqlite:" + home.resolve("consumer/store.db").toAbsolutePath());
        assertThat(s.deadLetterFile()).isEqualTo(home.resolve("consumer/dead-letter.jsonl"));
    }

    /** A home holding the H2 store of an earlier version (and no SQLite one) keeps using it. */
    @Test
    void anExistingH2StoreStaysTheDefault(@TempDir Path home) throws Exception {
        Files.createDirectories(home.resolve("consumer"));
        Files.writeString(home.resolve("consumer/store.mv.db"), "");
        assertThat(ConsumerSettings.defaultStoreUrl(home)).isEqualTo("jdbc:h2:file:" + home.resolve("consumer/store").toAbsolutePath());
        Files.writeString(home.resolve("consumer/store.db"), "");
        assertThat(ConsumerSettings.defaultStoreUrl(home)).as("both: the SQLite one").isEqualTo("jdbc:sqlite:" + home.resolve("consumer/store.db").toAbsolutePath());
    }

    @Test
    void environmentAndOptions(@TempDir Path home) throws Exception {
        Path props = home.resolve("k.properties");
        Files.writeString(props, "security.protocol=SASL_SSL\nmax.poll.records=7\n");
        System.setProperty("hiq.home", home.toString());
        System.setProperty("hiq.kafka.bootstrap", "broker:1234");
        System.setProperty("hiq.kafka.topic", "trees");
        System.setProperty("hiq.kafka.props", props.toString());
        System.setProperty("hiq.consumer.token", "tok");
        ConsumerSettings s = parse("--group", "g", "--http", "0.0.0.0:0");
        assertThat(s.bootstrap()).isEqualTo("broker:1234");
        assertThat(s.topic()).isEqualTo("trees");
        assertThat(s.token()).isEqualTo("tok");
        assertThat(s.kafkaProps()).containsEntry("security.protocol", "SASL_SSL").containsEntry("max.poll.records", "7");
        assertThat(s.httpHost()).isEqualTo("0.0.0.0");
        assertThat(s.httpPort()).isZero();
        ConsumerSettings o = parse("--bootstrap", "b:1", "--topic", "t", "--store", "jdbc:postgresql://db/hiq");
        assertThat(o.bootstrap()).isEqualTo("b:1");
        assertThat(o.topic()).isEqualTo("t");
        assertThat(o.storeUrl()).isEqualTo("jdbc:postgresql://db/hiq");
    }

    @Test
    void clearErrors(@TempDir Path home) {
        System.setProperty("hiq.home", home.toString());
        assertThatThrownBy(() -> parse("--http", "8080")).hasMessageContaining("--http");
        System.setProperty("hiq.kafka.props", home.resolve("missing.properties").toString());
        assertThatThrownBy(() -> parse()).hasMessageContaining("HIQ_KAFKA_PROPS").hasMessageContaining("missing.properties");
        assertThat(Env.property("HIQ_KAFKA_BOOTSTRAP")).isEqualTo("hiq.kafka.bootstrap");
        assertThat(Env.property("LMK_PATH")).isEqualTo("hiq.lmk.path");
    }
}
