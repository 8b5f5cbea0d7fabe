package io.hiq.consumer.support;

import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * A real in-process KRaft broker for the service's tests, with its topics created: one node, and a
 * consumer group's first join not held back ({@code group.initial.rebalance.delay.ms=0}), so a test
 * waits for trees rather than for the broker's three-second grace.
 */
public final class TestBroker {
    private TestBroker() {}

    /** Starts a broker with {@code topics}. */
    public static EmbeddedKafkaKraftBroker start(NewTopic... topics) { return start(Map.of(), topics); }

    /** Starts a broker with extra broker {@code properties} and {@code topics}. */
    public static EmbeddedKafkaKraftBroker start(Map<String, String> properties, NewTopic... topics) {
        int partitions = 1;
        for (NewTopic t : topics) partitions = Math.max(partitions, t.numPartitions());
        EmbeddedKafkaKraftBroker broker = new EmbeddedKafkaKraftBroker(1, partitions);
        broker.brokerProperty("group.initial.rebalance.delay.ms", "0");
        properties.forEach(broker::brokerProperty);
        broker.afterPropertiesSet();
        broker.addTopics(topics);
        return broker;
    }
}
