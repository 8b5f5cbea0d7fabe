package io.hiq.examples.web;

import io.hiq.HiQ;
import io.hiq.web.HiQWebConfig;
import io.hiq.web.servlet.HiQServletFilter;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.EnumSet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * {@link HiQServletFilter} in a plain servlet container (Jetty 12, EE10): each request a tree root
 * tagged after its servlet mapping ({@code /items/*} → {@code http_GET_items}), with
 * {@code X-Request-ID}/{@code X-Latency}, and the {@code /hiq} endpoints turned on. In a
 * {@code web.xml} the same filter takes init parameters {@code endpoints}, {@code token}, {@code keep}.
 *
 * <p>Usage: {@code ServletExample [PORT] [SECONDS]} (default 7071); makes a few requests to itself and exits, or with SECONDS serves that long (0 = until killed).
 */
public final class ServletExample {
    private ServletExample() {}

    /** The application's servlet: knows nothing of HiQ. */
    public static final class ItemsServlet extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse res) throws IOException {
            res.setContentType("text/plain");
            res.getWriter().print(Catalog.lookup(req.getPathInfo() == null ? "" : req.getPathInfo().substring(1)));
        }
    }

    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 7071;
        // no SECONDS: request itself and exit; 0: serve until killed; N: serve N seconds
        long seconds = args.length > 1 ? Long.parseLong(args[1]) : -1;
        try (HiQ hiq = HiQ.builder().conf(Catalog.CONF).service("servlet-example").start()) {
            Server server = new Server();
            ServerConnector connector = new ServerConnector(server);
            connector.setHost("127.0.0.1");
            connector.setPort(port);
            server.addConnector(connector);
            ServletContextHandler ctx = new ServletContextHandler("/");
            ctx.addServlet(new ServletHolder(new ItemsServlet()), "/items/*");
            ctx.addFilter(new FilterHolder(new HiQServletFilter(new HiQWebConfig().endpoints(true))), "/*",
                    EnumSet.of(DispatcherType.REQUEST));
            server.setHandler(ctx);
            server.start();
            String base = "http://127.0.0.1:" + connector.getLocalPort();
            String token = new HiQWebConfig().token();
            String id = SelfCheck.get(base + "/items/42", null).headers().firstValue("X-Request-ID").orElseThrow();
            hiq.trees();
            System.out.println(SelfCheck.get(base + "/hiq", token).body());
            System.out.println(SelfCheck.get(base + "/hiq/" + id, token).body());
            if (seconds == 0) server.join();
            if (seconds > 0) Thread.sleep(seconds * 1000); // the example's serving time, not synchronisation
            server.stop();
        }
    }
}
