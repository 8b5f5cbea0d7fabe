package io.hiq.web.javalin;

import io.hiq.web.HiQEndpoints;
import io.hiq.web.HiQWebConfig;
import io.hiq.web.RequestSpan;
import io.hiq.web.RequestTrees;
import io.javalin.config.JavalinState;
import io.javalin.http.Context;
import io.javalin.plugin.Plugin;
import io.javalin.router.Endpoint;
import java.util.function.Consumer;

/**
 * A Javalin 7 plugin that makes every matched HTTP request the root of a HiQ tree (the user guide's
 * FastAPI middleware, for Javalin), with {@code X-Request-ID} and {@code X-Latency} response
 * headers, and optionally the {@code /hiq} endpoints ({@link HiQEndpoints}).
 *
 * <pre>{@code
 * Javalin.create(config -> {
 *     config.registerPlugin(new HiQJavalinPlugin(hiq -> hiq.endpoints(true)));
 *     config.routes.get("/orders/{id}", ctx -> ctx.result(shop.order(ctx.pathParam("id"))));
 * });
 * }</pre>
 *
 * <p>The root opens in a {@code beforeMatched} handler, where the route is known
 * ({@code GET /orders/{id}} → {@code http_GET_orders_id}), and closes in an {@code after} handler,
 * which Javalin runs after exceptions too; the response is written after that, so
 * {@code X-Latency} covers every handler. Requests with no matching route (404) are not traced.
 * Handlers must be synchronous: a span is opened and closed on the request's thread.
 */
public final class HiQJavalinPlugin extends Plugin<HiQWebConfig> {
    private static final String ATTRIBUTE = "io.hiq.web.span";

    private RequestTrees trees;

    /** With the defaults: requests traced, no {@code /hiq} endpoints. */
    public HiQJavalinPlugin() { this(c -> {}); }

    /** Configured by {@code userConfig}. */
    public HiQJavalinPlugin(Consumer<HiQWebConfig> userConfig) { super(userConfig, new HiQWebConfig()); }

    @Override
    public String name() { return "hiq"; }

    /** The kept request trees (tests, embedding). */
    public RequestTrees trees() { return trees; }

    @Override
    public void onInitialize(JavalinState state) {
        HiQWebConfig config = pluginConfig;
        trees = new RequestTrees(config.keep());
        HiQEndpoints endpoints = new HiQEndpoints(config, trees);

        state.routes.beforeMatched(ctx -> {
            String path = pathOf(ctx);
            if (endpoints.handles(path)) return;
            RequestSpan span = RequestSpan.open(config, trees, ctx.req().getMethod(), route(ctx), path, ctx.header("X-Request-ID"));
            ctx.attribute(ATTRIBUTE, span);
            ctx.header("X-Request-ID", span.requestId());
        });
        state.routes.after(ctx -> {
            RequestSpan span = ctx.attribute(ATTRIBUTE);
            if (span == null) return;
            ctx.attribute(ATTRIBUTE, null);
            ctx.header("X-Latency", span.latencyHeader());
            span.finish(ctx.statusCode(), null);
        });

        if (config.endpoints()) {
            String base = config.basePath();
            state.routes.get(base, ctx -> respond(ctx, endpoints.handle("GET", base, ctx.header("Authorization"))));
            state.routes.get(base + "/{id}", ctx -> respond(ctx, endpoints.handle("GET", base + "/" + ctx.pathParam("id"), ctx.header("Authorization"))));
            state.routes.post(base + "/{action}", ctx -> respond(ctx, endpoints.handle("POST", base + "/" + ctx.pathParam("action"), ctx.header("Authorization"))));
        }
    }

    /** The matched HTTP endpoint's path pattern ({@code /orders/{id}}), null when unknown. */
    private static String route(Context ctx) {
        // set by Javalin just before the beforeMatched handlers run
        Endpoint e = ctx.endpoints().matchedHttpEndpoint();
        return e != null && e.method.isHttpMethod() ? e.path : null;
    }

    private static void respond(Context ctx, HiQEndpoints.Response r) {
        ctx.status(r.status());
        ctx.contentType(r.contentType());
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Cache-Control", "no-store");
        ctx.result(r.bytes());
    }

    private static String pathOf(Context ctx) {
        String uri = ctx.req().getRequestURI();
        String cp = ctx.req().getContextPath();
        return cp != null && !cp.isEmpty() && uri.startsWith(cp) ? uri.substring(cp.length()) : uri;
    }
}
