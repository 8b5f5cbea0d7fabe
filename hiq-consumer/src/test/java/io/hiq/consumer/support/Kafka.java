package io.hiq.consumer.support;

import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** A plain Kafka producer for tests: sends key/value byte records and waits for every ack. */
public final class Kafka {
    private Kafka() {}

    /** One record to send; {@code partition} null lets the key choose. */
    public record Rec(Integer partition, byte[] key, byte[] value) {}

    /** Sends every record, in order, and waits until all are acknowledged. */
    public static void send(String bootstrap, String topic, List<Rec> records) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, "2000000");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        // the idempotent producer stalled on OutOfOrderSequenceException filling KafkaOutageTest's
        // topic at load 25-38, most likely a retry after a request held past the 30 s default on a
        // loaded 2-core machine (not proven): waiting longer avoids such retries
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "120000");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "300000");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            List<java.util.concurrent.Future<?>> acks = new java.util.ArrayList<>();
            for (Rec r : records) acks.add(producer.send(new ProducerRecord<>(topic, r.partition(), r.key(), r.value())));
            producer.flush();
            for (var f : acks) {
                try {
                    f.get();
                } catch (Exception e) {
                    throw new IllegalStateException("send failed", e);
                }
            }
        }
    }
}
