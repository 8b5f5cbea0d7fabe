package io.hiq.export.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hiq.HiQ;
import io.hiq.core.runtime.Settings;
import io.hiq.export.testapp.Shop;
import io.hiq.export.testapp.ShopConf;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code TRACE_TYPE=prometheus} in driver mode, scraped over real HTTP. */
class PrometheusExportTest {
    @TempDir Path home;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private HiQ start(int port) {
        return HiQ.builder().conf(ShopConf.ROWS).service("prom-test")
                .settings(Settings.of(Map.of("TRACE_TYPE", "prometheus", "HIQ_HOME", home.toString(),
                        "HIQ_PROMETHEUS_PORT", Integer.toString(port))))
                .start();
    }

    private String scrape(int port) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    /** Sample name (with labels) → value, from the text exposition format. */
    static Map<String, Double> samples(String text) {
        Map<String, Double> m = new HashMap<>();
        Pattern line = Pattern.compile("^([a-zA-Z_:][\\w:]*(?:\\{[^}]*\\})?) (\\S+)(?: \\d+)?$");
        for (String l : text.split("\n")) {
            if (l.startsWith("#") || l.isBlank()) continue;
            Matcher mt = line.matcher(l);
            assertThat(mt.matches()).as("exposition line %s", l).isTrue();
            m.put(mt.group(1), Double.parseDouble(mt.group(2)));
        }
        return m;
    }

    @Test
    void summariesHistogramsAndInternalCountersAreScrapedWithExactCounts() throws Exception {
        int port = freePort();
        int n = 12;
        try (HiQ hiq = start(port)) {
            for (int i = 0; i < n; i++) Shop.order(i, i % 4 == 0);
            await().atMost(Duration.ofSeconds(10)).until(() -> samples(scrape(port)).getOrDefault("hiq_order_count", 0.0) == n);
            Map<String, Double> s = samples(scrape(port));

            for (String tag : List.of("order", "stock", "pay")) {
                assertThat(s.get("hiq_" + tag + "_count")).as(tag + " count").isEqualTo(n);
                assertThat(s.get("hiq_" + tag + "_seconds_count")).as(tag + " histogram count").isEqualTo(n);
                assertThat(s.get("hiq_" + tag + "_seconds_bucket{le=\"+Inf\"}")).isEqualTo(n);
                assertThat(s).containsKeys("hiq_" + tag + "{quantile=\"0.5\"}", "hiq_" + tag + "{quantile=\"0.95\"}",
                        "hiq_" + tag + "{quantile=\"0.99\"}");
                // the histogram and the summary saw the same observations
                assertThat(s.get("hiq_" + tag + "_seconds_sum")).isCloseTo(s.get("hiq_" + tag + "_sum"), org.assertj.core.data.Offset.offset(1e-9));
            }
            // each call sleeps at least this long: sums are in seconds, not ns or ms
            assertThat(s.get("hiq_order_sum")).isBetween(n * 0.006, n * 5.0);
            assertThat(s.get("hiq_stock_sum")).isBetween(n * 0.002, n * 5.0);
            assertThat(s.get("hiq_pay_sum")).isBetween(n * 0.001, n * 5.0);
            assertThat(s.get("hiq_order{quantile=\"0.5\"}")).isGreaterThanOrEqualTo(0.006);
            // the 2 ms bucket holds no order (each takes ≥ 6 ms); the 10 s one holds all
            assertThat(s.get("hiq_order_seconds_bucket{le=\"0.005\"}")).isZero();
            assertThat(s.get("hiq_order_seconds_bucket{le=\"10.0\"}")).isEqualTo(n);

            assertThat(s.get("hiq_internal_trees_total")).isEqualTo(n);
            assertThat(s.get("hiq_internal_published_total")).isGreaterThan(0);
            assertThat(s).containsKey("hiq_internal_dropped_total");
        }
    }

    @Test
    void listensOnLoopbackOnlyAndStopsWithTheRuntime() throws Exception {
        int port = freePort();
        try (HiQ hiq = start(port)) {
            assertThat(scrape(port)).contains("hiq_internal_trees_total");
            List<String> listeners = listenersOn(port);
            // 0100007F is 127.0.0.1 as /proc/net/tcp writes it; never 00000000 (all interfaces)
            if (!listeners.isEmpty()) assertThat(listeners).containsOnly("0100007F");
        }
        assertThat(listenersOn(port)).isEmpty();
    }

    @Test
    void aBadPortIsReportedOnOneLineAndTracingGoesOn() {
        var err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream saved = System.err;
        // the extension (made by ServiceLoader) reports on System.err as it is when it starts
        System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
        try (HiQ hiq = HiQ.builder().conf(ShopConf.ROWS)
                .settings(Settings.of(Map.of("TRACE_TYPE", "prometheus", "HIQ_HOME", home.toString(), "HIQ_PROMETHEUS_PORT", "http")))
                .start()) {
            Shop.order(1, false);
            assertThat(hiq.trees()).hasSize(1);
        } finally {
            System.setErr(saved);
        }
        assertThat(err.toString(java.nio.charset.StandardCharsets.UTF_8))
                .contains("hiq: prometheus: HIQ_PROMETHEUS_PORT: not a number: 'http'");
    }

    @Test
    void counterNamesBecomeSnakeCase() {
        assertThat(InternalCounters.snakeCase("JackPublished")).isEqualTo("jack_published");
        assertThat(InternalCounters.snakeCase("DroppedTrees")).isEqualTo("dropped_trees");
        assertThat(InternalCounters.snakeCase("Trees")).isEqualTo("trees");
    }

    /** Local addresses (hex, as in /proc/net/tcp) listening on {@code port}; empty when not Linux. */
    private static List<String> listenersOn(int port) throws IOException {
        Path tcp = Path.of("/proc/net/tcp");
        if (!Files.isReadable(tcp)) return List.of();
        String hexPort = String.format(Locale.ROOT, "%04X", port);
        return Files.readAllLines(tcp).stream().skip(1).map(String::trim).map(l -> l.split("\\s+"))
                .filter(f -> f.length > 3 && f[1].endsWith(":" + hexPort) && f[3].equals("0A"))
                .map(f -> f[1].substring(0, f[1].indexOf(':'))).toList();
    }
}
