package io.hiq.web.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hiq.HiQ;
import io.hiq.core.runtime.Settings;
import io.hiq.tree.HiQNode;
import io.hiq.tree.HiQTree;
import io.hiq.web.HiQWebConfig;
import io.hiq.web.testapp.Http;
import io.hiq.web.testapp.Orders;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The filter in a real Jetty 12 (EE10) servlet container on 127.0.0.1, HiQ in driver mode. */
class HiQServletFilterTest {
    @TempDir static Path home;
    static HiQ hiq;
    static Server server;
    static HiQServletFilter filter;
    static Http http;

    /** Calls the traced code; {@code ?big} writes a body larger than the buffer, flushed in parts. */
    static final class OrdersServlet extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse res) throws IOException {
            String id = req.getPathInfo() == null ? "0" : req.getPathInfo().substring(1);
            if (id.equals("fail")) throw new IllegalStateException("no such order");
            String body = Orders.find(id);
            res.setContentType("text/plain");
            if (req.getParameter("big") != null) {
                var w = res.getWriter();
                for (int i = 0; i < 20_000; i++) w.print(body);
                w.flush();
                for (int i = 0; i < 20_000; i++) w.print(body);
            } else {
                res.getWriter().print(body);
            }
        }
    }

    @BeforeAll
    static void start() throws Exception {
        hiq = HiQ.builder().conf(Orders.CONF).service("servlet-test").settings(Settings.of(Map.of("HIQ_HOME", home.toString()))).start();
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler ctx = new ServletContextHandler("/shop");
        ctx.addServlet(new ServletHolder(new OrdersServlet()), "/orders/*");
        filter = new HiQServletFilter(new HiQWebConfig().endpoints(true).token(null));
        ctx.addFilter(new FilterHolder(filter), "/*", EnumSet.of(DispatcherType.REQUEST));
        server.setHandler(ctx);
        server.start();
        http = new Http(connector.getLocalPort());
    }

    @AfterAll
    static void stop() throws Exception {
        server.stop();
        hiq.close();
    }

    private static HiQTree treeOf(HttpResponse<String> r) {
        String id = r.headers().firstValue("X-Request-ID").orElseThrow();
        return await().atMost(Duration.ofSeconds(10)).until(() -> filter.trees().find(id).orElse(null), t -> t != null);
    }

    @Test
    void requestsBecomeRootsNamedAfterTheirMappingWithHeaders() throws Exception {
        HttpResponse<String> r = http.get("/shop/orders/77");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("order 77 costs 20");
        assertThat(r.headers().firstValue("X-Latency").orElseThrow()).matches("\\d+\\.\\d{3}ms");
        HiQTree t = treeOf(r);
        HiQNode root = t.root();
        assertThat(root.name()).isEqualTo("http_GET_orders");
        assertThat(root.extra()).containsEntry("route", "/orders/*").containsEntry("path", "/orders/77")
                .containsEntry("method", "GET").containsEntry("status", 200);
        assertThat(root.children()).extracting(HiQNode::name).containsExactly("find");
        assertThat(root.children().get(0).children()).extracting(HiQNode::name).containsExactly("price");
    }

    @Test
    void latencyIsSetEvenWhenTheBodyIsFlushedEarly() throws Exception {
        HttpResponse<String> r = http.get("/shop/orders/5?big=1");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body().length()).isEqualTo(40_000 * "order 5 costs 10".length());
        assertThat(r.headers().firstValue("X-Latency").orElseThrow()).matches("\\d+\\.\\d{3}ms");
        assertThat(r.headers().firstValue("X-Request-ID")).isPresent();
        assertThat(treeOf(r).root().extra()).containsEntry("status", 200);
    }

    @Test
    void anExceptionIsRecordedOnTheRootAsA500() throws Exception {
        HttpResponse<String> r = http.get("/shop/orders/fail");
        assertThat(r.statusCode()).isEqualTo(500);
        HiQTree t = treeOf(r);
        assertThat(t.root().extra()).containsEntry("status", 500)
                .containsEntry("exception", "java.lang.IllegalStateException: no such order");
    }

    @Test
    void endpointsServeJsonAndTextNeverHtmlAndRefuseSwitchingWithoutAToken() throws Exception {
        // a path with markup in it: shown escaped in JSON, never as HTML
        HttpResponse<String> r = http.get("/shop/orders/%3Cb%3Ex");
        String id = treeOf(r).root().extra().get("request_id").toString();
        HttpResponse<String> list = http.get("/shop/hiq");
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(list.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/json");
        assertThat(list.body()).contains("\"id\":\"" + id + "\"").doesNotContain("<b>");
        HttpResponse<String> text = http.get("/shop/hiq/" + id);
        assertThat(text.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain");
        assertThat(text.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(text.body()).contains("l_[http_GET_orders]", "l_[find]");
        assertThat(http.get("/shop/hiq/%3Cscript%3E").statusCode()).isEqualTo(404);

        assertThat(http.post("/shop/hiq/disable").statusCode()).isEqualTo(403);
        assertThat(http.post("/shop/hiq/enable", "Authorization", "Bearer x").statusCode()).isEqualTo(403);
        assertThat(hiq.isEnabled()).isTrue();
    }

    @Test
    void xLatencyAndTheRootShareTheirClockReadings() throws Exception {
        HttpResponse<String> r = http.get("/shop/orders/78");
        String header = r.headers().firstValue("X-Latency").orElseThrow();
        HiQTree t = treeOf(r);
        // the header truncates to microseconds, the tree keeps a double of the same nanoseconds
        double headerMs = Double.parseDouble(header.substring(0, header.length() - 2));
        assertThat(t.latencyMs()).isCloseTo(headerMs, org.assertj.core.data.Offset.offset(0.0015)); // both printed to the µs: one rounding step apart at most
        assertThat(t.root().extra()).doesNotContainKey(io.hiq.web.RequestSpan.X_LATENCY);
    }

    @Test
    void aThrowFromAnyHiqStepNeverFailsTheRequest() throws Exception {
        java.util.Set<String> reached = java.util.concurrent.ConcurrentHashMap.newKeySet();
        io.hiq.web.WebSteps.faultProbe(reached::add);
        http.get("/shop/orders/1");
        io.hiq.web.WebSteps.faultProbe(null);
        assertThat(reached).containsExactlyInAnyOrderElementsOf(io.hiq.web.WebSteps.STEPS);
        try {
            for (String step : io.hiq.web.WebSteps.STEPS) {
                for (Throwable boom : new Throwable[] {new IllegalStateException("boom in " + step), new LinkageError("boom in " + step)}) {
                    io.hiq.web.WebSteps.faultProbe(s -> {
                        if (s.equals(step)) {
                            if (boom instanceof RuntimeException e) throw e;
                            throw (Error) boom;
                        }
                    });
                    HttpResponse<String> r = http.get("/shop/orders/9");
                    assertThat(r.statusCode()).as("status with a throw in step %s", step).isEqualTo(200);
                    assertThat(r.body()).as("body with a throw in step %s", step).startsWith("order 9 costs ");
                }
            }
        } finally {
            io.hiq.web.WebSteps.faultProbe(null);
        }
        // afterwards: traced as before, no root left open on any thread
        HttpResponse<String> r = http.get("/shop/orders/10");
        assertThat(treeOf(r).root().name()).isEqualTo("http_GET_orders");
        assertThat(hiq.runtime().counters().get(io.hiq.web.WebSteps.COUNTER)).isPositive();
    }

    @Test
    void randomMethodsMapToOneTagAndTheAppKeepsAnswering() throws Exception {
        var registry = io.hiq.core.runtime.HiQRuntime.tagRegistry();
        http.get("/shop/orders/1");
        int before = registry.size();
        io.hiq.web.RandomMethodFlood.send(java.net.URI.create("http://127.0.0.1:" + ((ServerConnector) server.getConnectors()[0]).getLocalPort() + "/shop/orders/1"), 10_000, 13);
        assertThat(registry.size() - before).isLessThanOrEqualTo(1);
        assertThat(registry.byName("http_OTHER_orders")).isNotNull();
        HttpResponse<String> r = http.get("/shop/orders/3");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).startsWith("order 3 costs ");
    }
}
