package io.hiq.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Names and escaping the endpoints rely on. */
class JsonAndRoutesTest {
    @Test
    void jsonStringsEscapeQuotesControlsAndMarkup() {
        StringBuilder sb = new StringBuilder();
        Json.string(sb, "a\"b\\c\n</script><img src=x onerror=alert(1)>&\u0001");
        assertThat(sb.toString()).isEqualTo("\"a\\\"b\\\\c\\n\\u003c/script\\u003e\\u003cimg src=x onerror=alert(1)\\u003e\\u0026\\u0001\"");
    }

    @Test
    void routesBecomeBoundedWordTags() {
        assertThat(RouteTag.of("GET", "/orders/{id}")).isEqualTo("http_GET_orders_id");
        assertThat(RouteTag.of("post", "/api/v1/users/<uid>/items")).isEqualTo("http_POST_api_v1_users_uid_items");
        assertThat(RouteTag.of("GET", "/")).isEqualTo("http_GET_root");
        assertThat(RouteTag.of("GET", "/orders/*")).isEqualTo("http_GET_orders");
        assertThat(RouteTag.of("GET", "/" + "x".repeat(500))).hasSize(120).matches("\\w+");
    }

    @Test
    void requestIdsFromOutsideAreKeptOnlyWhenPlain() {
        assertThat(RequestIds.accept("abc-1.2_3")).isEqualTo("abc-1.2_3");
        assertThat(RequestIds.accept("a b")).matches("[0-9a-f]{16}");
        assertThat(RequestIds.accept("x".repeat(65))).matches("[0-9a-f]{16}");
        assertThat(RequestIds.accept(null)).matches("[0-9a-f]{16}");
    }

    @Test
    void configIsSafeByDefaultAndChecked() {
        HiQWebConfig c = new HiQWebConfig();
        assertThat(c.endpoints()).isFalse();
        assertThat(c.basePath()).isEqualTo("/hiq");
        assertThatThrownBy(() -> c.basePath("hiq")).hasMessageContaining("basePath");
        assertThatThrownBy(() -> c.tag("a-b")).hasMessageContaining("^\\w+$");
        assertThatThrownBy(() -> c.keep(0)).hasMessageContaining("keep 0");
    }
}
