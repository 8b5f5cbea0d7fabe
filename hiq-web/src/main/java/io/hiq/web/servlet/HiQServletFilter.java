package io.hiq.web.servlet;

import io.hiq.web.HiQEndpoints;
import io.hiq.web.HiQWebConfig;
import io.hiq.web.RequestSpan;
import io.hiq.web.RequestTrees;
import io.hiq.web.WebSteps;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletMapping;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * A servlet filter (Jakarta Servlet 6) that makes every HTTP request the root of a HiQ tree, the
 * Java counterpart of the user guide's FastAPI middleware: the traced methods a request calls
 * become its children; the response carries {@code X-Request-ID} and {@code X-Latency}.
 *
 * <p>The root is tagged after the servlet mapping ({@code /orders/*} → {@code http_GET_orders}), or
 * with one fixed tag. With {@link HiQWebConfig#endpoints(boolean)} on, the filter also answers
 * {@code /hiq} and {@code /hiq/{id}} itself ({@link HiQEndpoints}). Init parameters (web.xml):
 * {@code endpoints}, {@code basePath}, {@code token}, {@code keep}, {@code routeTags}, {@code tag}.
 *
 * <p>{@code X-Latency} is the time until the response started: it is set just before the first
 * byte of the body is written or flushed (or at the end when there is no body), as the Python
 * middleware measures up to the start of the response.
 */
public class HiQServletFilter implements Filter {
    private HiQWebConfig config;
    private RequestTrees trees;
    private HiQEndpoints endpoints;

    /** For web.xml / {@code addFilter(Class)}: configured from init parameters. */
    public HiQServletFilter() {}

    /** Configured in code. */
    public HiQServletFilter(HiQWebConfig config) { setup(config); }

    private void setup(HiQWebConfig c) {
        this.config = c;
        this.trees = new RequestTrees(c.keep());
        this.endpoints = new HiQEndpoints(c, trees);
    }

    @Override
    public void init(FilterConfig fc) {
        if (config != null) return;
        HiQWebConfig c = new HiQWebConfig();
        String v;
        if ((v = fc.getInitParameter("endpoints")) != null) c.endpoints(Boolean.parseBoolean(v.trim()));
        if ((v = fc.getInitParameter("basePath")) != null) c.basePath(v.trim());
        if ((v = fc.getInitParameter("token")) != null) c.token(v.trim());
        if ((v = fc.getInitParameter("keep")) != null) c.keep(Integer.parseInt(v.trim()));
        if ((v = fc.getInitParameter("routeTags")) != null) c.routeTags(Boolean.parseBoolean(v.trim()));
        if ((v = fc.getInitParameter("tag")) != null) c.tag(v.trim());
        setup(c);
    }

    /** The kept request trees (tests, embedding). */
    public RequestTrees trees() { return trees; }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        if (!(req instanceof HttpServletRequest http) || !(res instanceof HttpServletResponse response)) {
            chain.doFilter(req, res);
            return;
        }
        // every HiQ step is guarded (WebSteps): whatever fails in HiQ, the application's request runs
        String path = null;
        boolean ours = false;
        String step = "setup";
        try {
            WebSteps.probe(step);
            if (config == null) setup(new HiQWebConfig());
            WebSteps.probe(step = "path");
            path = pathOf(http);
            WebSteps.probe(step = "endpoints");
            ours = endpoints.handles(path);
        } catch (Throwable t) {
            WebSteps.failed(step, t);
            if (path == null || config == null) {
                chain.doFilter(req, res);
                return;
            }
        }
        if (ours) {
            serve(http, response, path);
            return;
        }
        RequestSpan span = null;
        try {
            WebSteps.probe("open");
            span = RequestSpan.open(config, trees, http.getMethod(), route(http), path, http.getHeader("X-Request-ID"));
        } catch (Throwable t) {
            WebSteps.failed("open", t);
        }
        if (span == null) {
            chain.doFilter(req, res);
            return;
        }
        try {
            WebSteps.probe("request-id");
            response.setHeader("X-Request-ID", span.requestId());
        } catch (Throwable t) {
            WebSteps.failed("request-id", t);
        }
        HttpServletResponse out = response;
        LatencyStampingResponse wrapped = null;
        try {
            WebSteps.probe("wrap");
            wrapped = new LatencyStampingResponse(response, span);
            out = wrapped;
        } catch (Throwable t) {
            WebSteps.failed("wrap", t);
        }
        Throwable failure = null;
        try {
            chain.doFilter(req, out);
        } catch (IOException | ServletException | RuntimeException | Error e) {
            failure = e;
            throw e;
        } finally {
            try {
                WebSteps.probe("finish");
                // one reading ends both the root and X-Latency (unless the response started earlier)
                span.markEnd();
                if (wrapped != null) wrapped.stamp();
            } catch (Throwable t) {
                WebSteps.failed("finish", t);
            }
            try {
                // an exception escaping the chain becomes a 500 from the container
                span.finish(failure != null && !response.isCommitted() ? 500 : response.getStatus(), failure);
            } catch (Throwable t) {
                WebSteps.failed("finish", t);
                try {
                    span.close(); // left open, it would swallow this thread's next request
                } catch (Throwable ignored) {
                    // counted already
                }
            }
        }
    }

    private void serve(HttpServletRequest http, HttpServletResponse response, String path) throws IOException {
        HiQEndpoints.Response r = endpoints.handle(http.getMethod(), path, http.getHeader("Authorization"));
        byte[] body = r.bytes();
        response.setStatus(r.status());
        response.setContentType(r.contentType());
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setHeader("Cache-Control", "no-store");
        response.setContentLength(body.length);
        if (!"HEAD".equalsIgnoreCase(http.getMethod())) response.getOutputStream().write(body);
    }

    /** The path inside the application (without context path and query). */
    private static String pathOf(HttpServletRequest http) {
        String uri = http.getRequestURI();
        String ctx = http.getContextPath();
        return ctx != null && !ctx.isEmpty() && uri.startsWith(ctx) ? uri.substring(ctx.length()) : uri;
    }

    /** The servlet mapping's pattern ({@code /orders/*}), a bounded name unlike the raw path. */
    private static String route(HttpServletRequest http) {
        try {
            HttpServletMapping m = http.getHttpServletMapping();
            if (m == null) return null;
            return switch (m.getMappingMatch() == null ? jakarta.servlet.http.MappingMatch.DEFAULT : m.getMappingMatch()) {
                case CONTEXT_ROOT -> "/";
                case DEFAULT -> "/";
                default -> m.getPattern();
            };
        } catch (RuntimeException e) {
            return null;
        }
    }
}
