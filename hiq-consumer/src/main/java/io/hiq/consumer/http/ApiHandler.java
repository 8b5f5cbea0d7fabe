package io.hiq.consumer.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hiq.consumer.store.SeriesPoint;
import io.hiq.consumer.store.ServiceOverview;
import io.hiq.consumer.store.ServiceSummary;
import io.hiq.consumer.store.TagStats;
import io.hiq.consumer.store.TreePage;
import io.hiq.consumer.store.TreeQuery;
import io.hiq.consumer.store.TreeStore;
import io.hiq.consumer.store.TreeSummary;
import io.hiq.tree.HiQTree;
import io.hiq.tree.TreeCodec;
import io.hiq.tree.TreeFormatException;
import io.hiq.tree.TreeRenderer;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API and UI of DESIGN B6 as one Jetty handler: a small explicit router (the endpoint list is
 * fixed by the contract, a framework would add nothing). Every response carries a strict
 * Content-Security-Policy (scripts, styles and data from this origin only) and nosniff; errors are JSON
 * {@code {"error": "..."}} with 400, 401, 404 or 405.
 */
public final class ApiHandler extends Handler.Abstract {
    private static final Logger LOG = LoggerFactory.getLogger(ApiHandler.class);
    /** The policy sent with every response. */
    public static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
            + " connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    private static final String JSON = "application/json; charset=utf-8";
    private static final int MAX_LIMIT = 1000;
    /** Window of {@code /api/stats/series} without {@code from}: one day (1 440 points of a minute). */
    static final long SERIES_DEFAULT_WINDOW_MS = 86_400_000L;
    private static final Set<String> RESERVED = Set.of("hiq_consumer_trees_ingested_total", "hiq_consumer_trees_duplicate_total",
            "hiq_consumer_records_total", "hiq_consumer_dead_letters_total", "hiq_consumer_lag", "hiq_consumer_trees_stored",
            "hiq_consumer_up");

    private final TreeStore store;
    private final ServiceStatus status;
    private final BearerAuth auth;
    private final ObjectMapper mapper = TreeCodec.mapper();
    private final TreeRenderer renderer = TreeRenderer.local();

