package io.hiq.export.prometheus;

import io.hiq.core.runtime.Settings;
import io.hiq.core.spi.HiQContext;
import io.hiq.core.spi.HiQExtension;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.PrintStream;

/**
 * {@code TRACE_TYPE=prometheus} (DESIGN B5): every traced method becomes a {@code hiq_<tag>}
 * summary and a {@code hiq_<tag>_seconds} histogram, HiQ's own counters become
 * {@code hiq_internal_*_total}, all served at {@code http://127.0.0.1:$HIQ_PROMETHEUS_PORT/metrics}
 * (port 9464 by default; another interface only when {@code HIQ_PROMETHEUS_HOST} says so).
 *
 * <p>It needs neither LMK nor Jack: it subscribes to completed trees and counts every node of a tree
 * the moment the tree is assembled.
 */
public final class PrometheusExtension implements HiQExtension {
    /** Default port: the one OpenTelemetry's Prometheus exporter uses too. */
    public static final int DEFAULT_PORT = 9464;

    private final PrintStream err;
    private HTTPServer server;

    /** Used by {@link java.util.ServiceLoader}. */
    public PrometheusExtension() { this(System.err); }

    PrometheusExtension(PrintStream err) { this.err = err; }

    @Override
    public String name() { return "prometheus"; }

    @Override
    public boolean start(HiQContext context) {
        Settings s = context.settings();
        if (!"prometheus".equalsIgnoreCase(s.get("TRACE_TYPE", ""))) return false;
        String host = s.get("HIQ_PROMETHEUS_HOST", "127.0.0.1");
        int port;
        try {
            long p = s.number("HIQ_PROMETHEUS_PORT", DEFAULT_PORT);
            if (p < 0 || p > 65535) throw new IllegalArgumentException("HIQ_PROMETHEUS_PORT: not a port: " + p);
            port = (int) p;
        } catch (IllegalArgumentException e) {
            err.println("hiq: prometheus: " + e.getMessage() + "; the Prometheus endpoint is not started");
            return false;
        }
        // an own registry, not the client's default one: a second HiQ runtime in the same JVM (tests,
        // driver restarts) must not collide with the metrics of the first, nor with the application's
        PrometheusRegistry registry = new PrometheusRegistry();
        TreeMetrics metrics = new TreeMetrics(registry, err);
        registry.register(new InternalCounters(context.counters()));
        try {
            server = HTTPServer.builder().hostname(host).port(port).registry(registry).buildAndStart();
        } catch (IOException | RuntimeException e) {
            err.println("hiq: prometheus: cannot listen on " + host + ":" + port + " (" + e + "); the Prometheus endpoint is not started");
            return false;
        }
        context.addTreeSink(metrics);
        return true;
    }

    /** The port the endpoint listens on, -1 when not started (tests with port 0). */
    public int port() { return server == null ? -1 : server.getPort(); }

    @Override
    public void close() {
        if (server != null) {
            server.close();
            server = null;
        }
    }
}
