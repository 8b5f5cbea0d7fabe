package io.hiq.examples.web;

import io.hiq.HiQ;
import io.hiq.core.runtime.Settings;
import io.hiq.web.javalin.HiQJavalinPlugin;
import io.javalin.Javalin;

/**
 * The guide's FastAPI chapter, for Javalin 7: every request is a HiQ tree root with
 * {@code X-Request-ID} and {@code X-Latency} headers; {@code /hiq} lists the last requests and
 * {@code /hiq/{id}} shows one as a tree. Tracing can be switched with
 * {@code POST /hiq/enable|disable} only when {@code HIQ_WEB_TOKEN} is set (and then every
 * {@code /hiq} call needs {@code Authorization: Bearer $HIQ_WEB_TOKEN}).
 *
 * <p>Usage: {@code JavalinExample [PORT] [SECONDS]} (default 7070, 0 = until killed); listens on 127.0.0.1.
 */
public final class JavalinExample {
    private JavalinExample() {}

    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 7070;
        long seconds = args.length > 1 ? Long.parseLong(args[1]) : 0;
        String token = Settings.system().get("HIQ_WEB_TOKEN", null);
        try (HiQ hiq = HiQ.builder().conf(Catalog.CONF).service("javalin-example").start()) {
            HiQJavalinPlugin plugin = new HiQJavalinPlugin(web -> web.endpoints(true));
            Javalin app = Javalin.create(config -> {
                config.jetty.host = "127.0.0.1";
                config.jetty.port = port;
                config.registerPlugin(plugin);
                config.routes.get("/items/{sku}", ctx -> ctx.result(Catalog.lookup(ctx.pathParam("sku"))));
            }).start();
            String base = "http://127.0.0.1:" + app.port();
            String id = SelfCheck.get(base + "/items/A-1", null).headers().firstValue("X-Request-ID").orElseThrow();
            SelfCheck.get(base + "/items/B-2", null);
            hiq.trees(); // every request so far assembled
            System.out.println(SelfCheck.get(base + "/hiq", token).body());
            System.out.println(SelfCheck.get(base + "/hiq/" + id, token).body());
            System.out.println("try: curl -i " + base + "/items/C-3 ; curl " + base + "/hiq"
                    + (token == null ? "   (set HIQ_WEB_TOKEN to allow POST /hiq/enable|disable)" : " -H 'Authorization: Bearer …'"));
            if (seconds == 0) Thread.currentThread().join();
            Thread.sleep(seconds * 1000); // the example's serving time, not synchronisation
            app.stop();
        }
    }
}