    public ApiHandler(TreeStore store, ServiceStatus status, BearerAuth auth) {
        this.store = store;
        this.status = status;
        this.auth = auth;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        response.getHeaders().put("Content-Security-Policy", CSP);
        response.getHeaders().put("X-Content-Type-Options", "nosniff");
        response.getHeaders().put("Referrer-Policy", "no-referrer");
        String path = Request.getPathInContext(request);
        try {
            if (!"GET".equals(request.getMethod()) && !"HEAD".equals(request.getMethod())) {
                return error(response, callback, HttpStatus.METHOD_NOT_ALLOWED_405, "only GET is supported");
            }
            Fields q = Request.extractQueryParameters(request, StandardCharsets.UTF_8);
            if (path.equals("/health")) return health(response, callback);
            if (path.equals("/") && auth.enabled() && q.getValue("token") != null && auth.matches(q.getValue("token"))) {
                // the browser's way in: trade the token in the URL for a cookie, then drop it from the URL
                response.getHeaders().add(HttpHeader.SET_COOKIE, BearerAuth.COOKIE + "="
                        + URLEncoder.encode(q.getValue("token"), StandardCharsets.UTF_8) + "; Path=/; HttpOnly; SameSite=Strict");
                response.getHeaders().put(HttpHeader.LOCATION, "/");
                response.setStatus(HttpStatus.SEE_OTHER_303);
                response.write(true, ByteBuffer.allocate(0), callback);
                return true;
            }
            if (!auth.authorized(request)) {
                response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer realm=\"hiq\"");
                return error(response, callback, HttpStatus.UNAUTHORIZED_401,
                        "authorization required: Authorization: Bearer <HIQ_CONSUMER_TOKEN> (browsers: open /?token=<token>)");
            }
            if (path.equals("/") || path.equals("/index.html")) return resource(response, callback, "index.html", "text/html; charset=utf-8");
            if (path.equals("/ui/app.js")) return resource(response, callback, "app.js", "text/javascript; charset=utf-8");
            if (path.equals("/ui/app.css")) return resource(response, callback, "app.css", "text/css; charset=utf-8");
            if (path.equals("/metrics")) return send(response, callback, 200, PrometheusText.CONTENT_TYPE, metrics());
            if (path.equals("/api/trees")) return trees(response, callback, q);
            if (path.equals("/api/stats")) return stats(response, callback, q);
            if (path.equals("/api/stats/series")) return series(response, callback, q);
            if (path.equals("/api/services")) return services(response, callback, q);
            if (path.startsWith("/api/trees/")) {
                String rest = path.substring("/api/trees/".length());
                boolean text = rest.endsWith("/text");
                String id = text ? rest.substring(0, rest.length() - "/text".length()) : rest;
                if (!id.isEmpty() && !id.contains("/")) return tree(response, callback, id, text);
            }
            return error(response, callback, HttpStatus.NOT_FOUND_404, "no such endpoint");
        } catch (BadRequestException e) {
            return error(response, callback, HttpStatus.BAD_REQUEST_400, e.getMessage());
        } catch (io.hiq.consumer.store.StoreBusyException e) {
            // every read connection busy for the bounded wait: tell the client to come back, keep the thread
            response.getHeaders().put(HttpHeader.RETRY_AFTER, "1");
            return error(response, callback, HttpStatus.SERVICE_UNAVAILABLE_503, "store busy, retry later");
        } catch (Exception e) {
            LOG.warn("http: {} failed", path, e);
            return error(response, callback, HttpStatus.INTERNAL_SERVER_ERROR_500, "internal error: " + e.getClass().getSimpleName());
        }
    }

    private boolean health(Response response, Callback callback) throws IOException {
        boolean up = status.up();
        ObjectNode o = mapper.createObjectNode();
        o.put("status", up ? "UP" : "DOWN");
        String reason = status.downReason();
        if (reason != null) o.put("reason", reason);
        o.put("store", status.storeOpen() ? "open" : "closed");
        o.put("storeKind", status.storeKind());
        o.put("kafka", status.joined() ? "assigned" : "joining");
        ArrayNode parts = o.putArray("partitions");
        status.partitions().forEach(parts::add);
        return json(response, callback, up ? 200 : 503, o);
    }

    private boolean trees(Response response, Callback callback, Fields q) throws Exception {
        int limit = (int) Math.min(MAX_LIMIT, intParam(q, "limit", 50));
        if (limit < 0) throw new BadRequestException("parameter 'limit': negative");
        String service = blankToNull(q.getValue("service"));
        double minLatency = doubleParam(q, "minLatencyMs", 0);
        String order = q.getValue("order") == null ? "newest" : q.getValue("order");
        if (!order.equals("newest") && !order.equals("slowest")) {
            throw new BadRequestException("parameter 'order': expected newest or slowest, not " + order);
        }
        String tag = blankToNull(q.getValue("tag"));
        double maxLatency = doubleParam(q, "maxLatencyMs", -1);
        if (q.getValue("maxLatencyMs") != null && !q.getValue("maxLatencyMs").isBlank() && maxLatency < minLatency) {
            throw new BadRequestException("parameter 'maxLatencyMs': below minLatencyMs");
        }
        TreePage page = store.trees(new TreeQuery(service, tag, minLatency, maxLatency, order.equals("slowest"), limit));
        ObjectNode o = mapper.createObjectNode();
        o.put("total", page.total());
        ArrayNode arr = o.putArray("trees");
        for (TreeSummary t : page.trees()) {
            arr.addObject().put("id", t.id()).put("service", t.service()).put("root", t.rootTag())
                    .put("start", t.startUs()).put("latency_ms", t.latencyMs()).put("thread", t.thread()).put("errors", t.errors());
        }
        return json(response, callback, 200, o);
    }

    private boolean tree(Response response, Callback callback, String id, boolean text) throws Exception {
        String json = store.treeJson(id);
        if (json == null) return error(response, callback, HttpStatus.NOT_FOUND_404, "no tree with this id");
        if (!text) return send(response, callback, 200, JSON, json);
        HiQTree t;
        try {
            t = TreeCodec.decode(json);
        } catch (TreeFormatException e) {
            throw new IllegalStateException("stored tree no longer decodes: " + e.getMessage(), e);
        }
        return send(response, callback, 200, "text/plain; charset=utf-8", renderer.render(t));
    }

    private boolean stats(Response response, Callback callback, Fields q) throws Exception {
        String service = blankToNull(q.getValue("service"));
        Long to = TimeParam.parse("to", q.getValue("to"));
        Long from = TimeParam.parse("from", q.getValue("from"));
        // bounded by default: without from, the hour before to (or now)
        if (from == null) from = (to != null ? to : System.currentTimeMillis()) - TreeStore.DEFAULT_STATS_WINDOW_MS;
        List<TagStats> stats = store.stats(service, from, to);
        ObjectNode o = mapper.createObjectNode();
        o.put("service", service);
        o.put("from", q.getValue("from"));
        o.put("to", q.getValue("to"));
        ArrayNode arr = o.putArray("tags");
        for (TagStats s : stats) {
            arr.addObject().put("tag", s.tag()).put("count", s.count()).put("mean_ms", s.meanMs())
                    .put("p50_ms", s.p50Ms()).put("p95_ms", s.p95Ms()).put("p99_ms", s.p99Ms()).put("max_ms", s.maxMs());
        }
        return json(response, callback, 200, o);
    }

    private boolean services(Response response, Callback callback, Fields q) throws Exception {
        Long to = TimeParam.parse("to", q.getValue("to"));
        Long from = TimeParam.parse("from", q.getValue("from"));
        // bounded like /api/stats: without from, the hour before to (or now)
        if (from == null) from = (to != null ? to : System.currentTimeMillis()) - TreeStore.DEFAULT_STATS_WINDOW_MS;
        int limit = (int) intParam(q, "limit", 20);
        if (limit < 1 || limit > ServiceOverview.MAX_SERVICES) {
            throw new BadRequestException("parameter 'limit': must be 1.." + ServiceOverview.MAX_SERVICES + ", was " + limit);
        }
        ObjectNode o = mapper.createObjectNode();
        o.put("from", q.getValue("from"));
        o.put("to", q.getValue("to"));
        ArrayNode arr = o.putArray("services");
        for (ServiceSummary s : new ServiceOverview(store).services(from, to, limit)) {
            TagStats t = s.rootStats();
            arr.addObject().put("service", s.service()).put("trees", s.trees()).put("root", s.rootTag())
                    .put("root_trees", s.rootTrees()).put("count", t.count()).put("mean_ms", t.meanMs())
                    .put("p50_ms", t.p50Ms()).put("p95_ms", t.p95Ms()).put("p99_ms", t.p99Ms()).put("max_ms", t.maxMs());
        }
        return json(response, callback, 200, o);
    }

    private boolean series(Response response, Callback callback, Fields q) throws Exception {
        String tag = blankToNull(q.getValue("tag"));
        if (tag == null) throw new BadRequestException("parameter 'tag': required");
        Long to = TimeParam.parse("to", q.getValue("to"));
        Long from = TimeParam.parse("from", q.getValue("from"));
        // bounded by default: without from, the day before to (or now), at most one point per minute
        if (from == null) from = (to != null ? to : System.currentTimeMillis()) - SERIES_DEFAULT_WINDOW_MS;
        List<SeriesPoint> points = store.series(blankToNull(q.getValue("service")), tag, from, to);
        ArrayNode arr = mapper.createArrayNode();
        for (SeriesPoint p : points) {
            arr.addObject().put("minute", p.minuteMs()).put("count", p.count())
                    .put("p50_ms", p.p50Ms()).put("p95_ms", p.p95Ms()).put("p99_ms", p.p99Ms());
        }
        return json(response, callback, 200, arr);
    }

    private String metrics() throws Exception {
        PrometheusText p = new PrometheusText();
        p.metric("hiq_consumer_up", "gauge", "1 when the store is open and the group assigned partitions",
                status.up() ? 1 : 0);
        p.metric("hiq_consumer_records_total", "counter", "Kafka records polled by this instance", status.records());
        p.metric("hiq_consumer_trees_ingested_total", "counter", "Trees stored for the first time by this instance", status.treesIngested());
        p.metric("hiq_consumer_trees_duplicate_total", "counter", "Redelivered or duplicate trees ignored by this instance", status.duplicates());
        p.metric("hiq_consumer_dead_letters_total", "counter", "Records that were not valid trees (dead-letter file)", status.deadLetters());
        p.metric("hiq_consumer_lag", "gauge", "Records not yet consumed on the assigned partitions", status.lag());
        p.metric("hiq_consumer_trees_stored", "gauge", "Trees in the store", store.treeCount());
        status.exportMetrics(p);
        p.summaries(store.statsByServiceAndTag(System.currentTimeMillis() - PrometheusText.QUANTILE_WINDOW_MS), RESERVED);
        return p.toString();
    }

    private boolean resource(Response response, Callback callback, String name, String type) throws IOException {
        try (InputStream in = ApiHandler.class.getResourceAsStream("/io/hiq/consumer/ui/" + name)) {
            if (in == null) return error(response, callback, 404, "missing resource " + name);
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
            return send(response, callback, 200, type, in.readAllBytes());
        }
    }

    private boolean json(Response response, Callback callback, int status, Object body) throws IOException {
        return send(response, callback, status, JSON, mapper.writeValueAsBytes(body));
    }

    private boolean error(Response response, Callback callback, int status, String message) {
        try {
            return json(response, callback, status, mapper.createObjectNode().put("error", message));
        } catch (IOException e) {
            callback.failed(e);
            return true;
        }
    }

    private static boolean send(Response response, Callback callback, int status, String type, String body) {
        return send(response, callback, status, type, body.getBytes(StandardCharsets.UTF_8));
    }

    private static boolean send(Response response, Callback callback, int status, String type, byte[] body) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
        return true;
    }

    private static String blankToNull(String s) { return s == null || s.isBlank() ? null : s; }

    private static long intParam(Fields q, String name, long def) {
        String v = q.getValue(name);
        if (v == null || v.isBlank()) return def;
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new BadRequestException("parameter '" + name + "': not an integer: " + v);
        }
    }

    private static double doubleParam(Fields q, String name, double def) {
        String v = q.getValue(name);
        if (v == null || v.isBlank()) return def;
        try {
            double d = Double.parseDouble(v.trim());
            if (Double.isNaN(d) || d < 0) throw new NumberFormatException();
            return d;
        } catch (NumberFormatException e) {
            throw new BadRequestException("parameter '" + name + "': not a non-negative number: " + v);
        }
    }
}
