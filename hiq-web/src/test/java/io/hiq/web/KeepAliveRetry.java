package io.hiq.web;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/**
 * Sends a request again (at most 3 attempts) when the JDK client's pooled keep-alive connection
 * turns out to have been closed by the server ("header parser received no bytes"): Jetty may close
 * a connection after answering a request with an unknown method, and the client can pick that
 * connection for the next request. That is the client's race, not the application failing to
 * answer; a request that fails three times still fails the test.
 */
public final class KeepAliveRetry {
    private KeepAliveRetry() {}

    /** {@link HttpClient#send} with the retry above. */
    public static <T> HttpResponse<T> send(HttpClient client, HttpRequest request, HttpResponse.BodyHandler<T> handler)
            throws IOException, InterruptedException {
        IOException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                return client.send(request, handler);
            } catch (IOException e) {
                last = e;
            }
        }
        throw last;
    }
}
