package io.hiq.web;

import io.hiq.core.runtime.HiQRuntime;
import io.hiq.tree.HiQTree;
import io.hiq.tree.TreeRenderer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The {@code /hiq} endpoints, independent of the web framework:
 * <ul>
 *   <li>{@code GET /hiq}: JSON {@code {"enabled":…, "trees":[{"id","tree_id","method","route","path",
 *       "status","start","latency_ms"}, …]}}, newest first;</li>
 *   <li>{@code GET /hiq/{id}}: the tree (by request id or tree id) as {@code text/plain}, rendered as
 *       DESIGN B5c;</li>
 *   <li>{@code POST /hiq/enable}, {@code POST /hiq/disable}: switch tracing, only when a token is
 *       configured, with {@code Authorization: Bearer <token>}.</li>
 * </ul>
 * Nothing is ever rendered as HTML: JSON and plain text only, with {@code nosniff}.
 */
public final class HiQEndpoints {
    /** What to send back. */
    public record Response(int status, String contentType, String body) {
        public byte[] bytes() { return body.getBytes(StandardCharsets.UTF_8); }
    }

    private static final String JSON = "application/json; charset=utf-8";
    private static final String TEXT = "text/plain; charset=utf-8";

    private final HiQWebConfig config;
    private final RequestTrees trees;

    public HiQEndpoints(HiQWebConfig config, RequestTrees trees) {
        this.config = config;
        this.trees = trees;
    }

    /** Whether {@code path} is one of ours (only when the endpoints are enabled). */
    public boolean handles(String path) {
        if (!config.endpoints() || path == null) return false;
        String base = config.basePath();
        return path.equals(base) || path.equals(base + "/") || path.startsWith(base + "/");
    }

    /**
     * Answers a request to one of our paths.
     *
     * @param authorization the {@code Authorization} header, may be null
     */
    public Response handle(String method, String path, String authorization) {
        String base = config.basePath();
        String rest = path.length() <= base.length() ? "" : path.substring(base.length() + 1);
        if (rest.endsWith("/")) rest = rest.substring(0, rest.length() - 1);
        String m = method.toUpperCase(Locale.ROOT);
        boolean control = rest.equals("enable") || rest.equals("disable");

        if (control) {
            if (!m.equals("POST")) return text(405, "use POST");
            if (config.token() == null) return text(403, "switching tracing over HTTP is off: configure HIQ_WEB_TOKEN to allow it");
            if (!authorized(authorization)) return text(401, "missing or wrong bearer token");
            HiQRuntime rt = HiQRuntime.current();
            if (rt == null) return text(409, "HiQ is not running");
            if (rest.equals("enable")) rt.enable();
            else rt.disable();
            return json(200, "{\"enabled\":" + rt.isEnabled() + "}");
        }
        if (!m.equals("GET") && !m.equals("HEAD")) return text(405, "use GET");
        if (config.token() != null && !authorized(authorization)) return text(401, "missing or wrong bearer token");
        trees.attach();
        if (rest.isEmpty()) return json(200, list());
        if (rest.contains("/") || !RequestIds.plausible(rest)) return text(404, "no such tree");
        Optional<HiQTree> t = trees.find(rest);
        return t.map(tree -> text(200, TreeRenderer.local().render(tree))).orElseGet(() -> text(404, "no such tree"));
    }

    private boolean authorized(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) return false;
        byte[] given = authorization.substring(7).trim().getBytes(StandardCharsets.UTF_8);
        // constant time: the token must not leak through response timing
        return MessageDigest.isEqual(given, config.token().getBytes(StandardCharsets.UTF_8));
    }

    private String list() {
        HiQRuntime rt = HiQRuntime.current();
        StringBuilder sb = new StringBuilder(256);
        sb.append("{\"enabled\":").append(rt != null && rt.isEnabled()).append(",\"trees\":[");
        List<HiQTree> list = trees.list();
        for (int i = 0; i < list.size(); i++) {
            HiQTree t = list.get(i);
            var extra = t.root().extra();
            if (i > 0) sb.append(',');
            sb.append("{\"id\":");
            Json.string(sb, String.valueOf(extra.get(RequestTrees.REQUEST_ID)));
            sb.append(",\"tree_id\":");
            Json.string(sb, t.id());
            sb.append(",\"tag\":");
            Json.string(sb, t.root().name());
            for (String k : new String[] {"method", "route", "path"}) {
                if (extra.containsKey(k)) {
                    sb.append(",\"").append(k).append("\":");
                    Json.string(sb, String.valueOf(extra.get(k)));
                }
            }
            if (extra.get("status") instanceof Number n) sb.append(",\"status\":").append(n.intValue());
            sb.append(",\"start\":").append(t.root().start());
            sb.append(",\"latency_ms\":").append(String.format(Locale.ROOT, "%.3f", t.latencyMs()));
            sb.append('}');
        }
        return sb.append("]}").toString();
    }

    private static Response json(int status, String body) { return new Response(status, JSON, body); }

    private static Response text(int status, String body) { return new Response(status, TEXT, body.endsWith("\n") ? body : body + "\n"); }
}
