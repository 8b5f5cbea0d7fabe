package io.hiq.web.javalin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hiq.HiQ;
import io.hiq.core.runtime.Settings;
import io.hiq.tree.HiQNode;
import io.hiq.tree.HiQTree;
import io.hiq.web.testapp.Http;
import io.hiq.web.testapp.Orders;
import io.javalin.Javalin;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real Javalin 7 app (Jetty 12, 127.0.0.1, ephemeral port) under the plugin, with HiQ in driver mode. */
class HiQJavalinPluginTest {
    private static final String TOKEN = "t0ken-for-tests";
    @TempDir static Path home;
    static HiQ hiq;

    @BeforeAll
    static void startHiQ() {
        hiq = HiQ.builder().conf(Orders.CONF).service("web-test")
                .settings(Settings.of(Map.of("HIQ_HOME", home.toString()))).start();
    }

    @AfterAll
    static void stopHiQ() { hiq.close(); }

    private record App(Javalin javalin, HiQJavalinPlugin plugin, Http http) implements AutoCloseable {
        @Override public void close() { javalin.stop(); }
    }

    private static App app(Consumer<io.hiq.web.HiQWebConfig> web) {
        HiQJavalinPlugin plugin = new HiQJavalinPlugin(web);
        Javalin j = Javalin.create(config -> {
            config.jetty.host = "127.0.0.1";
            config.jetty.port = 0;
            config.registerPlugin(plugin);
            config.routes.get("/orders/{id}", ctx -> ctx.result(Orders.find(ctx.pathParam("id"))));
            config.routes.get("/boom", ctx -> {
                Orders.price("x");
                throw new IllegalStateException("boom");
            });
        }).start();
        return new App(j, plugin, new Http(j.port()));
    }

    @Test
    void eachRequestIsATreeRootWithHeadersAndTracedChildren() throws Exception {
        try (App app = app(c -> {})) {
            HttpResponse<String> r = app.http.get("/orders/42");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("order 42 costs 20");
            String id = r.headers().firstValue("X-Request-ID").orElseThrow();
            assertThat(id).matches("[0-9a-f]{16}");
            assertThat(r.headers().firstValue("X-Latency").orElseThrow()).matches("\\d+\\.\\d{3}ms");
            double latencyMs = Double.parseDouble(r.headers().firstValue("X-Latency").get().replace("ms", ""));
            assertThat(latencyMs).isGreaterThanOrEqualTo(3.0); // find sleeps 2 ms, price 1 ms

            HiQTree tree = await().atMost(Duration.ofSeconds(10)).until(() -> app.plugin.trees().find(id).orElse(null), t -> t != null);
            HiQNode root = tree.root();
            assertThat(root.name()).isEqualTo("http_GET_orders_id");
            assertThat(root.extra()).containsEntry("request_id", id).containsEntry("method", "GET")
                    .containsEntry("route", "/orders/{id}").containsEntry("path", "/orders/42").containsEntry("status", 200);
            assertThat(root.children()).extracting(HiQNode::name).containsExactly("find");
            assertThat(root.children().get(0).children()).extracting(HiQNode::name).containsExactly("price");
            assertThat(root.span()).isGreaterThanOrEqualTo(root.children().get(0).span());

            // a proxy's plain id is kept; anything else is replaced
            assertThat(app.http.get("/orders/1", "X-Request-ID", "edge-7.a_b").headers().firstValue("X-Request-ID")).hasValue("edge-7.a_b");
            assertThat(app.http.get("/orders/1", "X-Request-ID", "<script>").headers().firstValue("X-Request-ID").orElseThrow()).matches("[0-9a-f]{16}");
        }
    }

    @Test
    void aFailingHandlerStillClosesItsTreeWithStatus500() throws Exception {
        try (App app = app(c -> {})) {
            HttpResponse<String> r = app.http.get("/boom");
            assertThat(r.statusCode()).isEqualTo(500);
            String id = r.headers().firstValue("X-Request-ID").orElseThrow();
            assertThat(r.headers().firstValue("X-Latency")).isPresent();
            HiQTree tree = await().atMost(Duration.ofSeconds(10)).until(() -> app.plugin.trees().find(id).orElse(null), t -> t != null);
            assertThat(tree.root().name()).isEqualTo("http_GET_boom");
            assertThat(tree.root().extra()).containsEntry("status", 500);
            assertThat(tree.root().children()).extracting(HiQNode::name).containsExactly("price");
            // the thread's next request is a root of its own, not nested under the failed one
            HttpResponse<String> next = app.http.get("/orders/5");
            String nextId = next.headers().firstValue("X-Request-ID").orElseThrow();
            HiQTree t2 = await().atMost(Duration.ofSeconds(10)).until(() -> app.plugin.trees().find(nextId).orElse(null), t -> t != null);
            assertThat(t2.root().name()).isEqualTo("http_GET_orders_id");
        }
    }

    @Test
    void endpointsAreOffByDefault() throws Exception {
        try (App app = app(c -> {})) {
            assertThat(app.http.get("/hiq").statusCode()).isEqualTo(404);
            assertThat(app.http.post("/hiq/disable").statusCode()).isEqualTo(404);
            assertThat(hiq.isEnabled()).isTrue();
        }
    }

