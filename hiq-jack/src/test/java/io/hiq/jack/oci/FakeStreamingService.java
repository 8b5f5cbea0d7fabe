package io.hiq.jack.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntPredicate;

/**
 * A local stand-in for OCI Streaming's PutMessages ({@code POST /20180418/streams/{id}/messages})
 * that the real SDK client talks to. It enforces the service limits (request and message ≤ 1 MiB,
 * key ≤ 256 B: a violation is answered 400 and recorded), and answers each request according to a
 * script: accept, throttle (429), fail (500/503), or fail some entries (a partial failure).
 */
final class FakeStreamingService implements AutoCloseable {
    static final int MIB = 1024 * 1024;

    /** What to do with one request. */
    sealed interface Reply permits Accept, Status, FailEntries {}
    record Accept() implements Reply {}
    record Status(int code) implements Reply {}
    record FailEntries(IntPredicate which) implements Reply {}

    private final ObjectMapper json = new ObjectMapper();
    private final HttpServer server;
    private final Deque<Reply> script = new ArrayDeque<>();
    /** One entry per request: its entries, body bytes, arrival (nanoTime), the reply's status. */
    final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
    /** Accepted messages: key → value, and how many times each key was accepted. */
    final Map<String, byte[]> accepted = new ConcurrentHashMap<>();
    final Map<String, Integer> acceptCount = new ConcurrentHashMap<>();
    final List<String> violations = Collections.synchronizedList(new ArrayList<>());
    private long offset;

    record Request(String stream, int entries, int bodyBytes, long atNanos, int status) {}

    FakeStreamingService(int port) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
        server.createContext("/20180418/streams/", this::handle);
        server.start();
    }

    String endpoint() { return "http://127.0.0.1:" + server.getAddress().getPort(); }

    int port() { return server.getAddress().getPort(); }

    synchronized FakeStreamingService then(Reply... replies) {
        script.addAll(List.of(replies));
        return this;
    }

    private synchronized Reply next() {
        Reply r = script.poll();
        return r == null ? new Accept() : r;
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            long at = System.nanoTime();
            String path = ex.getRequestURI().getPath();
            if (!"POST".equals(ex.getRequestMethod()) || !path.endsWith("/messages")) {
                send(ex, 404, "{\"code\":\"NotFound\",\"message\":\"" + path + "\"}");
                return;
            }
            String stream = path.substring("/20180418/streams/".length(), path.length() - "/messages".length());
            byte[] body = ex.getRequestBody().readAllBytes();
            JsonNode messages = json.readTree(body).path("messages");
            List<byte[]> keys = new ArrayList<>();
            List<byte[]> values = new ArrayList<>();
            for (JsonNode m : messages) {
                keys.add(m.hasNonNull("key") ? Base64.getDecoder().decode(m.get("key").asText()) : new byte[0]);
                values.add(Base64.getDecoder().decode(m.path("value").asText()));
            }
            String violation = null;
            if (body.length > MIB) violation = "request of " + body.length + " bytes";
            for (int i = 0; i < keys.size(); i++) {
                if (keys.get(i).length > 256) violation = "key of " + keys.get(i).length + " bytes";
                if (values.get(i).length > MIB) violation = "message of " + values.get(i).length + " bytes";
            }
            if (violation != null) {
                violations.add(violation);
                requests.add(new Request(stream, keys.size(), body.length, at, 400));
                send(ex, 400, "{\"code\":\"InvalidParameter\",\"message\":\"" + violation + "\"}");
                return;
            }
            Reply reply = next();
            if (reply instanceof Status s) {
                requests.add(new Request(stream, keys.size(), body.length, at, s.code()));
                send(ex, s.code(), "{\"code\":\"" + (s.code() == 429 ? "TooManyRequests" : "InternalServerError")
                        + "\",\"message\":\"scripted " + s.code() + "\"}");
                return;
            }
            IntPredicate fail = reply instanceof FailEntries f ? f.which() : i -> false;
            ObjectNode out = json.createObjectNode();
            ArrayNode entries = out.putArray("entries");
            int failures = 0;
            for (int i = 0; i < keys.size(); i++) {
                ObjectNode e = entries.addObject();
                if (fail.test(i)) {
                    failures++;
                    e.put("error", "InternalServerError");
                    e.put("errorMessage", "scripted entry failure");
                } else {
                    String k = new String(keys.get(i), StandardCharsets.UTF_8);
                    accepted.put(k, values.get(i));
                    acceptCount.merge(k, 1, Integer::sum);
                    e.put("partition", "0");
                    synchronized (this) {
                        e.put("offset", offset++);
                    }
                    e.put("timestamp", "2026-01-01T00:00:00.000Z");
                }
            }
            out.put("failures", failures);
            requests.add(new Request(stream, keys.size(), body.length, at, 200));
            send(ex, 200, json.writeValueAsString(out));
        } catch (RuntimeException e) {
            violations.add("fake failed: " + e);
            throw e;
        }
    }

    private static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.getResponseHeaders().set("opc-request-id", "fake-" + System.nanoTime());
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(b);
        }
    }

    @Override
    public void close() { server.stop(0); }
}
