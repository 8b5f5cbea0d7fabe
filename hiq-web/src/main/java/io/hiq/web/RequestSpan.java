package io.hiq.web;

import io.hiq.HiQ;
import io.hiq.core.event.Span;

/**
 * One HTTP request as the root of a HiQ tree: opened when the request arrives (with its id, method,
 * route and path as extras), closed with its status. Open and close on the same thread.
 */
public final class RequestSpan implements AutoCloseable {
    private static final int MAX_PATH = 256;

    private final Span span;
    private final String requestId;
    private final long startNanos;
    private long latencyNanos = -1;

    private RequestSpan(Span span, String requestId, long startNanos) {
        this.span = span;
        this.requestId = requestId;
        this.startNanos = startNanos;
    }

    /**
     * Opens the request's span.
     *
     * @param route       the matched route pattern ({@code /orders/{id}}), or null when unknown
     * @param incomingId  the request's own {@code X-Request-ID}, kept when it is a plain token
     */
    public static RequestSpan open(HiQWebConfig config, RequestTrees trees, String method, String route, String path, String incomingId) {
        long t0 = System.nanoTime();
        trees.attach();
        String id = RequestIds.accept(incomingId);
        String tag = config.routeTags() && route != null ? RouteTag.of(method, route) : config.tag();
        Span span = HiQ.span(tag);
        if (span.recording()) {
            HiQ.extra(RequestTrees.REQUEST_ID, id);
            HiQ.extra("method", method);
            if (route != null) HiQ.extra("route", route);
            HiQ.extra("path", path == null ? "" : path.length() > MAX_PATH ? path.substring(0, MAX_PATH) + "…" : path);
        }
        return new RequestSpan(span, id, t0);
    }

    /** The request id sent back as {@code X-Request-ID}. */
    public String requestId() { return requestId; }

    /** Time since the request was opened, fixed by the first call (the {@code X-Latency} value). */
    public long latencyNanos() {
        if (latencyNanos < 0) latencyNanos = System.nanoTime() - startNanos;
        return latencyNanos;
    }

    /** {@code X-Latency}'s text: milliseconds with three decimals, e.g. {@code 12.345ms}. */
    public String latencyHeader() {
        // not String.format: this runs once per request
        long micros = latencyNanos() / 1_000;
        long frac = micros % 1_000;
        return (micros / 1_000) + (frac < 10 ? ".00" : frac < 100 ? ".0" : ".") + frac + "ms";
    }

    /** Records the response status and, when the request failed, the exception; closes the root. */
    public void finish(int status, Throwable failure) {
        if (span.recording()) HiQ.extra("status", status);
        if (failure != null) span.fail(failure);
        span.close();
    }

    @Override
    public void close() { span.close(); }
}
