package io.hiq.export.otel;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the spans the collector accepted and those whose export failed, into HiQ's counters
 * ({@code OtlpExported}, {@code OtlpFailed}): with {@code OtlpSpans} (spans made) the difference is
 * what the SDK's batch queue dropped under load. Shown by the MBean and {@code hiq_internal_*}.
 */
final class CountingExporter implements SpanExporter {
    private final SpanExporter delegate;
    private final AtomicLong exported;
    private final AtomicLong failed;

    CountingExporter(SpanExporter delegate, AtomicLong exported, AtomicLong failed) {
        this.delegate = delegate;
        this.exported = exported;
        this.failed = failed;
    }

    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
        int n = spans.size();
        CompletableResultCode r = delegate.export(spans);
        r.whenComplete(() -> (r.isSuccess() ? exported : failed).addAndGet(n));
        return r;
    }

    @Override
    public CompletableResultCode flush() { return delegate.flush(); }

    @Override
    public CompletableResultCode shutdown() { return delegate.shutdown(); }
}
