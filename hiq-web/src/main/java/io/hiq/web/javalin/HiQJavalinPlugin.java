package io.hiq.web.javalin;

import io.hiq.web.HiQEndpoints;
import io.hiq.web.HiQWebConfig;
import io.hiq.web.RequestSpan;
import io.hiq.web.RequestTrees;
import io.hiq.web.WebSteps;
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

        // every HiQ step is guarded (WebSteps): whatever fails in HiQ, the application's request runs
        state.routes.beforeMatched(ctx -> {
            String step = "path";
            try {
                WebSteps.probe(step);
                String path = pathOf(ctx);
                WebSteps.probe(step = "endpoints");
                if (endpoints.handles(path)) return;
                WebSteps.probe(step = "open");
                RequestSpan span = RequestSpan.open(config, trees, ctx.req().getMethod(), route(ctx), path, ctx.header("X-Request-ID"));
                // stored first: once open, the span must reach the after handler to be closed
                ctx.attribute(ATTRIBUTE, span);
                WebSteps.probe(step = "request-id");
                ctx.header("X-Request-ID", span.requestId());
            } catch (Throwable t) {
                WebSteps.failed(step, t);
            }
        });
        state.routes.after(ctx -> {
            RequestSpan span;
            try {
                span = ctx.attribute(ATTRIBUTE);
                if (span == null) return;
                ctx.attribute(ATTRIBUTE, null);
            } catch (Throwable t) {
                WebSteps.failed("finish", t);
                return;
            }
            try {
                WebSteps.probe("stamp");
                // one reading ends both the root and X-Latency: the header and the tree agree
                span.markEnd();
                ctx.header("X-Latency", span.latencyHeader());
            } catch (Throwable t) {
                WebSteps.failed("stamp", t);
            }
            try {
                WebSteps.probe("finish");
                span.finish(ctx.statusCode(), null);
            } catch (Throwable t) {
                WebSteps.failed("finish", t);
                closeQuietly(span);
            }
        });

        if (config.endpoints()) {
            String base = config.basePath();
            state.routes.get(base, ctx -> respond(ctx, endpoints.handle("GET", base, ctx.header("Authorization"))));
            state.routes.get(base + "/{id}", ctx -> respond(ctx, endpoints.handle("GET", base + "/" + ctx.pathParam("id"), ctx.header("Authorization"))));
            state.routes.post(base + "/{action}", ctx -> respond(ctx, endpoints.handle("POST", base + "/" + ctx.pathParam("action"), ctx.header("Authorization"))));
        }
    }

    /** Closes a root whose finish failed: left open, it would swallow this thread's next request. */
    private static void closeQuietly(RequestSpan span) {
        try {
            span.close();
        } catch (Throwable ignored) {
            // counted already
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
