package io.hiq.consumer.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** The Host header rules and the exposure guard, value by value. */
class HostCheckTest {
    @Test
    void loopbackBindAcceptsOnlyLocalNamesAndIpLiterals() {
        HostCheck c = new HostCheck("127.0.0.1", Set.of());
        assertThat(c.accepts("127.0.0.1:8080")).isTrue();
        assertThat(c.accepts("localhost:8080")).isTrue();
        assertThat(c.accepts("LOCALHOST.")).isTrue();
        assertThat(c.accepts("[::1]:8080")).isTrue();
        assertThat(c.accepts(null)).as("HTTP/1.0 without Host").isTrue();
        assertThat(c.accepts("evil.example")).isFalse();
        assertThat(c.accepts("evil.example:8080")).isFalse();
        assertThat(c.accepts("127.0.0.1.evil.example")).isFalse();
        assertThat(c.accepts("localhost.evil.example")).isFalse();
        assertThat(c.accepts("999.1.1.1")).isFalse();
        assertThat(c.accepts("")).isFalse();
    }

    @Test
    void bindNameAndAllowListAreAccepted() {
        HostCheck c = new HostCheck("consumer.lan", HostCheck.parseAllowList(" hiq.example , Other.Example:443 ,"));
        assertThat(c.accepts("consumer.lan:8080")).isTrue();
        assertThat(c.accepts("hiq.example")).isTrue();
        assertThat(c.accepts("other.example:8080")).isTrue();
        assertThat(c.accepts("third.example")).isFalse();
        assertThat(new HostCheck("0.0.0.0", HostCheck.parseAllowList("*")).accepts("anything.example")).isTrue();
        assertThat(HostCheck.parseAllowList(null)).isEmpty();
    }

    @Test
    void exposureGuardRefusesNonLoopbackWithoutToken() {
        assertThat(ExposureGuard.refusal("127.0.0.1", null, false)).isNull();
        assertThat(ExposureGuard.refusal("localhost", null, false)).isNull();
        assertThat(ExposureGuard.refusal("::1", null, false)).isNull();
        assertThat(ExposureGuard.refusal("0.0.0.0", null, false)).contains("HIQ_CONSUMER_TOKEN").doesNotContain("\n");
        assertThat(ExposureGuard.refusal("::", "", false)).contains("HIQ_CONSUMER_TOKEN");
        assertThat(ExposureGuard.refusal("0.0.0.0", "t", false)).isNull();
        assertThat(ExposureGuard.refusal("0.0.0.0", null, true)).isNull();
    }
}
