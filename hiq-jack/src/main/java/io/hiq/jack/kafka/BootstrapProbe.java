package io.hiq.jack.kafka;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Says what a TCP connection attempt to each bootstrap address gives, for the one line that
 * reports an outage: the Kafka producer only logs connection errors and reports timeouts.
 * At most three addresses, 500 ms each.
 */
final class BootstrapProbe {
    private static final int TIMEOUT_MS = 500;

    private BootstrapProbe() {}

    /** E.g. {@code connection refused to 127.0.0.1:1} or {@code unknown host kafka.invalid}. */
    static String explain(String bootstrapServers) {
        List<String> out = new ArrayList<>();
        String[] servers = bootstrapServers.split("\\s*,\\s*");
        for (int i = 0; i < Math.min(3, servers.length); i++) {
            String hp = servers[i].trim().replaceFirst("^[A-Za-z_]+://", "");
            if (hp.isEmpty()) continue;
            int colon = hp.lastIndexOf(':');
            String host = colon > 0 ? hp.substring(0, colon) : hp;
            int port;
            try {
                port = colon > 0 ? Integer.parseInt(hp.substring(colon + 1)) : 9092;
            } catch (NumberFormatException e) {
                out.add("bad address " + hp);
                continue;
            }
            out.add(probe(host.replace("[", "").replace("]", ""), port));
        }
        return out.isEmpty() ? "no bootstrap address" : String.join(", ", out);
    }

    private static String probe(String host, int port) {
        InetAddress addr;
        try {
            addr = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            return "unknown host " + host;
        }
        String where = host + ":" + port;
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(addr, port), TIMEOUT_MS);
            return where + " accepts connections but does not answer as the broker expected";
        } catch (ConnectException e) {
            return "connection refused to " + where;
        } catch (SocketTimeoutException e) {
            return "connection to " + where + " timed out";
        } catch (IOException e) {
            return "cannot connect to " + where + " (" + e.getMessage() + ")";
        }
    }
}