    @Test
    void endpointsListAndRenderTreesAndSwitchTracingOnlyWithTheToken() throws Exception {
        try (App app = app(c -> c.endpoints(true).token(TOKEN))) {
            String auth = "Bearer " + TOKEN;
            String id = app.http.get("/orders/9").headers().firstValue("X-Request-ID").orElseThrow();
            await().atMost(Duration.ofSeconds(10)).until(() -> app.plugin.trees().find(id).isPresent());

            assertThat(app.http.get("/hiq").statusCode()).isEqualTo(401);
            assertThat(app.http.get("/hiq", "Authorization", "Bearer wrong").statusCode()).isEqualTo(401);
            HttpResponse<String> list = app.http.get("/hiq", "Authorization", auth);
            assertThat(list.statusCode()).isEqualTo(200);
            assertThat(list.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/json");
            assertThat(list.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
            assertThat(list.body()).startsWith("{\"enabled\":true,\"trees\":[{\"id\":\"" + id + "\"")
                    .contains("\"path\":\"/orders/9\"", "\"status\":200", "\"latency_ms\":");
            // the /hiq requests themselves are not traced
            assertThat(list.body()).doesNotContain("/hiq");

            HttpResponse<String> text = app.http.get("/hiq/" + id, "Authorization", auth);
            assertThat(text.statusCode()).isEqualTo(200);
            assertThat(text.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain");
            String[] lines = text.body().split("\n");
            assertThat(lines[0]).contains("_root_time(");
            assertThat(text.body()).contains("l_[http_GET_orders_id]", "l_[find]", "l_[price]", "request_id=" + id);
            assertThat(app.http.get("/hiq/nope", "Authorization", auth).statusCode()).isEqualTo(404);

            // switching: refused without the token, done with it
            assertThat(app.http.post("/hiq/disable").statusCode()).isEqualTo(401);
            assertThat(hiq.isEnabled()).isTrue();
            HttpResponse<String> off = app.http.post("/hiq/disable", "Authorization", auth);
            assertThat(off.statusCode()).isEqualTo(200);
            assertThat(off.body()).isEqualTo("{\"enabled\":false}");
            assertThat(hiq.isEnabled()).isFalse();
            HttpResponse<String> untraced = app.http.get("/orders/3");
            assertThat(untraced.statusCode()).isEqualTo(200);
            assertThat(untraced.headers().firstValue("X-Request-ID")).isPresent();
            assertThat(app.http.post("/hiq/enable", "Authorization", auth).body()).isEqualTo("{\"enabled\":true}");
            assertThat(hiq.isEnabled()).isTrue();
            String after = app.http.get("/orders/4").headers().firstValue("X-Request-ID").orElseThrow();
            await().atMost(Duration.ofSeconds(10)).until(() -> app.plugin.trees().find(after).isPresent());
            String untracedId = untraced.headers().firstValue("X-Request-ID").get();
            assertThat(app.plugin.trees().find(untracedId)).isEmpty();
        } finally {
            hiq.enable();
        }
    }

    @Test
    void withoutATokenTreesAreReadableButTracingCannotBeSwitched() throws Exception {
        try (App app = app(c -> c.endpoints(true).token(null))) {
            HttpResponse<String> r = app.http.post("/hiq/disable");
            assertThat(r.statusCode()).isEqualTo(403);
            assertThat(r.body()).contains("HIQ_WEB_TOKEN");
            assertThat(app.http.post("/hiq/disable", "Authorization", "Bearer anything").statusCode()).isEqualTo(403);
            assertThat(hiq.isEnabled()).isTrue();
            assertThat(app.http.get("/hiq").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void oldTreesAreForgottenBeyondKeep() throws Exception {
        try (App app = app(c -> c.keep(2))) {
            List<String> ids = new java.util.ArrayList<>();
            for (int i = 0; i < 4; i++) ids.add(app.http.get("/orders/" + i).headers().firstValue("X-Request-ID").orElseThrow());
            await().atMost(Duration.ofSeconds(10)).until(() -> app.plugin.trees().find(ids.get(3)).isPresent());
            assertThat(app.plugin.trees().list()).extracting(t -> t.root().extra().get("request_id"))
                    .containsExactly(ids.get(3), ids.get(2));
        }
    }

    @Test
    void aThrowFromAnyHiqStepNeverFailsTheRequestAndRandomMethodsStayBounded() throws Exception {
        java.util.List<String> steps = java.util.List.of("path", "endpoints", "open", "extras", "request-id", "stamp", "finish");
        try (App app = app(c -> {})) {
            try {
                for (String step : steps) {
                    io.hiq.web.WebSteps.faultProbe(s -> {
                        if (s.equals(step)) throw new IllegalStateException("boom in " + step);
                    });
                    HttpResponse<String> r = app.http.get("/orders/9");
                    assertThat(r.statusCode()).as("status with a throw in step %s", step).isEqualTo(200);
                    assertThat(r.body()).as("body with a throw in step %s", step).startsWith("order 9 costs ");
                }
            } finally {
                io.hiq.web.WebSteps.faultProbe(null);
            }
            var registry = io.hiq.core.runtime.HiQRuntime.tagRegistry();
            int before = registry.size();
            io.hiq.web.RandomMethodFlood.send(java.net.URI.create("http://127.0.0.1:" + app.javalin.port() + "/orders/1"), 10_000, 14);
            assertThat(registry.size() - before).isLessThanOrEqualTo(1);
            HttpResponse<String> r = app.http.get("/orders/3");
            assertThat(r.statusCode()).isEqualTo(200);
            String id = r.headers().firstValue("X-Request-ID").orElseThrow();
            HiQTree tree = await().atMost(Duration.ofSeconds(10)).until(() -> app.plugin.trees().find(id).orElse(null), t -> t != null);
            assertThat(tree.root().name()).isEqualTo("http_GET_orders_id");
            // X-Latency and the root share their end reading
            String header = r.headers().firstValue("X-Latency").orElseThrow();
            double headerMs = Double.parseDouble(header.substring(0, header.length() - 2));
            assertThat(tree.latencyMs()).isCloseTo(headerMs, org.assertj.core.data.Offset.offset(0.0015)); // both printed to the µs: one rounding step apart at most
        }
    }
}
