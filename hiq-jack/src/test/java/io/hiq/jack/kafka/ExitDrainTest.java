package io.hiq.jack.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.hiq.jack.JackExtension;
import io.hiq.jack.support.StderrCapture;
import io.hiq.jack.support.TestContext;
import io.hiq.jack.support.TestTrees;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exit with an unreachable broker: the outage is reported with its real cause (not the closed
 * producer's message) and one line says how many trees stay where.
 */
class ExitDrainTest {
    static final String TOPIC = "hiq-exit";
    @TempDir Path home;

    TestContext jack(String bootstrap) {
        Map<String, String> vars = new HashMap<>();
        vars.put("JACK", "1");
        vars.put("HIQ_HOME", home.toString());
        vars.put("HIQ_KAFKA_BOOTSTRAP", bootstrap);
        vars.put("HIQ_KAFKA_TOPIC", TOPIC);
        vars.put("NO_JACK_LOG", "1");
        TestContext ctx = new TestContext(vars);
        assertThat(new JackExtension().start(ctx)).isTrue();
        return ctx;
    }

    @Test
    void anUnreachableBrokerIsReportedWithItsRealCause() throws Exception {
        try (StderrCapture err = new StderrCapture()) {
            TestContext ctx = jack("127.0.0.1:1");
            ctx.deliver(TestTrees.trees(10));
            ctx.exit(2_500);
            String text = err.text();
            assertThat(text).contains("connection refused to 127.0.0.1:1");
            assertThat(text).doesNotContain("after producer has been closed");
            assertThat(err.lines("hiq: jack:").stream().filter(l -> l.contains("trees stay in"))).hasSize(1);
        }
    }
}
