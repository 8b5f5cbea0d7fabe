package io.hiq.consumer.support;

import com.fasterxml.jackson.databind.JsonNode;
import io.hiq.tree.TreeCodec;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A real HTTP client (java.net.http) for the consumer's API. */
public final class Http {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Http() {}

    /** GET with an optional bearer token. */
    public static HttpResponse<String> get(String url, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).GET();
        if (token != null) b.header("Authorization", "Bearer " + token);
        try {
            return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * How many trees {@code /api/trees} counts at {@code base}, or -1 while the service does not
     * answer (starting, killed): for awaiting a count across a process's restart.
     */
    public static long treesStored(String base) {
        try {
            return json(base + "/api/trees?limit=0").get("total").asLong();
        } catch (RuntimeException | AssertionError e) {
            return -1;
        }
    }

    /** GET without token. */
    public static HttpResponse<String> get(String url) { return get(url, null); }

    /** GET, expect 200, parse JSON. */
    public static JsonNode json(String url, String token) {
        HttpResponse<String> r = get(url, token);
        if (r.statusCode() != 200) throw new AssertionError("GET " + url + " -> " + r.statusCode() + ": " + r.body());
        try {
            return TreeCodec.mapper().readTree(r.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + r.body(), e);
        }
    }

    /** GET, expect 200, parse JSON; no token. */
    public static JsonNode json(String url) { return json(url, null); }

    /** Whether {@code /health} answers UP (false on connection errors). */
    public static boolean up(String baseUrl) {
        try {
            HttpResponse<String> r = get(baseUrl + "/health");
            return r.statusCode() == 200 && r.body().contains("\"UP\"");
        } catch (RuntimeException e) {
            return false;
        }
    }
}
