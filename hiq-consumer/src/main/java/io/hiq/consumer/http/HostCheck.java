package io.hiq.consumer.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * DNS rebinding defence: a web page on {@code evil.example} whose name is re-pointed at 127.0.0.1 can
 * make the victim's browser call the service, but the browser still sends
 * {@code Host: evil.example}. Only these {@code Host} values are served (port ignored, case
 * insensitive):
 * <ul>
 *   <li>IP literals (v4, or v6 in brackets): a rebinding page always comes from a DNS name, and an
 *       IP literal origin is the service itself;</li>
 *   <li>{@code localhost};</li>
 *   <li>the bind host, when it is a name;</li>
 *   <li>the names of {@code HIQ_CONSUMER_HOSTS} (comma separated; {@code *} turns the check off, e.g.
 *       behind a proxy that checks the host itself).</li>
 * </ul>
 * Anything else is answered {@code 421 Misdirected Request} before authentication or any store
 * access. A request without {@code Host} (HTTP/1.0; no browser sends one) is served.
 */
public final class HostCheck {
    /** The allow-list's environment variable. */
    public static final String VARIABLE = "HIQ_CONSUMER_HOSTS";

    private final String bindHost;
    private final Set<String> allowed;
    private final boolean any;

    /** @param allowed extra host names ({@link #parseAllowList}); {@code *} accepts any host */
    public HostCheck(String bindHost, Set<String> allowed) {
        this.bindHost = normalize(bindHost);
        this.allowed = allowed.stream().map(HostCheck::normalize).collect(Collectors.toUnmodifiableSet());
        this.any = this.allowed.contains("*");
    }

    /** {@code a.example, B.example:8080} → {a.example, b.example}; null or blank → empty. */
    public static Set<String> parseAllowList(String text) {
        if (text == null || text.isBlank()) return Set.of();
        return Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty()).map(HostCheck::hostPart)
                .map(HostCheck::normalize).collect(Collectors.toUnmodifiableSet());
    }

    /** Whether a {@code Host} header value (null: none sent) is served. */
    public boolean accepts(String hostHeader) {
        if (any || hostHeader == null) return true;
        String h = normalize(hostPart(hostHeader.trim()));
        if (h.isEmpty()) return false;
        return h.equals("localhost") || h.equals(bindHost) || allowed.contains(h) || ipLiteral(h);
    }

    /** {@code name:port} → {@code name}; {@code [::1]:80} → {@code ::1}. */
    static String hostPart(String hostPort) {
        if (hostPort.startsWith("[")) {
            int end = hostPort.indexOf(']');
            return end < 0 ? "" : hostPort.substring(1, end);
        }
        int colon = hostPort.indexOf(':');
        if (colon >= 0 && hostPort.indexOf(':', colon + 1) >= 0) return hostPort; // bare IPv6
        return colon < 0 ? hostPort : hostPort.substring(0, colon);
    }

    private static String normalize(String h) {
        String s = h.trim().toLowerCase(Locale.ROOT);
        if (s.startsWith("[") && s.endsWith("]")) s = s.substring(1, s.length() - 1);
        while (s.endsWith(".") && s.length() > 1) s = s.substring(0, s.length() - 1); // "localhost." is localhost
        return s;
    }

    /** A dotted-quad IPv4 or an IPv6 literal, checked by syntax (never resolved). */
    static boolean ipLiteral(String h) {
        if (h.indexOf(':') >= 0) return h.matches("[0-9a-f:.]+(%[0-9a-z._-]+)?");
        String[] parts = h.split("\\.", -1);
        if (parts.length != 4) return false;
        for (String p : parts) {
            if (!p.matches("\\d{1,3}") || Integer.parseInt(p) > 255) return false;
        }
        return true;
    }

    /** {@code next}, behind this check. */
    public Handler wrap(Handler next) {
        Handler.Wrapper w = new Handler.Wrapper(next) {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                String host = request.getHeaders().get(HttpHeader.HOST);
                if (accepts(host)) return super.handle(request, response, callback);
                byte[] body = ("{\"error\":\"Host not served: add the name to " + VARIABLE + " (comma separated) to allow it\"}")
                        .getBytes(StandardCharsets.UTF_8);
                response.setStatus(HttpStatus.MISDIRECTED_REQUEST_421);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json; charset=utf-8");
                response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
                response.write(true, ByteBuffer.wrap(body), callback);
                return true;
            }
        };
        return w;
    }
}
