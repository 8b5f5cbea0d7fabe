package io.hiq.jack.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hiq.core.runtime.Settings;
import io.hiq.jack.JackConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaProducerConfigTest {
    @TempDir Path dir;

    @Test
    void defaultsAreIdempotentAllAcksCompressedAndBounded() throws Exception {
        Properties p = KafkaProducerConfig.build(Settings.of(Map.of()), 7);
        assertThat(p).containsEntry("bootstrap.servers", "127.0.0.1:9092")
                .containsEntry("enable.idempotence", "true").containsEntry("acks", "all")
                .containsEntry("compression.type", "lz4").containsEntry("max.block.ms", "1000")
                .containsEntry("client.id", "hiq-jack-7");
        assertThat(KafkaProducerConfig.topic(Settings.of(Map.of()))).isEqualTo("hiq");
    }

    @Test
    void thePropertiesFileOverridesDefaultsAndTheBootstrapVariableWinsOverTheFile() throws Exception {
        Path f = dir.resolve("p.properties");
        Files.writeString(f, "compression.type=zstd\nbootstrap.servers=file:9092\nsecurity.protocol=SASL_SSL\n"
                + "key.serializer=not.Mine\n");
        Properties p = KafkaProducerConfig.build(Settings.of(Map.of("HIQ_KAFKA_PROPS", f.toString())), 1);
        assertThat(p).containsEntry("compression.type", "zstd").containsEntry("bootstrap.servers", "file:9092")
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("key.serializer", ByteArraySerializer.class.getName());
        Properties q = KafkaProducerConfig.build(Settings.of(Map.of("HIQ_KAFKA_PROPS", f.toString(),
                "HIQ_KAFKA_BOOTSTRAP", "env:9092", "HIQ_KAFKA_TOPIC", "trees")), 1);
        assertThat(q).containsEntry("bootstrap.servers", "env:9092");
        assertThat(KafkaProducerConfig.topic(Settings.of(Map.of("HIQ_KAFKA_TOPIC", "trees")))).isEqualTo("trees");
    }

    @Test
    void anUnreadableFileIsAnErrorNamingTheVariableAndTheFile() {
        Path missing = dir.resolve("missing.properties");
        assertThatThrownBy(() -> KafkaProducerConfig.build(Settings.of(Map.of("HIQ_KAFKA_PROPS", missing.toString())), 1))
                .isInstanceOf(JackConfigException.class)
                .hasMessageStartingWith("HIQ_KAFKA_PROPS: cannot read " + missing.toAbsolutePath());
    }

    @Test
    void theSystemPropertyOverridesTheEnvironment() throws Exception {
        // DESIGN B5: HIQ_KAFKA_BOOTSTRAP -> hiq.kafka.bootstrap
        System.setProperty("hiq.kafka.bootstrap", "prop:9092");
        try {
            assertThat(KafkaProducerConfig.build(Settings.system(), 1)).containsEntry("bootstrap.servers", "prop:9092");
        } finally {
            System.clearProperty("hiq.kafka.bootstrap");
        }
    }
}
