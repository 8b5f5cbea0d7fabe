package io.hiq.jack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hiq.core.runtime.Settings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code HIQ_JACK_INFLIGHT_MB}: whole MiB from 1 to 4096; a bad value is named and the default used. */
class InflightSettingTest {
    @Test
    void readsWholeMebibytes() throws Exception {
        assertThat(JackSettings.inflight(Settings.of(Map.of("HIQ_JACK_INFLIGHT_MB", " 48 ")))).isEqualTo(48L << 20);
        assertThat(JackSettings.inflight(Settings.of(Map.of()))).as("not set: the publisher's default").isZero();
    }

    @Test
    void aBadValueIsNamedAndTheDefaultUsed() {
        for (String bad : List.of("0", "-1", "4097", "1.5", "lots")) {
            assertThatThrownBy(() -> JackSettings.inflight(Settings.of(Map.of("HIQ_JACK_INFLIGHT_MB", bad))))
                    .isInstanceOf(JackConfigException.class).hasMessageContaining("HIQ_JACK_INFLIGHT_MB").hasMessageContaining(bad);
        }
        List<String> warnings = new ArrayList<>();
        JackSettings js = JackSettings.from(Settings.of(Map.of("HIQ_HOME", Path.of("/tmp/jack-x").toString(),
                "HIQ_JACK_INFLIGHT_MB", "lots")), warnings::add);
        assertThat(js.inflightBytes()).isZero();
        assertThat(warnings).singleElement().asString().contains("HIQ_JACK_INFLIGHT_MB").contains("using the default");
    }
}
