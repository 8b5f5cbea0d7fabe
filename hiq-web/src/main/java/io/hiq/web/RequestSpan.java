package io.hiq.web;

import io.hiq.HiQ;
import io.hiq.core.event.Span;
import io.hiq.core.runtime.HiQRuntime;

/**
 * One HTTP request as the root of a HiQ tree: opened when the request arrives (with its id, method,
 * route and path as extras), closed with its status. Open and close on the same thread.
 *
 * <p>The root and {@code X-Latency} share their clock readings: the root starts at the reading
 * {@code X-Latency} counts from, and when the header is fixed at the end of the request
 * ({@link #markEnd()}), the root ends at that same reading, so the header and the tree agree to
 * the nanosecond. When the response had to start earlier (a flushed or large body), the header's
 * value is also kept in the root's {@code x_latency} extra.
 */
public final class RequestSpan implements AutoCloseable {
    /** The root extra holding {@code X-Latency}'s value when it differs from the root's own latency. */
    public static final String X_LATENCY = "x_latency";

    private final Span span;
    private final String requestId;
    private final long startNanos;
    private long endNanos = Long.MIN_VALUE;
    private boolean endIsClose;

    private RequestSpan(Span span, String requestId, long startNanos) {
        this.span = span;
        this.requestId = requestId;
        this.startNanos = startNanos;
    }

    /**
     * Opens the request's span. Extras that fail to record are skipped (and counted): once open,
     * the span is always returned, so that it can be closed on this thread.
     *
     * @param route       the matched route pattern ({@code /orders/{id}}), or null when unknown
     * @param incomingId  the request's own {@code X-Request-ID}, kept when it is a plain token
     */
    public static RequestSpan open(HiQWebConfig config, RequestTrees trees, String method, String route, String path, String incomingId) {
        trees.attach();
        String id = RequestIds.accept(incomingId);
        String m = HttpMethods.normalize(method);
        String tag = config.routeTags() && route != null ? RouteTag.of(m, route) : config.tag();
        // the registry never throws: when full it hands out its overflow tag (and counts it)
        var registered = HiQRuntime.tagRegistry().register(tag, null, null);
        long t0 = System.nanoTime();
        Span span = Span.openAt(registered, t0);
        if (span.recording()) {
            try {
                WebSteps.probe("extras");
                HiQ.extra(RequestTrees.REQUEST_ID, id);
                HiQ.extra("method", m);
                if (route != null) HiQ.extra("route", route);
                HiQ.extra("path", RequestPaths.clean(path));
            } catch (Throwable t) {
                WebSteps.failed("extras", t);
            }
        }
        return new RequestSpan(span, id, t0);
    }

    /** The request id sent back as {@code X-Request-ID}. */
    public String requestId() { return requestId; }

    /**
     * Fixes the end of the request now, unless {@code X-Latency} was fixed before: the root then
     * closes at this very reading.
     */
    public void markEnd() {
        if (endNanos != Long.MIN_VALUE) return;
        endNanos = System.nanoTime();
        endIsClose = true;
    }

    /** Time since the request was opened, fixed by the first call or by {@link #markEnd()} (the {@code X-Latency} value). */
    public long latencyNanos() {
        if (endNanos == Long.MIN_VALUE) endNanos = System.nanoTime();
        return endNanos - startNanos;
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
        try {
            if (span.recording()) {
                HiQ.extra("status", status);
                if (endNanos != Long.MIN_VALUE && !endIsClose) HiQ.extra(X_LATENCY, latencyHeader());
            }
            if (failure != null) span.fail(failure);
        } finally {
            // closed whatever happened above: an open root would swallow the thread's next request
            if (endIsClose) span.closeAt(endNanos);
            else span.close();
        }
    }

    @Override
    public void close() { span.close(); }
}
