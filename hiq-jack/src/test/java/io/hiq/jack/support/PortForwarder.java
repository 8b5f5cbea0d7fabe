package io.hiq.jack.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP door on a fixed loopback port that forwards every connection to a target port, or refuses
 * connections while it has none. Jack's bootstrap address points here: "nothing listens" until a
 * broker is started and the door is opened to it (Kafka clients only bootstrap through it, then
 * talk to the broker's advertised address). {@link #close} also cuts the open connections.
 * {@link #holdAnswersUntil} makes it a broker that is slow to answer (what a client whose own I/O
 * thread is starved on a loaded machine sees): connections are accepted at once, the broker's
 * bytes are passed on only from that moment.
 */
public final class PortForwarder implements AutoCloseable {
    private final int port;
    private volatile ServerSocket server;
    private volatile int target;
    private volatile long answersFrom = System.nanoTime();
    private final List<Socket> open = new CopyOnWriteArrayList<>();

    public PortForwarder() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            this.port = s.getLocalPort();
        }
    }

    /** The door's port (nothing listens on it until {@link #openTo}). */
    public int port() { return port; }

    /** From now until {@code nanoTime} ({@link System#nanoTime}) the broker's bytes are held back. */
    public void holdAnswersUntil(long nanoTime) {
        answersFrom = nanoTime;
    }

    /** Starts accepting on the door and forwarding to {@code targetPort}. */
    public synchronized void openTo(int targetPort) throws IOException {
        this.target = targetPort;
        if (server != null) return;
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        server = s;
        Thread t = new Thread(() -> acceptLoop(s), "test-forwarder-" + port);
        t.setDaemon(true);
        t.start();
    }

    private void acceptLoop(ServerSocket s) {
        while (!s.isClosed()) {
            try {
                Socket in = s.accept();
                Socket out = new Socket(InetAddress.getLoopbackAddress(), target);
                open.add(in);
                open.add(out);
                pump(in, out, false);
                pump(out, in, true);
            } catch (IOException e) {
                // closed, or the target is gone: the client sees a dropped connection
            }
        }
    }

    private void pump(Socket from, Socket to, boolean answers) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[64 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    long hold;
                    while (answers && (hold = answersFrom - System.nanoTime()) > 0) java.util.concurrent.locks.LockSupport.parkNanos(hold);
                    out.write(buf, 0, n);
                }
            } catch (IOException e) {
                // one side closed
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "test-forwarder-pump");
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // nothing to do
        }
    }

    /** Stops listening and cuts every forwarded connection. */
    @Override
    public synchronized void close() throws IOException {
        if (server != null) server.close();
        server = null;
        for (Socket s : open) closeQuietly(s);
        open.clear();
    }
}
