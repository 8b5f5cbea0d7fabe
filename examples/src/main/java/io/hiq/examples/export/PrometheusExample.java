package io.hiq.examples.export;

import io.hiq.HiQ;
import io.hiq.core.runtime.Settings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

/**
 * The guide's Prometheus chapter: {@code TRACE_TYPE=prometheus} turns every traced method into a
 * {@code hiq_<tag>} summary and a {@code hiq_<tag>_seconds} histogram at
 * {@code http://127.0.0.1:$HIQ_PROMETHEUS_PORT/metrics} (default 9464). This program traces
 * {@link Checkout}, places orders, prints its own scrape, and keeps serving for {@code SECONDS}
 * (first argument, default 0) so that Prometheus or {@code curl} can scrape it.
 */
public final class PrometheusExample {
    private PrometheusExample() {}

    public static void main(String[] args) throws Exception {
        long seconds = args.length > 0 ? Long.parseLong(args[0]) : 0;
        Settings settings = Settings.system().with(Map.of("TRACE_TYPE", "prometheus"));
        String port = settings.get("HIQ_PROMETHEUS_PORT", "9464");
        try (HiQ hiq = HiQ.builder().conf(Checkout.CONF).settings(settings).service("prometheus-example").start()) {
            for (int i = 0; i < 50; i++) Checkout.order(i);
            hiq.trees(); // waits until every call so far is assembled, hence counted
            String url = "http://127.0.0.1:" + port + "/metrics";
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                    HttpResponse.BodyHandlers.ofString());
            System.out.println("GET " + url + " → " + r.statusCode());
            r.body().lines().filter(l -> l.startsWith("hiq_") && !l.contains("_bucket")).forEach(System.out::println);
            if (seconds > 0) {
                System.out.println("serving " + url + " for " + seconds + " s, orders go on");
                long end = System.nanoTime() + seconds * 1_000_000_000L;
                for (int i = 0; System.nanoTime() < end; i++) Checkout.order(i);
            }
        }
    }
}
