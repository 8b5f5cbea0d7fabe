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
    private static final String ACCEPTS = " accepts connections but does not answer as the broker expected";

    private BootstrapProbe() {}

    /** E.g. {@code connection refused to 127.0.0.1:1} or {@code unknown host kafka.invalid}. */
    static String explain(String bootstrapServers) {
        List<String> out = new ArrayList<>();
        for (String hp : addresses(bootstrapServers)) out.add(probe(hp));
        return out.isEmpty() ? "no bootstrap address" : String.join(", ", out);
    }

    /**
     * True when at least one bootstrap address accepts a TCP connection: a broker that is there but
     * slow (or a client whose own thread is starved), not one that is down.
     */
    static boolean accepting(String bootstrapServers) {
        for (String hp : addresses(bootstrapServers)) {
            if (probe(hp).endsWith(ACCEPTS)) return true;
        }
        return false;
    }

    /** The first three addresses, without a protocol prefix. */
    private static List<String> addresses(String bootstrapServers) {
        List<String> out = new ArrayList<>();
        String[] servers = bootstrapServers.split("\\s*,\\s*");
        for (int i = 0; i < Math.min(3, servers.length); i++) {
            String hp = servers[i].trim().replaceFirst("^[A-Za-z_]+://", "");
            if (!hp.isEmpty()) out.add(hp);
        }
        return out;
    }

    private static String probe(String hp) {
        int colon = hp.lastIndexOf(':');
        String host = colon > 0 ? hp.substring(0, colon) : hp;
        int port;
        try {
            port = colon > 0 ? Integer.parseInt(hp.substring(colon + 1)) : 9092;
        } catch (NumberFormatException e) {
            return "bad address " + hp;
        }
        return probe(host.replace("[", "").replace("]", ""), port);
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
            return where + ACCEPTS;
        } catch (ConnectException e) {
            return "connection refused to " + where;
        } catch (SocketTimeoutException e) {
            return "connection to " + where + " timed out";
        } catch (IOException e) {
            return "cannot connect to " + where + " (" + e.getMessage() + ")";
        }
    }
}
