package io.hiq.export.otel;

import io.hiq.core.spi.TreeSink;
import io.hiq.tree.HiQNode;
import io.hiq.tree.HiQTree;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Turns each completed tree into spans of one new trace, ended at once with the node's recorded
 * times; the SDK's batch processor exports them on its own thread.
 *
 * <p>Explicit parents ({@link SpanBuilder#setParent}) rather than the current context: the tree is
 * replayed long after the calls, on the assembler thread.
 */
final class TreeSpans implements TreeSink {
    static final AttributeKey<String> TREE_ID = AttributeKey.stringKey("hiq.tree.id");
    static final AttributeKey<String> THREAD = AttributeKey.stringKey("thread.name");
    static final AttributeKey<String> METRIC = AttributeKey.stringKey("hiq.metric");
    static final AttributeKey<Long> VALUE = AttributeKey.longKey("hiq.value");

    private final SdkTracerProvider provider;
    private final Tracer tracer;
    private final long closeTimeoutNanos;
    private final PrintStream err;
    private final AtomicBoolean failedOnce = new AtomicBoolean();
    private final AtomicBoolean shutDown = new AtomicBoolean();

    private final java.util.concurrent.atomic.AtomicLong spans;

    TreeSpans(SdkTracerProvider provider, long closeTimeoutNanos, PrintStream err, java.util.concurrent.atomic.AtomicLong spans) {
        this.spans = spans;
        this.provider = provider;
        this.tracer = provider.get("io.hiq", TreeSpans.class.getPackage().getImplementationVersion());
        this.closeTimeoutNanos = closeTimeoutNanos;
        this.err = err;
    }

    @Override
    public void accept(HiQTree tree) {
        try {
            Span root = span(tree.root(), Context.root(), tree);
            root.setAttribute(TREE_ID, tree.id());
            root.setAttribute(THREAD, tree.thread());
            root.end(tree.root().end(), TimeUnit.MICROSECONDS);
            spans.addAndGet(tree.root().size());
        } catch (RuntimeException e) {
            // never let an export problem reach the assembler; said once
            if (failedOnce.compareAndSet(false, true)) err.println("hiq: otlp: a tree could not be exported: " + e);
        }
    }

    /** Starts {@code node}'s span, creates and ends its children's; the caller ends the returned span. */
    private Span span(HiQNode node, Context parent, HiQTree tree) {
        SpanBuilder b = tracer.spanBuilder(node.name())
                .setParent(parent)
                .setSpanKind(SpanKind.INTERNAL)
                .setStartTimestamp(node.start(), TimeUnit.MICROSECONDS);
        if (!"time".equals(tree.metric())) {
            // the latency is in the span's times; another metric's delta goes in an attribute
            b.setAttribute(METRIC, tree.metric());
            b.setAttribute(VALUE, node.span());
        }
        for (Map.Entry<String, Object> e : node.extra().entrySet()) {
            if (!"exception".equals(e.getKey())) setAttribute(b, e.getKey(), e.getValue());
        }
        Span span = b.startSpan();
        Object exception = node.extra().get("exception");
        if (exception != null) recordException(span, String.valueOf(exception), node.end());
        Context self = parent.with(span);
        for (HiQNode child : node.children()) {
            span(child, self, tree).end(child.end(), TimeUnit.MICROSECONDS);
        }
        return span;
    }

    private static void setAttribute(SpanBuilder b, String key, Object v) {
        if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            b.setAttribute(key, ((Number) v).longValue());
        } else if (v instanceof Double || v instanceof Float) {
            b.setAttribute(key, ((Number) v).doubleValue());
        } else if (v instanceof Boolean bool) {
            b.setAttribute(key, bool);
        } else {
            b.setAttribute(key, String.valueOf(v));
        }
    }

    /** HiQ's {@code "ClassName: message"} as OpenTelemetry's exception event and an ERROR status. */
    private static void recordException(Span span, String text, long endMicros) {
        int colon = text.indexOf(": ");
        String type = colon < 0 ? text : text.substring(0, colon);
        String message = colon < 0 ? "" : text.substring(colon + 2);
        span.setStatus(StatusCode.ERROR, text);
        span.addEvent("exception", Attributes.of(
                AttributeKey.stringKey("exception.type"), type,
                AttributeKey.stringKey("exception.message"), message), endMicros, TimeUnit.MICROSECONDS);
    }

    @Override
    public void flush(long deadlineNanos) {
        long left = deadlineNanos - System.nanoTime();
        if (left > 0) provider.forceFlush().join(left, TimeUnit.NANOSECONDS);
    }

    @Override
    public void close() { shutdown(); }

    /** Shuts the SDK down once (the runtime's sink close, or the extension's close as a safety net). */
    void shutdown() {
        if (!shutDown.compareAndSet(false, true)) return;
        CompletableResultCode r = provider.shutdown().join(closeTimeoutNanos, TimeUnit.NANOSECONDS);
        if (!r.isSuccess()) err.println("hiq: otlp: spans not all delivered at shutdown (collector unreachable or slow)");
    }
}
