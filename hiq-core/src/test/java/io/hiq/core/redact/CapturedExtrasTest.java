package io.hiq.core.redact;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class CapturedExtrasTest {
    enum Plan { GOLD; @Override public String toString() { return "app's toString"; } }

    record Customer(String name, String password) {}

    @Test
    void secretKeysAreMaskedWhateverTheValue() {
        assertThat(CapturedExtras.value("password", "hunter2")).isEqualTo("***");
        assertThat(CapturedExtras.value("pin", 1234)).isEqualTo("***");
        assertThat(CapturedExtras.value("apiKey", new Customer("a", "b"))).isEqualTo("***");
        // the verdict is remembered per key: a second call gives the same answer
        assertThat(CapturedExtras.value("password", "hunter2")).isEqualTo("***");
        assertThat(CapturedExtras.value("author", "Tolkien")).isEqualTo("Tolkien");
    }

    @Test
    void textIsMaskedHarmlessValuesKeptOtherObjectsDescribed() {
        assertThat(CapturedExtras.value("url", "https://u:hunter2@db/x?token=t1")).isEqualTo("https://***@db/x?token=***");
        assertThat(CapturedExtras.value("note", new StringBuilder("password=x"))).isEqualTo("password=***");
        assertThat(CapturedExtras.value("path", "/orders/7")).isEqualTo("/orders/7");
        assertThat(CapturedExtras.value("status", 200)).isEqualTo(200);
        assertThat(CapturedExtras.value("ok", true)).isEqualTo(true);
        UUID id = UUID.randomUUID();
        assertThat(CapturedExtras.value("id", id)).isSameAs(id);
        assertThat(CapturedExtras.value("took", Duration.ofMillis(5))).isEqualTo(Duration.ofMillis(5));
        assertThat(CapturedExtras.value("plan", Plan.GOLD)).isEqualTo("GOLD");
        assertThat(CapturedExtras.value("customer", new Customer("bob", "hunter2"))).isEqualTo("<Customer>");
        assertThat(CapturedExtras.value("items", List.of(1, 2))).asString().endsWith(" size=2>");
        assertThat(CapturedExtras.value("nothing", null)).isNull();
    }
}
