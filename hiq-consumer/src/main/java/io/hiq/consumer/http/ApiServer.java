package io.hiq.consumer.http;

import io.hiq.consumer.store.TreeStore;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/** The embedded Jetty 12 server of the API and UI, bound to one host and port (port 0: any free one). */
public final class ApiServer implements AutoCloseable {
    private final Server server;
    private final ServerConnector connector;

    /** Without a Host check beyond the defaults of the bind address. */
    public ApiServer(String host, int port, TreeStore store, ServiceStatus status, BearerAuth auth) {
        this(host, port, store, status, auth, new HostCheck(host, java.util.Set.of()));
    }

    /** @param hosts which {@code Host} headers are served (DNS rebinding defence); checked before anything else */
    public ApiServer(String host, int port, TreeStore store, ServiceStatus status, BearerAuth auth, HostCheck hosts) {
        QueuedThreadPool pool = new QueuedThreadPool(16, 2);
        pool.setName("hiq-http");
        pool.setDaemon(true);
        server = new Server(pool);
        connector = new ServerConnector(server, 1, 1);
        connector.setHost(host);
        connector.setPort(port);
        server.addConnector(connector);
        server.setHandler(hosts.wrap(new ApiHandler(store, status, auth)));
        server.setStopTimeout(2000);
    }

    /** Starts listening. */
    public void start() throws Exception { server.start(); }

    /** The port actually bound. */
    public int port() { return connector.getLocalPort(); }

    /** The host bound. */
    public String host() { return connector.getHost(); }

    @Override
    public void close() throws Exception { server.stop(); }
}
