package io.hiq.jack.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hiq.jack.JackExtension;
import io.hiq.jack.support.TestContext;
import io.hiq.jack.support.TestTrees;
import io.hiq.tree.HiQTree;
import io.hiq.tree.TreeCodec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Jack with {@code HIQ_OCI_STREAMING=1}, authenticated from an OCI config file and profile,
 * against the fake service: trees produced while the service is down are spooled and all arrive
 * once it is up, and a flush at exit delivers what was accepted last.
 */
class OciJackTest {
    @TempDir Path home;

    @Test
    void nothingLostWhileTheServiceIsDownThenEverythingArrives() throws Exception {
        FakeStreamingService probe = new FakeStreamingService(0);
        int port = probe.port();
        probe.close(); // down
        Path cfg = TestKeys.configFile(home, "HIQ");
        TestContext ctx = new TestContext(Map.of(
                "JACK", "1",
                "HIQ_HOME", home.toString(),
                "HIQ_OCI_STREAMING", "1",
                "OCI_STM_END", "http://127.0.0.1:" + port,
                "OCI_STM_OCID", "ocid1.stream.oc1.iad.aaaajack",
                "OCI_CONFIG_FILE", cfg.toString(),
                "OCI_CONFIG_PROFILE", "HIQ"));
        assertThat(new JackExtension().start(ctx)).isTrue();
        List<HiQTree> trees = TestTrees.trees(400);
        for (int i = 0; i < trees.size(); i += 50) ctx.deliver(trees.subList(i, i + 50));
        await().atMost(Duration.ofSeconds(20)).until(() -> ctx.counters().get("JackSpooled") == trees.size());

        try (FakeStreamingService service = new FakeStreamingService(port)) {
            service.then(new FakeStreamingService.Status(429)); // and throttled once when it comes back
            await().atMost(Duration.ofSeconds(30)).until(() -> service.accepted.size() == trees.size());
            List<HiQTree> last = TestTrees.trees(100);
            ctx.deliver(last);
            ctx.exit(15_000);
            assertThat(service.accepted).hasSize(trees.size() + last.size());
            for (HiQTree t : trees) assertThat(service.accepted.get(t.id())).isEqualTo(TreeCodec.encode(t));
            for (HiQTree t : last) assertThat(service.accepted.get(t.id())).isEqualTo(TreeCodec.encode(t));
            assertThat(service.violations).isEmpty();
            assertThat(service.requests).allSatisfy(r -> assertThat(r.stream()).isEqualTo("ocid1.stream.oc1.iad.aaaajack"));
        }
        // the first 400 came from the spool; the last 100 went live or, if the backlog was not
        // yet fully acknowledged when they came, behind it through the spool (order is kept)
        assertThat(ctx.counters().get("JackReplayed")).isGreaterThanOrEqualTo(trees.size());
        assertThat(ctx.counters().get("JackPublished") + ctx.counters().get("JackReplayed")).isEqualTo(trees.size() + 100);
        assertThat(ctx.counters().get("JackFailed")).isZero();
    }
}
