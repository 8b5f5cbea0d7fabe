package io.hiq.consumer.http;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import org.eclipse.jetty.http.HttpCookie;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;

/**
 * The optional bearer token ({@code HIQ_CONSUMER_TOKEN}). A request is authorized by
 * {@code Authorization: Bearer <token>}, or — so that a browser can use the UI — by the
 * {@code hiq_token} cookie that {@code GET /?token=<token>} sets (HttpOnly, SameSite=Strict).
 * Comparisons are constant-time; the token is never logged.
 */
public final class BearerAuth {
    /** Name of the UI's session cookie. */
    public static final String COOKIE = "hiq_token";

    private final byte[] token;

    /** @param token the required token, or null/empty for no authentication */
    public BearerAuth(String token) {
        this.token = token == null || token.isEmpty() ? null : token.getBytes(StandardCharsets.UTF_8);
    }

    /** Whether a token is required. */
    public boolean enabled() { return token != null; }

    /** Whether {@code candidate} is the token. */
    public boolean matches(String candidate) {
        return token != null && candidate != null
                && MessageDigest.isEqual(token, candidate.getBytes(StandardCharsets.UTF_8));
    }

    /** Whether the request carries the token (always true when none is required). */
    public boolean authorized(Request request) {
        if (token == null) return true;
        String h = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        if (h != null && h.regionMatches(true, 0, "Bearer ", 0, 7) && matches(h.substring(7).trim())) return true;
        List<HttpCookie> cookies = Request.getCookies(request);
        if (cookies != null) {
            for (HttpCookie c : cookies) {
                if (COOKIE.equals(c.getName()) && matches(URLDecoder.decode(c.getValue(), StandardCharsets.UTF_8))) return true;
            }
        }
        return false;
    }
}
