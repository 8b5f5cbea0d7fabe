package io.hiq.web;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The tag of a request's root node: {@code http_<METHOD>_<route>} with every run of characters
 * outside {@code [A-Za-z0-9]} turned into one {@code _} ({@code GET /orders/{id}} →
 * {@code http_GET_orders_id}, {@code GET /} → {@code http_GET_root}).
 *
 * <p>Routes are patterns, not raw paths, so the number of tags stays bounded; names are cached.
 */
public final class RouteTag {
    private static final int MAX = 120;
    private static final Map<String, String> CACHE = new ConcurrentHashMap<>();

    private RouteTag() {}

    /** The tag for {@code method} and the route pattern {@code route}. */
    public static String of(String method, String route) {
        String key = method + ' ' + route;
        String t = CACHE.get(key);
        if (t != null) return t;
        if (CACHE.size() > 10_000) CACHE.clear(); // a bound, should an app hand raw paths in
        return CACHE.computeIfAbsent(key, k -> build(method, route));
    }

    private static String build(String method, String route) {
        String m = clean(method == null ? "" : method.toUpperCase(Locale.ROOT));
        String r = clean(route == null ? "" : route);
        String tag = "http_" + (m.isEmpty() ? "ANY" : m) + "_" + (r.isEmpty() ? "root" : r);
        return tag.length() > MAX ? tag.substring(0, MAX) : tag;
    }

    private static String clean(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
            if (word) sb.append(c);
            else if (sb.length() > 0 && sb.charAt(sb.length() - 1) != '_') sb.append('_');
        }
        int end = sb.length();
        while (end > 0 && sb.charAt(end - 1) == '_') end--;
        return sb.substring(0, end);
    }
}
