package io.hiq.jack;

import static org.assertj.core.api.Assertions.assertThat;

import io.hiq.jack.spool.DiskSpool;
import io.hiq.jack.support.StderrCapture;
import io.hiq.jack.support.TestContext;
import io.hiq.jack.support.TestTrees;
import io.hiq.tree.HiQTree;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad settings: one clear {@code hiq: jack: …} line at start, the application goes on, and trees
 * still go to the jack log and the spool (replayed by a later run with a working configuration).
 */
class BadConfigTest {
    @TempDir Path home;

    Map<String, String> vars(String... kv) {
        Map<String, String> m = new HashMap<>();
        m.put("JACK", "1");
        m.put("HIQ_HOME", home.toString());
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return m;
    }

    /** Starts Jack, hands it trees, exits; returns the error lines. */
    List<String> run(Map<String, String> vars, List<HiQTree> trees) throws Exception {
        try (StderrCapture err = new StderrCapture()) {
            TestContext ctx = new TestContext(vars);
            assertThat(new JackExtension().start(ctx)).isTrue();
            List<String> atStart = err.lines("hiq: jack:");
            ctx.deliver(trees);
            ctx.exit(2000);
            assertThat(ctx.counters().get("JackSpooled")).isEqualTo(trees.size());
            return atStart;
        }
    }

    void assertTreesKept(List<HiQTree> trees) throws Exception {
        assertThat(Files.readAllLines(home.resolve("log_jack.log"))).hasSize(trees.size());
        try (DiskSpool spool = DiskSpool.open(home.resolve("spool"), 1 << 30, 1 << 20, n -> { })) {
            assertThat(spool.pending()).isEqualTo(trees.size());
        }
    }

    @Test
    void unreadableKafkaPropertiesFile() throws Exception {
        Path missing = home.resolve("nope/producer.properties");
        List<HiQTree> trees = TestTrees.trees(25);
        List<String> errors = run(vars("HIQ_KAFKA_PROPS", missing.toString()), trees);
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0)).startsWith("hiq: jack: HIQ_KAFKA_PROPS: cannot read " + missing.toAbsolutePath())
                .contains("trees go to the jack log and the spool only");
        assertTreesKept(trees);
    }

    @Test
    void ociStreamingWithoutTheStreamOcid() throws Exception {
        List<HiQTree> trees = TestTrees.trees(5);
        List<String> errors = run(vars("HIQ_OCI_STREAMING", "1", "OCI_STM_END", "http://127.0.0.1:1"), trees);
        assertThat(errors).containsExactly("hiq: jack: HIQ_OCI_STREAMING=1 but OCI_STM_OCID (the stream's OCID) is not set;"
                + " trees go to the jack log and the spool only");
        assertTreesKept(trees);
    }

    @Test
    void ociConfigFileWithoutTheProfile() throws Exception {
        Path cfg = home.resolve("oci-config");
        Files.writeString(cfg, "[DEFAULT]\nuser=ocid1.user.oc1..x\nfingerprint=aa\nkey_file=/nope\ntenancy=ocid1.tenancy.oc1..x\nregion=us-ashburn-1\n");
        List<HiQTree> trees = TestTrees.trees(5);
        List<String> errors = run(vars("HIQ_OCI_STREAMING", "1", "OCI_STM_END", "http://127.0.0.1:1",
                "OCI_STM_OCID", "ocid1.stream.oc1..x", "OCI_CONFIG_FILE", cfg.toString(), "OCI_CONFIG_PROFILE", "PROD"), trees);
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0)).startsWith("hiq: jack: OCI config file " + cfg + ", profile 'PROD' (OCI_CONFIG_PROFILE)");
        assertTreesKept(trees);
    }

    @Test
    void malformedTuningValueFallsBackToItsDefault() throws Exception {
        List<HiQTree> trees = TestTrees.trees(3);
        List<String> errors = run(vars("HIQ_JACK_LOG_MAX_SIZE", "huge", "HIQ_KAFKA_PROPS", home.resolve("missing").toString()), trees);
        assertThat(errors).contains("hiq: jack: HIQ_JACK_LOG_MAX_SIZE: not a size: 'huge' (use e.g. 500MB, 64KB, 1GB or bytes); using the default");
        assertTreesKept(trees);
    }

    @Test
    void credentialsInThePropertiesFileAreNeverPrinted() throws Exception {
        Path props = home.resolve("producer.properties");
        Files.writeString(props, "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\n"
                + "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"S3cr3t-P4ss\";\n"
                + "bootstrap.servers=127.0.0.1:1\n");
        try (StderrCapture err = new StderrCapture()) {
            TestContext ctx = new TestContext(vars("HIQ_KAFKA_PROPS", props.toString()));
            assertThat(new JackExtension().start(ctx)).isTrue();
            ctx.deliver(TestTrees.trees(5));
            ctx.exit(1500);
            assertThat(err.lines("hiq: jack:")).isNotEmpty(); // it did complain (cannot deliver)
            assertThat(err.text()).doesNotContain("S3cr3t-P4ss");
        }
    }
}
