package io.hiq.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.hiq.consumer.http.ApiHandler;
import io.hiq.consumer.support.TestBroker;
import io.hiq.consumer.support.Http;
import io.hiq.consumer.support.Kafka;
import io.hiq.consumer.support.Kafka.Rec;
import io.hiq.consumer.support.StatsCheck;
import io.hiq.tree.HiQNode;
import io.hiq.tree.HiQTree;
import io.hiq.tree.TreeCodec;
import io.hiq.tree.TreeRenderer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/** The HTTP API of DESIGN B6 through a real HTTP client, with a bearer token configured. */
class HttpApiTest {
    private static final String TOKEN = "s3cret-token";
    private static final long MINUTE_A = Instant.parse("2026-11-20T10:15:00Z").toEpochMilli();
    private static final long MINUTE_B = MINUTE_A + 120_000;
    private static EmbeddedKafkaKraftBroker broker;
    private static ConsumerService svc;
    private static String base;
    private static final List<HiQTree> TREES = new ArrayList<>();
    private static final List<byte[]> BYTES = new ArrayList<>();

    @BeforeAll
    static void start(@TempDir Path home) throws Exception {
        broker = TestBroker.start(new NewTopic("api", 2, (short) 1));
        List<Rec> recs = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            long startUs = (i < 25 ? MINUTE_A : MINUTE_B) * 1000 + i * 1000L;
            long latencyNs = (i * 7919L % 40 + 1) * 1_000_000L; // 1..40 ms, all distinct, not in id order
            HiQNode root = HiQNode.of("handle", startUs, startUs + latencyNs / 1000, 5_000L, 5_000L + latencyNs);
            root.addChild(HiQNode.of("db", startUs + 10, startUs + 10 + latencyNs / 2000, 5_010L, 5_010L + latencyNs / 2));
            if (i == 3) root.children().get(0).putExtra("exception", "java.io.IOException: disk <full>");
            HiQTree t = HiQTree.builder().id("req-" + i).service(i % 2 == 0 ? "web" : "batch").host("h").pid(1)
                    .thread("main").overheadNs(2500).root(root).build();
            TREES.add(t);
            byte[] b = TreeCodec.encode(t);
            BYTES.add(b);
            recs.add(new Rec(null, t.id().getBytes(), b));
        }
        Kafka.send(broker.getBrokersAsString(), "api", recs);
        svc = new ConsumerService(new ConsumerSettings(broker.getBrokersAsString(), "api", "g-api", "127.0.0.1", 0,
                ConsumerSettings.defaultStoreUrl(home), home, TOKEN, Map.of())).start();
        base = svc.baseUrl();
        await().atMost(Duration.ofSeconds(30)).until(() -> svc.store().treeCount() == TREES.size());
    }

    @AfterAll
    static void stop() throws Exception {
        if (svc != null) svc.close();
        broker.destroy();
    }

    @Test
    void healthIsOpenAndUp() {
        await().atMost(Duration.ofSeconds(10)).until(() -> Http.up(base));
        JsonNode h = Http.json(base + "/health");
        assertThat(h.get("status").asText()).isEqualTo("UP");
        assertThat(h.get("partitions")).hasSize(2);
    }

    @Test
    void everythingElseRequiresTheToken() {
        for (String path : List.of("/", "/api/trees", "/api/trees/req-1", "/api/stats", "/metrics", "/ui/app.js")) {
            HttpResponse<String> r = Http.get(base + path);
            assertThat(r.statusCode()).as(path).isEqualTo(401);
            assertThat(r.headers().firstValue("WWW-Authenticate")).as(path).hasValue("Bearer realm=\"hiq\"");
            assertThat(Http.get(base + path, "wrong").statusCode()).as(path).isEqualTo(401);
            assertThat(Http.get(base + path, TOKEN).statusCode()).as(path).isEqualTo(200);
        }
    }

    @Test
    void browsersTradeTheTokenForACookie() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base + "/?token=" + TOKEN)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(303);
        String cookie = r.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(cookie).contains("HttpOnly").contains("SameSite=Strict");
        HttpResponse<String> page = client.send(HttpRequest.newBuilder(URI.create(base + "/"))
                .header("Cookie", cookie.substring(0, cookie.indexOf(';'))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<script src=\"/ui/app.js\"");
        assertThat(page.headers().firstValue("Content-Security-Policy")).hasValue(ApiHandler.CSP);
        assertThat(page.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/html");
        assertThat(client.send(HttpRequest.newBuilder(URI.create(base + "/?token=nope")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
    }

    @Test
    void listsTreesNewestOrSlowestWithFilters() {
        JsonNode all = Http.json(base + "/api/trees?limit=100", TOKEN);
        assertThat(all.get("total").asLong()).isEqualTo(40);
        List<String> newest = ids(all);
        List<String> expectedNewest = TREES.stream().sorted(Comparator.comparingLong((HiQTree t) -> t.root().start()).reversed())
                .map(HiQTree::id).toList();
        assertThat(newest).containsExactlyElementsOf(expectedNewest);

        JsonNode slow = Http.json(base + "/api/trees?order=slowest&limit=5", TOKEN);
        assertThat(slow.get("total").asLong()).isEqualTo(40);
        assertThat(ids(slow)).containsExactlyElementsOf(TREES.stream()
                .sorted(Comparator.comparingDouble(HiQTree::latencyMs).reversed()).limit(5).map(HiQTree::id).toList());
        assertThat(slow.get("trees").get(0).get("latency_ms").asDouble()).isEqualTo(40.0);
        JsonNode first = slow.get("trees").get(0);
        HiQTree t = TREES.stream().filter(x -> x.id().equals(first.get("id").asText())).findFirst().orElseThrow();
        assertThat(first.get("service").asText()).isEqualTo(t.service());
        assertThat(first.get("root").asText()).isEqualTo("handle");
        assertThat(first.get("start").asLong()).isEqualTo(t.root().start());

        JsonNode web = Http.json(base + "/api/trees?service=web&minLatencyMs=20.5&limit=100", TOKEN);
        long expected = TREES.stream().filter(x -> x.service().equals("web") && x.latencyMs() >= 20.5).count();
        assertThat(web.get("total").asLong()).isEqualTo(expected).isPositive();
        assertThat(ids(web)).hasSize((int) expected);
        web.get("trees").forEach(x -> assertThat(x.get("latency_ms").asDouble()).isGreaterThanOrEqualTo(20.5));

        assertThat(Http.get(base + "/api/trees?order=fastest", TOKEN).statusCode()).isEqualTo(400);
        assertThat(Http.get(base + "/api/trees?limit=abc", TOKEN).body()).contains("limit");
        assertThat(Http.get(base + "/api/trees?minLatencyMs=-1", TOKEN).statusCode()).isEqualTo(400);
    }

    @Test
    void servesOneTreeAsStoredAndAsText() throws Exception {
        HttpResponse<String> r = Http.get(base + "/api/trees/req-3", TOKEN);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/json");
        assertThat(r.body()).isEqualTo(new String(BYTES.get(3), java.nio.charset.StandardCharsets.UTF_8));

        HttpResponse<String> text = Http.get(base + "/api/trees/req-3/text", TOKEN);
        assertThat(text.statusCode()).isEqualTo(200);
        assertThat(text.headers().firstValue("Content-Type")).hasValue("text/plain; charset=utf-8");
        assertThat(text.body()).isEqualTo(TreeRenderer.local().render(TREES.get(3)));
        assertThat(text.body()).contains("[db]").contains("disk <full>");

        assertThat(Http.get(base + "/api/trees/nope", TOKEN).statusCode()).isEqualTo(404);
        assertThat(Http.get(base + "/api/trees/nope/text", TOKEN).statusCode()).isEqualTo(404);
        assertThat(Http.get(base + "/api/nothing", TOKEN).statusCode()).isEqualTo(404);
    }

    @Test
    void statsOverWindowsGivenAsIsoOrEpochMillis() {
        List<HiQTree> a = TREES.subList(0, 25);
        List<HiQTree> b = TREES.subList(25, 40);
        // without from/to: the last hour only (these trees are days old), so the work is bounded
        assertThat(Http.json(base + "/api/stats", TOKEN).get("tags")).isEmpty();
        StatsCheck.assertMatches(Http.json(base + "/api/stats?from=" + MINUTE_A, TOKEN), TREES);
        JsonNode fromB = Http.json(base + "/api/stats?from=" + Instant.ofEpochMilli(MINUTE_B), TOKEN);
        assertThat(fromB.get("from").asText()).isEqualTo(Instant.ofEpochMilli(MINUTE_B).toString());
        StatsCheck.assertMatches(fromB, b);
        StatsCheck.assertMatches(Http.json(base + "/api/stats?to=" + (MINUTE_A + 60_000), TOKEN), a);
        StatsCheck.assertMatches(Http.json(base + "/api/stats?service=web&from=" + MINUTE_A + "&to=" + (MINUTE_B + 60_000), TOKEN),
                TREES.stream().filter(t -> t.service().equals("web")).toList());
        assertThat(Http.json(base + "/api/stats?from=2030-01-01T00:00:00Z", TOKEN).get("tags")).isEmpty();
        assertThat(Http.get(base + "/api/stats?from=yesterday", TOKEN).statusCode()).isEqualTo(400);
    }

    @Test
    void servicesListsEveryServiceOfTheWindowWithItsBusiestRoot() {
        // without from: the last hour only (these trees are older)
        assertThat(Http.json(base + "/api/services", TOKEN).get("services")).isEmpty();
        JsonNode all = Http.json(base + "/api/services?from=" + MINUTE_A, TOKEN).get("services");
        assertThat(all).hasSize(2);
        assertThat(all.get(0).get("service").asText()).isEqualTo("batch"); // 20 each: ties by name
        for (JsonNode s : all) {
            String svcName = s.get("service").asText();
            List<HiQTree> mine = TREES.stream().filter(t -> t.service().equals(svcName)).toList();
            assertThat(s.get("trees").asLong()).as(svcName).isEqualTo(mine.size());
            assertThat(s.get("root").asText()).isEqualTo("handle");
            assertThat(s.get("root_trees").asLong()).isEqualTo(mine.size());
            assertThat(s.get("count").asLong()).isEqualTo(mine.size());
            double max = mine.stream().mapToLong(t -> t.root().span()).max().orElseThrow() / 1e6;
            assertThat(s.get("max_ms").asDouble()).as(svcName + " max").isBetween(max * 0.99, max * 1.01);
            assertThat(s.get("p99_ms").asDouble()).isLessThanOrEqualTo(s.get("max_ms").asDouble());
        }
        JsonNode onlyA = Http.json(base + "/api/services?from=" + MINUTE_A + "&to=" + (MINUTE_A + 60_000), TOKEN).get("services");
        assertThat(onlyA.get(0).get("trees").asLong() + onlyA.get(1).get("trees").asLong()).isEqualTo(25);
        assertThat(Http.json(base + "/api/services?limit=1&from=" + MINUTE_A, TOKEN).get("services")).hasSize(1);
        assertThat(Http.get(base + "/api/services?limit=0", TOKEN).statusCode()).isEqualTo(400);
        assertThat(Http.get(base + "/api/services?limit=5000", TOKEN).statusCode()).isEqualTo(400);
        assertThat(Http.get(base + "/api/services", null).statusCode()).as("token required").isEqualTo(401);
    }

    @Test
    void seriesPerMinute() {
        // without from: the last day only (these trees are older)
        assertThat(Http.json(base + "/api/stats/series?tag=db", TOKEN)).isEmpty();
        JsonNode s = Http.json(base + "/api/stats/series?tag=db&from=" + MINUTE_A, TOKEN);
        assertThat(s).hasSize(2);
        assertThat(s.get(0).get("minute").asLong()).isEqualTo(MINUTE_A);
        assertThat(s.get(0).get("count").asLong()).isEqualTo(25);
        assertThat(s.get(1).get("minute").asLong()).isEqualTo(MINUTE_B);
        assertThat(s.get(1).get("count").asLong()).isEqualTo(15);
        List<Long> spansB = TREES.subList(25, 40).stream().map(t -> t.root().children().get(0).span()).toList();
        double exact = StatsCheck.exactPercentile(spansB, 99) / 1e6;
        assertThat(s.get(1).get("p99_ms").asDouble()).isBetween(exact, exact * 1.01);
        assertThat(s.get(1).get("p50_ms").asDouble()).isLessThanOrEqualTo(s.get(1).get("p95_ms").asDouble());
        assertThat(Http.get(base + "/api/stats/series", TOKEN).statusCode()).isEqualTo(400);
        // a year-long window: bounded number of points, counts kept
        JsonNode year = Http.json(base + "/api/stats/series?tag=db&from=" + (MINUTE_A - 365L * 86_400_000L) + "&to=" + (MINUTE_B + 60_000), TOKEN);
        assertThat(year.size()).isBetween(1, io.hiq.consumer.store.TreeStore.DEFAULT_MAX_SERIES_POINTS);
        long total = 0;
        for (JsonNode p : year) total += p.get("count").asLong();
        assertThat(total).isEqualTo(40);
    }

    @Test
    void busyStoreAnswers503WithRetryAfterAndHealthStillAnswers() throws Exception {
        long before = svc.store().readWaitMs();
        svc.store().readWaitMs(200);
        java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(4);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        List<Thread> holders = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) { // every pooled read connection held by a slow reader
                Thread t = new Thread(() -> {
                    try {
                        svc.store().read(c -> {
                            held.countDown();
                            try {
                                release.await();
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                            return null;
                        });
                    } catch (Exception e) {
                        held.countDown();
                    }
                });
                t.start();
                holders.add(t);
            }
            assertThat(held.await(30, java.util.concurrent.TimeUnit.SECONDS)).as("4 readers hold the pool").isTrue();
            var r = Http.get(base + "/api/trees", TOKEN);
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.headers().firstValue("Retry-After")).hasValue("1");
            assertThat(Http.get(base + "/health").statusCode()).as("/health never waits for the store").isIn(200, 503);
        } finally {
            release.countDown();
            for (Thread t : holders) t.join(30_000);
            svc.store().readWaitMs(before);
        }
        assertThat(Http.get(base + "/api/trees", TOKEN).statusCode()).isEqualTo(200);
    }

    @Test
    void prometheusMetrics() {
        HttpResponse<String> r = Http.get(base + "/metrics", TOKEN);
        assertThat(r.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain; version=0.0.4");
        String m = r.body();
        assertThat(m).contains("# TYPE hiq_handle summary\n");
        assertThat(m).contains("hiq_handle_count{service=\"web\"} 20\n");
        assertThat(m).contains("hiq_db_count{service=\"batch\"} 20\n");
        // these trees are days old: outside the quantiles' 10-minute window
        assertThat(m).contains("hiq_handle{service=\"web\",quantile=\"0.99\"} NaN\n");
        assertThat(m).contains("hiq_consumer_trees_ingested_total 40\n");
        assertThat(m).contains("hiq_consumer_dead_letters_total 0\n");
        assertThat(m).contains("hiq_consumer_trees_stored 40\n");
        assertThat(m).containsPattern("hiq_consumer_lag \\d+\n");
        long sumNs = TREES.stream().filter(t -> t.service().equals("web")).mapToLong(t -> t.root().span()).sum();
        assertThat(m).contains("hiq_handle_sum{service=\"web\"} "
                + java.math.BigDecimal.valueOf(sumNs, 9).stripTrailingZeros().toPlainString() + "\n");
    }

    private static List<String> ids(JsonNode page) {
        List<String> out = new ArrayList<>();
        page.get("trees").forEach(t -> out.add(t.get("id").asText()));
        return out;
    }
}
