package io.hiq.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The bounds hiq-web puts on what a client controls: the method's spelling and the path extra. */
class RequestBoundsTest {
    @Test
    void standardMethodsAreKeptEverythingElseIsOther() {
        for (String m : new String[] {"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"}) {
            assertThat(HttpMethods.normalize(m)).isEqualTo(m);
        }
        assertThat(HttpMethods.normalize("QZX1")).isEqualTo(HttpMethods.OTHER);
        assertThat(HttpMethods.normalize("get")).isEqualTo(HttpMethods.OTHER);
        assertThat(HttpMethods.normalize(null)).isEqualTo(HttpMethods.OTHER);
        assertThat(RouteTag.of(HttpMethods.normalize("QZX1"), "/orders/*")).isEqualTo("http_OTHER_orders");
    }

    @Test
    void pathDropsMatrixParametersQueryAndFragment() {
        assertThat(RequestPaths.clean("/orders;jsessionid=AB12/7;v=2")).isEqualTo("/orders/7");
        assertThat(RequestPaths.clean("/orders/7?token=abc")).isEqualTo("/orders/7");
        assertThat(RequestPaths.clean("/a;x=1?q=;y")).isEqualTo("/a");
        assertThat(RequestPaths.clean("/a#frag")).isEqualTo("/a");
        assertThat(RequestPaths.clean(null)).isEmpty();
        assertThat(RequestPaths.clean("/" + "x".repeat(400))).hasSize(RequestPaths.MAX_PATH + 1).endsWith("…");
    }
}
