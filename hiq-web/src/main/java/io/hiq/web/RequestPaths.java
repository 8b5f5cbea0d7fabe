package io.hiq.web;

/**
 * The {@code path} extra of a request root: the request path without its query string and without
 * matrix parameters ({@code /orders;jsessionid=AB12/7;v=2} → {@code /orders/7}), cut at
 * {@value #MAX_PATH} characters. Session ids and tokens travel in both places; neither helps to
 * read a tree.
 */
public final class RequestPaths {
    /** Longest path kept, in characters. */
    public static final int MAX_PATH = 256;

    private RequestPaths() {}

    /** {@code path} cleaned as described above; {@code ""} for null. */
    public static String clean(String path) {
        if (path == null) return "";
        int query = path.indexOf('?');
        int fragment = path.indexOf('#');
        int end = path.length();
        if (query >= 0) end = query;
        if (fragment >= 0 && fragment < end) end = fragment;
        if (path.indexOf(';') < 0 || path.indexOf(';') >= end) return cap(path, end);
        StringBuilder sb = new StringBuilder(end);
        boolean skipping = false;
        for (int i = 0; i < end; i++) {
            char c = path.charAt(i);
            if (c == ';') skipping = true;
            else if (c == '/') skipping = false;
            if (!skipping) sb.append(c);
        }
        return cap(sb, sb.length());
    }

    private static String cap(CharSequence s, int end) {
        return end > MAX_PATH ? s.subSequence(0, MAX_PATH) + "…" : s.subSequence(0, end).toString();
    }
}
