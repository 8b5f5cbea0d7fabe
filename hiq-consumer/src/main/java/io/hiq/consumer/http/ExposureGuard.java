package io.hiq.consumer.http;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * Refuses to serve every stored tree (captured arguments included) to the network without a token:
 * a non-loopback bind address needs {@code HIQ_CONSUMER_TOKEN}, or the explicit
 * {@code --insecure-no-token} flag that says the operator means it. Loopback binds stay open by
 * default (the local developer's case); {@link HostCheck} protects them from DNS rebinding.
 */
public final class ExposureGuard {
    private ExposureGuard() {}

    /**
     * Whether {@code host} only accepts connections from this machine: {@code localhost}, 127.0.0.0/8,
     * {@code ::1}. A name other than {@code localhost} is resolved; one that does not resolve is not
     * considered loopback (the bind would fail anyway).
     */
    public static boolean loopback(String host) {
        String h = host.trim().toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) h = h.substring(1, h.length() - 1);
        if (h.equals("localhost")) return true;
        try {
            for (InetAddress a : InetAddress.getAllByName(h)) {
                if (!a.isLoopbackAddress()) return false;
            }
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /**
     * The one-line reason to refuse starting, or null when starting is fine: a non-loopback
     * {@code host} without a token and without {@code insecureNoToken}.
     */
    public static String refusal(String host, String token, boolean insecureNoToken) {
        if ((token != null && !token.isEmpty()) || insecureNoToken || loopback(host)) return null;
        return "refusing to serve --http " + host + " (not loopback) without HIQ_CONSUMER_TOKEN:"
                + " set HIQ_CONSUMER_TOKEN to a secret, bind 127.0.0.1, or pass --insecure-no-token to serve every tree to anyone who can reach the port";
    }
}
