package io.hiq.consumer.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A TCP proxy in front of a database server that, once {@link #arm() armed}, forwards the client's
 * next {@code COMMIT} to the server and then cuts the client's connection before the server's answer
 * reaches it: the commit whose outcome the client cannot know (a server restarted or a network cut at
 * the worst moment), made deterministic. Only the client side is cut: the server receives the whole
 * message, commits, and finds the connection closed when it answers.
 */
public final class CommitCuttingProxy implements AutoCloseable {
    private static final byte[] COMMIT = "COMMIT".getBytes(StandardCharsets.US_ASCII);

    private final ServerSocket listener;
    private final int targetPort;
    private final AtomicBoolean armed = new AtomicBoolean();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile int cuts;

    /** Listens on 127.0.0.1 (a free port) and forwards to 127.0.0.1:{@code targetPort}. */
    public CommitCuttingProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(this::acceptLoop, "commit-cutting-proxy");
        accept.setDaemon(true);
        accept.start();
    }

    /** The port clients connect to. */
    public int port() { return listener.getLocalPort(); }

    /** Cuts the connection that sends the next COMMIT, right after forwarding it. */
    public void arm() { armed.set(true); }

    /** How many connections were cut after a COMMIT. */
    public int cuts() { return cuts; }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                sockets.add(client);
                sockets.add(server);
                AtomicBoolean cut = new AtomicBoolean();
                pump(client, server, true, cut);
                pump(server, client, false, cut);
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    /**
     * Copies one direction. Client to server: when armed and the chunk holds COMMIT, {@code cut} is set
     * before the chunk goes out, so the server's answer — which cannot come earlier — is never relayed.
     */
    private void pump(Socket from, Socket to, boolean clientToServer, AtomicBoolean cut) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[64 * 1024];
            byte[] tail = new byte[0]; // the end of the previous chunk: "COMMIT" may straddle two reads
            try (InputStream in = from.getInputStream()) {
                OutputStream out = to.getOutputStream();
                for (int n; (n = in.read(buf)) >= 0; ) {
                    if (!clientToServer) {
                        if (cut.get()) return; // the answer to the cut COMMIT: dropped
                        out.write(buf, 0, n);
                        out.flush();
                        continue;
                    }
                    boolean cutting = false;
                    if (armed.get()) {
                        byte[] window = new byte[tail.length + n];
                        System.arraycopy(tail, 0, window, 0, tail.length);
                        System.arraycopy(buf, 0, window, tail.length, n);
                        cutting = contains(window, COMMIT) && armed.compareAndSet(true, false);
                        int keep = Math.min(COMMIT.length - 1, window.length);
                        tail = java.util.Arrays.copyOfRange(window, window.length - keep, window.length);
                    }
                    if (cutting) cut.set(true);
                    out.write(buf, 0, n);
                    out.flush();
                    if (cutting) {
                        cuts++;
                        from.close(); // the client loses the answer; the server has the whole COMMIT
                        return;
                    }
                }
            } catch (IOException e) {
                // either side closed: close the other so its reader ends too
            } finally {
                try {
                    to.shutdownOutput();
                } catch (IOException ignored) {
                    // closed already
                }
            }
        }, "commit-cutting-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private static boolean contains(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return true;
        }
        return false;
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket s : sockets) s.close();
    }
}
