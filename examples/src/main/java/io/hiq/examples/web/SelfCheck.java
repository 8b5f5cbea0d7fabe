package io.hiq.examples.web;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** The examples' own first requests, printed with the headers HiQ adds. */
final class SelfCheck {
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    private SelfCheck() {}

    static HttpResponse<String> get(String url, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
        if (token != null) b.header("Authorization", "Bearer " + token);
        HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
        System.out.println("GET " + url + " → " + r.statusCode()
                + r.headers().firstValue("X-Request-ID").map(v -> "  X-Request-ID: " + v).orElse("")
                + r.headers().firstValue("X-Latency").map(v -> "  X-Latency: " + v).orElse(""));
        return r;
    }
}
