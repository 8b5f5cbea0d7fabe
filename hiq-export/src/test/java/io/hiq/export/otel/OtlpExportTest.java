package io.hiq.export.otel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.hiq.HiQ;
import io.hiq.core.runtime.Settings;
import io.hiq.export.testapp.Shop;
import io.hiq.export.testapp.ShopConf;
import io.hiq.tree.HiQNode;
import io.hiq.tree.HiQTree;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Trees exported over OTLP/HTTP to an in-process receiver, checked span by span against the trees. */
class OtlpExportTest {
    @TempDir Path home;

    private HiQ start(String endpoint) {
        return HiQ.builder().conf(ShopConf.ROWS).service("otlp-test")
                .settings(Settings.of(Map.of("HIQ_OTLP_ENDPOINT", endpoint, "HIQ_HOME", home.toString())))
                .start();
    }

    @Test
    void everyTreeBecomesOneTraceWithTheTreesStructureTimesAndAttributes() throws Exception {
        int n = 5;
        try (OtlpReceiver receiver = new OtlpReceiver()) {
            List<HiQTree> trees;
            io.hiq.core.runtime.Counters counters;
            try (HiQ hiq = start(receiver.endpoint())) {
                counters = hiq.runtime().counters();
                for (int i = 0; i < n; i++) {
                    Shop.order(i, i == 2);
                }
                trees = hiq.trees();
                assertThat(trees).hasSize(n);
                await().atMost(Duration.ofSeconds(10)).until(() -> receiver.spans().size() == 3 * n);
            }
            assertThat(counters.get(OtlpExtension.SPANS)).isEqualTo(3L * n);
            assertThat(counters.get(OtlpExtension.EXPORTED)).isEqualTo(3L * n);
            assertThat(counters.get(OtlpExtension.FAILED)).isZero();
            assertThat(receiver.contentTypes).allMatch(ct -> ct.startsWith("application/x-protobuf"));

            for (ResourceSpans rs : receiver.resourceSpans()) {
                Map<String, AnyValue> res = attributes(rs.getResource().getAttributesList());
                assertThat(res.get("service.name").getStringValue()).isEqualTo("otlp-test");
                assertThat(res.get("process.pid").getIntValue()).isEqualTo(ProcessHandle.current().pid());
                assertThat(res.get("host.name").getStringValue()).isNotBlank();
            }

            List<Span> spans = receiver.spans();
            Map<ByteString, List<Span>> byTrace = spans.stream().collect(Collectors.groupingBy(Span::getTraceId));
            assertThat(byTrace).hasSize(n); // one trace per tree
            Map<String, HiQTree> treeById = new HashMap<>();
            trees.forEach(t -> treeById.put(t.id(), t));

            for (List<Span> trace : byTrace.values()) {
                List<Span> roots = trace.stream().filter(s -> s.getParentSpanId().isEmpty()).toList();
                assertThat(roots).hasSize(1);
                Span root = roots.get(0);
                String treeId = attributes(root.getAttributesList()).get("hiq.tree.id").getStringValue();
                HiQTree tree = treeById.get(treeId);
                assertThat(tree).as("tree %s", treeId).isNotNull();
                assertThat(attributes(root.getAttributesList()).get("thread.name").getStringValue()).isEqualTo(tree.thread());
                assertMatches(root, tree.root(), trace);
            }

            // the failing payment: status ERROR with the exception as an event, and its parent is fine
            List<Span> failed = spans.stream().filter(s -> s.getStatus().getCode() == Status.StatusCode.STATUS_CODE_ERROR).toList();
            assertThat(failed).hasSize(1);
            Span pay = failed.get(0);
            assertThat(pay.getName()).isEqualTo("pay");
            assertThat(pay.getStatus().getMessage()).isEqualTo("java.lang.IllegalStateException: card declined for order 2");
            assertThat(pay.getEventsList()).hasSize(1);
            Map<String, AnyValue> ev = attributes(pay.getEvents(0).getAttributesList());
            assertThat(pay.getEvents(0).getName()).isEqualTo("exception");
            assertThat(ev.get("exception.type").getStringValue()).isEqualTo("java.lang.IllegalStateException");
            assertThat(ev.get("exception.message").getStringValue()).isEqualTo("card declined for order 2");
        }
    }

