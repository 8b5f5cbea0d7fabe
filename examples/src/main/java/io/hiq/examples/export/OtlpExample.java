package io.hiq.examples.export;

import com.sun.net.httpserver.HttpServer;
import io.hiq.HiQ;
import io.hiq.core.runtime.Settings;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * OpenTelemetry export: with {@code HIQ_OTLP_ENDPOINT} (e.g. {@code http://127.0.0.1:4318} of a
 * Jaeger, Tempo or OpenTelemetry Collector), every HiQ tree becomes one trace there: the root span
 * is the tree's root, the traced calls are child spans with their own times, extras are attributes
 * and a failed payment is a span with status ERROR.
 *
 * <p>Without {@code HIQ_OTLP_ENDPOINT} the example starts a stand-in receiver on 127.0.0.1 that only
 * counts the OTLP requests and bytes it gets, so that it runs anywhere.
 */
public final class OtlpExample {
    private OtlpExample() {}

    public static void main(String[] args) throws Exception {
        Settings settings = Settings.system();
        HttpServer standIn = null;
        AtomicLong posts = new AtomicLong(), bytes = new AtomicLong();
        if (settings.get("HIQ_OTLP_ENDPOINT", "").isEmpty()) {
            standIn = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            standIn.createContext("/v1/traces", ex -> {
                bytes.addAndGet(ex.getRequestBody().readAllBytes().length);
                posts.incrementAndGet();
                ex.sendResponseHeaders(200, -1);
                ex.close();
            });
            standIn.start();
            String endpoint = "http://127.0.0.1:" + standIn.getAddress().getPort();
            settings = settings.with(Map.of("HIQ_OTLP_ENDPOINT", endpoint));
            System.out.println("no HIQ_OTLP_ENDPOINT: exporting to a stand-in receiver at " + endpoint);
        }
        try (HiQ hiq = HiQ.builder().conf(Checkout.CONF).settings(settings).service("otlp-example").start()) {
            for (int i = 0; i < 20; i++) {
                try (var request = HiQ.span("request")) {
                    HiQ.extra("customer", "c-" + (i % 4));
                    Checkout.order(i);
                }
            }
            System.out.println(hiq.trees().size() + " trees → " + hiq.trees().size() + " traces, "
                    + hiq.trees().stream().mapToInt(t -> t.root().size()).sum() + " spans");
        } // close() flushes the batch span processor within HIQ_FLUSH_TIMEOUT
        if (standIn != null) {
            System.out.println("stand-in receiver got " + posts.get() + " OTLP request(s), " + bytes.get() + " bytes");
            standIn.stop(0);
        }
    }
}
