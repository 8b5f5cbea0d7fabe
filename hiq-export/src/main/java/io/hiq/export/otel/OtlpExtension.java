package io.hiq.export.otel;

import io.hiq.core.runtime.Settings;
import io.hiq.core.spi.HiQContext;
import io.hiq.core.spi.HiQExtension;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporterBuilder;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;

/**
 * {@code HIQ_OTLP_ENDPOINT=http://127.0.0.1:4318}: every HiQ tree is exported as one OpenTelemetry
 * trace over OTLP/HTTP (protobuf) with the OpenTelemetry SDK: the root node is the root span, every
 * other node a child span of its parent node, with the node's own start and end times, its extra
 * information as attributes and an exception as status {@code ERROR} plus an {@code exception}
 * event. Resource: {@code service.name} (the tree's service), {@code host.name}, {@code process.pid}.
 *
 * <p>Spans go through a {@link BatchSpanProcessor} (its own thread): the assembler thread only
 * builds them. {@code HIQ_OTLP_PROTOCOL} is {@code http/protobuf} (the default and the only one
 * shipped: gRPC would need OkHttp or grpc-java in the agent); {@code HIQ_OTLP_HEADERS}
 * ({@code k=v,k2=v2}) adds request headers such as an API key, never printed.
 */
public final class OtlpExtension implements HiQExtension {
    /** Counters (DESIGN B7 style): spans made from trees, accepted by the collector, failed to export. */
    public static final String SPANS = "OtlpSpans", EXPORTED = "OtlpExported", FAILED = "OtlpFailed";

    private final PrintStream err;
    private TreeSpans sink;
    private long closeTimeoutNanos;

    /** Used by {@link java.util.ServiceLoader}. */
    public OtlpExtension() { this(System.err); }

    OtlpExtension(PrintStream err) { this.err = err; }

    @Override
    public String name() { return "otlp"; }

    @Override
    public boolean start(HiQContext context) {
        Settings s = context.settings();
        String endpoint = s.get("HIQ_OTLP_ENDPOINT", "");
        if (endpoint.isEmpty()) return false;
        String protocol = s.get("HIQ_OTLP_PROTOCOL", "http/protobuf").toLowerCase(Locale.ROOT);
        if (!protocol.equals("http/protobuf")) {
            err.println("hiq: otlp: HIQ_OTLP_PROTOCOL=" + protocol + " is not supported (use http/protobuf, port 4318); trees are not exported");
            return false;
        }
        String tracesUrl;
        try {
            tracesUrl = tracesUrl(endpoint);
        } catch (IllegalArgumentException e) {
            err.println("hiq: otlp: HIQ_OTLP_ENDPOINT: " + e.getMessage() + "; trees are not exported");
            return false;
        }
        // bounded like the runtime's (which already reported a bad value): never Infinity, never a crash
        Duration flush = io.hiq.core.runtime.RuntimeOptions.flushTimeout(s, w -> { });
        closeTimeoutNanos = Math.max(Duration.ofSeconds(1).toNanos(), flush.toNanos());

        OtlpHttpSpanExporterBuilder exporter = OtlpHttpSpanExporter.builder()
                .setEndpoint(tracesUrl)
                .setTimeout(Duration.ofSeconds(10));
        String headers = s.get("HIQ_OTLP_HEADERS", "");
        for (String kv : headers.split(",")) {
            int eq = kv.indexOf('=');
            if (eq > 0) exporter.addHeader(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
            else if (!kv.isBlank()) err.println("hiq: otlp: HIQ_OTLP_HEADERS: an entry without '=' is ignored");
        }
        Resource resource = Resource.getDefault().merge(Resource.create(Attributes.builder()
                .put("service.name", context.service())
                .put("host.name", hostName())
                .put("process.pid", context.pid())
                .build()));
        SdkTracerProvider provider = SdkTracerProvider.builder()
                .setResource(resource)
                .setSampler(Sampler.alwaysOn())
                .addSpanProcessor(BatchSpanProcessor.builder(new CountingExporter(exporter.build(),
                                context.counters().counter(EXPORTED), context.counters().counter(FAILED)))
                        .setMaxQueueSize(16_384)
                        .setMaxExportBatchSize(2_048)
                        .setScheduleDelay(Duration.ofMillis(200))
                        .build())
                .build();
        sink = new TreeSpans(provider, closeTimeoutNanos, err, context.counters().counter(SPANS));
        context.addTreeSink(sink);
        return true;
    }

    /**
     * The traces URL from a base endpoint as {@code OTEL_EXPORTER_OTLP_ENDPOINT} means it:
     * {@code http://host:4318} → {@code http://host:4318/v1/traces}; a URL already ending in
     * {@code /v1/traces} is kept.
     */
    static String tracesUrl(String endpoint) {
        URI uri;
        try {
            uri = URI.create(endpoint.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a URL: '" + endpoint + "'");
        }
        if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https")) || uri.getHost() == null) {
            throw new IllegalArgumentException("not an http(s) URL: '" + endpoint + "'");
        }
        String s = uri.toString();
        if (s.endsWith("/v1/traces")) return s;
        return (s.endsWith("/") ? s.substring(0, s.length() - 1) : s) + "/v1/traces";
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            String h = System.getenv("HOSTNAME");
            return h == null ? "unknown" : h;
        }
    }

    @Override
    public void close() {
        // the tree sink flushed and shut the provider down within the flush deadline; this is the
        // safety net when the runtime never reached the sink's close
        if (sink != null) sink.shutdown();
    }
}
