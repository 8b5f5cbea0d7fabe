package io.hiq;

import static org.assertj.core.api.Assertions.assertThat;

import io.hiq.core.runtime.Settings;
import io.hiq.core.testapp.Secrets;
import io.hiq.tree.HiQTree;
import io.hiq.tree.TreeCodec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * In process: a traced method with the {@code args} extra, extras attached by code and an
 * exception message, each carrying a secret; the assembled trees must hold none of them, while an
 * allow-listed harmless value does appear (so the check can fail).
 */
class RedactedCaptureTest {
    @TempDir Path home;

    static final String JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2VjcmV0LXNpZ25hdHVyZQ";
    static final String PEM = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----";
    static final String[] SECRETS = {"hunter2pw", "urlpass77", "bearerTok3n", "mapSecret9", "dtoPass42", JWT, "qsPass11",
            "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC", "AKIAIOSFODNN7EXAMPLE1234", "extraPw55", "exMsgPw66", "hdrTok88"};

    @Test
    void noSecretReachesATreeWhileAllowListedTextDoes() {
        List<List<String>> conf = List.of(
                List.of("io.hiq.core.testapp", "Secrets", "call", "call", "args(shown,url)"),
                List.of("io.hiq.core.testapp", "Secrets", "fail", "fail"));
        try (HiQ hiq = HiQ.builder().conf(conf).settings(Settings.of(Map.of("HIQ_HOME", home.toString()))).service("redact").start()) {
            try (var root = HiQ.span("request")) {
                HiQ.extra("password", "extraPw55");
                HiQ.extra("header", "Authorization: Bearer hdrTok88");
                HiQ.extra("login", new Secrets.Login("bob", "dtoPass42"));
                Secrets.call("alice", "hunter2pw", "https://app:urlpass77@db.example/x", "Authorization: Bearer bearerTok3n",
                        Map.of("Cookie", "mapSecret9"), new Secrets.Login("bob", "dtoPass42"), JWT, "a=1&password=qsPass11", PEM,
                        "AKIAIOSFODNN7EXAMPLE1234", 3, "canary-visible-7");
                try {
                    Secrets.fail("login failed: password=exMsgPw66");
                } catch (IllegalStateException expected) {
                    // the exception's message is in the tree
                }
            }
            List<HiQTree> trees = hiq.trees();
            assertThat(trees).hasSize(1);
            String json = TreeCodec.encodeToString(trees.get(0));
            assertThat(json).as("the allow-listed canary shows the check can see captured text")
                    .contains("canary-visible-7").contains("user=alice").contains("count=3").contains("https://***@db.example/x")
                    .contains("login failed: password=***");
            for (String s : SECRETS) assertThat(json).as("secret %s", s).doesNotContain(s);
        }
    }
}
