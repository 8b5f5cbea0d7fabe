package io.hiq.examples.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hiq.core.runtime.HiQRuntime;
import io.hiq.web.RandomMethodFlood;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Issue 13's acceptance against the examples themselves: an example program is started as its
 * {@code main} runs it (in this test JVM, so HiQ's tag registry can be read), sent 10 000 requests
 * with random HTTP methods, and must answer every normal request afterwards while HiQ's tag count
 * stays bounded (unknown methods share one {@code OTHER} tag).
 */
final class RandomMethods {
    private RandomMethods() {}

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Runs {@code main} on a daemon thread (the JVM's exit ends it: one example per test JVM). */
    static void start(String name, ThrowingRunnable main, int port) {
        Thread t = new Thread(() -> {
            try {
                main.run();
            } catch (Throwable e) {
                e.printStackTrace();
            }
        }, name);
        t.setDaemon(true);
        t.start();
        await(name + " listening on " + port).atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100)).until(() -> {
            try (Socket ignored = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return HiQRuntime.current() != null;
            } catch (IOException e) {
                return false;
            }
        });
    }

    /** 10 000 random-method requests to {@code url}, then the normal request must answer as before. */
    static void check(String url, String expectedBodyStart) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        HttpResponse<String> first = client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.body()).startsWith(expectedBodyStart);
        int before = HiQRuntime.tagRegistry().size();
        RandomMethodFlood.send(URI.create(url), 10_000, 13);
        assertThat(HiQRuntime.tagRegistry().size() - before).as("tags added by 10 000 random methods").isLessThanOrEqualTo(1);
        HttpResponse<String> after = client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(after.statusCode()).isEqualTo(200);
        assertThat(after.body()).isEqualTo(first.body());
    }

    /** {@code main} of an example. */
    interface ThrowingRunnable {
        void run() throws Exception;
    }
}
