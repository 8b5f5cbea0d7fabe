package io.hiq.export.otel;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A minimal OTLP/HTTP collector for tests: {@code POST /v1/traces} with protobuf, kept in memory. */
final class OtlpReceiver implements AutoCloseable {
    final List<ExportTraceServiceRequest> requests = new CopyOnWriteArrayList<>();
    final List<String> contentTypes = new CopyOnWriteArrayList<>();
    final List<byte[]> bodies = new CopyOnWriteArrayList<>();
    private final HttpServer server;

    OtlpReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/traces", ex -> {
            try (InputStream in = ex.getRequestBody()) {
                if (!"POST".equals(ex.getRequestMethod())) {
                    ex.sendResponseHeaders(405, -1);
                    return;
                }
                contentTypes.add(ex.getRequestHeaders().getFirst("Content-Type"));
                byte[] raw = in.readAllBytes();
                bodies.add(raw);
                requests.add(ExportTraceServiceRequest.parseFrom(raw));
                byte[] body = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
                ex.getResponseHeaders().set("Content-Type", "application/x-protobuf");
                ex.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
                if (body.length > 0) ex.getResponseBody().write(body);
            } finally {
                ex.close();
            }
        });
        server.start();
    }

    String endpoint() { return "http://127.0.0.1:" + server.getAddress().getPort(); }

    List<ResourceSpans> resourceSpans() {
        List<ResourceSpans> out = new ArrayList<>();
        for (ExportTraceServiceRequest r : requests) out.addAll(r.getResourceSpansList());
        return out;
    }

    List<Span> spans() {
        List<Span> out = new ArrayList<>();
        for (ResourceSpans rs : resourceSpans()) rs.getScopeSpansList().forEach(ss -> out.addAll(ss.getSpansList()));
        return out;
    }

    @Override
    public void close() { server.stop(0); }
}