    /** The span has the node's name, times (µs → ns), non-exception extras, and one child span per child, in order. */
    private static void assertMatches(Span span, HiQNode node, List<Span> trace) {
        assertThat(span.getName()).isEqualTo(node.name());
        assertThat(span.getStartTimeUnixNano()).isEqualTo(node.start() * 1000L);
        assertThat(span.getEndTimeUnixNano()).isEqualTo(node.end() * 1000L);
        Map<String, AnyValue> attrs = attributes(span.getAttributesList());
        node.extra().forEach((k, v) -> {
            if (!k.equals("exception")) assertThat(attrs).containsKey(k);
        });
        List<Span> children = new ArrayList<>(trace.stream().filter(s -> s.getParentSpanId().equals(span.getSpanId())).toList());
        children.sort(java.util.Comparator.comparingLong(Span::getStartTimeUnixNano));
        assertThat(children).extracting(Span::getName).containsExactlyElementsOf(node.children().stream().map(HiQNode::name).toList());
        for (int i = 0; i < children.size(); i++) assertMatches(children.get(i), node.children().get(i), trace);
    }

    private static Map<String, AnyValue> attributes(List<KeyValue> kvs) {
        Map<String, AnyValue> m = new HashMap<>();
        kvs.forEach(kv -> m.put(kv.getKey(), kv.getValue()));
        return m;
    }

    @Test
    void businessExtrasBecomeTypedAttributes() throws Exception {
        try (OtlpReceiver receiver = new OtlpReceiver()) {
            try (HiQ hiq = start(receiver.endpoint()); var s = HiQ.span("checkout")) {
                HiQ.extra("order", "A-17");
                HiQ.extra("items", 3);
                HiQ.extra("express", true);
                Shop.stock(1);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> receiver.spans().size() == 2);
            Span checkout = receiver.spans().stream().filter(x -> x.getName().equals("checkout")).findFirst().orElseThrow();
            Map<String, AnyValue> a = attributes(checkout.getAttributesList());
            assertThat(a.get("order").getStringValue()).isEqualTo("A-17");
            assertThat(a.get("items").getIntValue()).isEqualTo(3);
            assertThat(a.get("express").getBoolValue()).isTrue();
            Span stock = receiver.spans().stream().filter(x -> x.getName().equals("stock")).findFirst().orElseThrow();
            assertThat(stock.getParentSpanId()).isEqualTo(checkout.getSpanId());
            assertThat(stock.getTraceId()).isEqualTo(checkout.getTraceId());
        }
    }

    @Test
    void secretNamedArgumentsNeverReachTheCollector() throws Exception {
        String secret = "hunter2-" + System.nanoTime();
        try (OtlpReceiver receiver = new OtlpReceiver()) {
            try (HiQ hiq = HiQ.builder()
                    .conf(List.of(List.of("io.hiq.export.testapp", "Accounts", "login", "login", "args")))
                    .settings(Settings.of(Map.of("HIQ_OTLP_ENDPOINT", receiver.endpoint(), "HIQ_HOME", home.toString())))
                    .start()) {
                io.hiq.export.testapp.Accounts.login("alice", secret);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> receiver.spans().size() == 1);
            Map<String, AnyValue> a = attributes(receiver.spans().get(0).getAttributesList());
            assertThat(a.get("args").getStringValue()).isEqualTo("user=alice, password=***");
            for (byte[] body : receiver.bodies) {
                assertThat(new String(body, java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotContain(secret);
            }
        }
    }

    @Test
    void endpointsAreCheckedAndCompleted() {
        assertThat(OtlpExtension.tracesUrl("http://127.0.0.1:4318")).isEqualTo("http://127.0.0.1:4318/v1/traces");
        assertThat(OtlpExtension.tracesUrl("http://collector:4318/")).isEqualTo("http://collector:4318/v1/traces");
        assertThat(OtlpExtension.tracesUrl("https://x.example/v1/traces")).isEqualTo("https://x.example/v1/traces");
        assertThatThrownBy(() -> OtlpExtension.tracesUrl("127.0.0.1:4318")).hasMessageContaining("127.0.0.1:4318");
        assertThatThrownBy(() -> OtlpExtension.tracesUrl("ftp://collector:4318")).hasMessageContaining("not an http(s) URL");
        assertThatThrownBy(() -> OtlpExtension.tracesUrl("http://[bad")).hasMessageContaining("not a URL");
    }

    @Test
    void anUnreachableCollectorNeverStopsTheApplicationAndCloseIsBounded() {
        io.hiq.core.runtime.Counters counters;
        long t0 = System.nanoTime();
        // port 9 (discard) on loopback: connection refused
        try (HiQ hiq = HiQ.builder().conf(ShopConf.ROWS)
                .settings(Settings.of(Map.of("HIQ_OTLP_ENDPOINT", "http://127.0.0.1:9", "HIQ_HOME", home.toString(), "HIQ_FLUSH_TIMEOUT", "2")))
                .start()) {
            Shop.order(1, false);
            assertThat(hiq.trees()).hasSize(1);
            counters = hiq.runtime().counters();
        }
        assertThat(counters.get(OtlpExtension.SPANS)).isEqualTo(3);
        assertThat(counters.get(OtlpExtension.EXPORTED)).isZero();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(30));
    }
}
