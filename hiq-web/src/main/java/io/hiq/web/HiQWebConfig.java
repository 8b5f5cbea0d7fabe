package io.hiq.web;

import io.hiq.core.runtime.Settings;

/**
 * Options of the servlet filter and the Javalin plugin. Safe by default: the {@code /hiq}
 * endpoints are off until {@link #endpoints(boolean)} turns them on, and tracing can be switched
 * over HTTP only when a token is configured ({@code HIQ_WEB_TOKEN} or {@link #token(String)}).
 */
public final class HiQWebConfig {
    /** The fixed tag used when route tags are off. */
    public static final String DEFAULT_TAG = "http_request";

    private boolean endpoints;
    private String basePath = "/hiq";
    private String token = Settings.system().get("HIQ_WEB_TOKEN", null);
    private int keep = 100;
    private boolean routeTags = true;
    private String tag = DEFAULT_TAG;

    /** Serve {@code GET /hiq}, {@code GET /hiq/{id}} (and, with a token, {@code POST /hiq/enable|disable}); default off. */
    public HiQWebConfig endpoints(boolean on) { this.endpoints = on; return this; }

    /** Where the endpoints live (default {@code /hiq}). */
    public HiQWebConfig basePath(String path) {
        if (path == null || !path.matches("/[\\w/-]*[\\w-]")) throw new IllegalArgumentException("basePath '" + path + "': must look like /hiq");
        this.basePath = path;
        return this;
    }

    /**
     * The bearer token that {@code /hiq} requests must carry ({@code Authorization: Bearer <token>});
     * needed for enable/disable, and once set, for reading trees too. Default: {@code HIQ_WEB_TOKEN}.
     */
    public HiQWebConfig token(String t) { this.token = t == null || t.isBlank() ? null : t; return this; }

    /** How many request trees to keep for {@code /hiq} (default 100). */
    public HiQWebConfig keep(int n) {
        if (n < 1) throw new IllegalArgumentException("keep " + n + ": must be ≥ 1");
        this.keep = n;
        return this;
    }

    /**
     * Name each request's root after its route ({@code GET /orders/{id}} → {@code http_GET_orders_id},
     * default) or give every request the one tag {@link #tag(String)} (route, method, path in extras).
     */
    public HiQWebConfig routeTags(boolean on) { this.routeTags = on; return this; }

    /** The tag used when {@link #routeTags(boolean)} is off (default {@code http_request}). */
    public HiQWebConfig tag(String t) {
        if (t == null || !t.matches("\\w+")) throw new IllegalArgumentException("tag '" + t + "' must match ^\\w+$");
        this.tag = t;
        return this;
    }

    public boolean endpoints() { return endpoints; }
    public String basePath() { return basePath; }
    public String token() { return token; }
    public int keep() { return keep; }
    public boolean routeTags() { return routeTags; }
    public String tag() { return tag; }
}
