package io.hiq.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.hiq.tree.HiQNode;
import io.hiq.tree.HiQTree;
import io.hiq.tree.TreeCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code args}, {@code file} and {@code func} extras of a conf entry, in agent mode with every
 * output on: the trees file, LMK lines and Jack's log and spool. A parameter whose name looks secret
 * never shows its value anywhere.
 */
class ExtrasAgentIT {
    static final String SECRET = "hunter2-s3cr3t";

    static final String APP = """
            package bank;
            public class Login {
                public static void main(String[] args) {
                    Login l = new Login();
                    for (int i = 0; i < 3; i++) l.login("alice" + i, "%s", new int[] {i, i + 1}, "x".repeat(500));
                    System.out.println("ok");
                }
                boolean login(String user, String password, int[] codes, String note) {
                    return check(user.length(), password.length());
                }
                boolean check(int a, int apiKey) {
                    return a + apiKey > 0;
                }
            }
            """.formatted(SECRET);

    @TempDir Path work;

    @Test
    void argsFileAndFuncReachEveryOutputAndSecretsNever() throws Exception {
        ExternalProgram app = new ExternalProgram(work.resolve("app")).compile(Map.of("bank/Login.java", APP));
        Path conf = work.resolve("bank.conf");
        Files.writeString(conf, """
                bank, Login, login, login, args+file+func
                bank, Login, check, check, args
                """);
        Path home = work.resolve("home");
        Path trees = work.resolve("trees.jsonl");
        Path lmk = work.resolve("lmk.log");
        ExternalProgram.Result r = ExternalProgram.run(List.of(AgentIT.BIN_HIQ.toString(), "run", "--conf", conf.toString(),
                        "--trees", trees.toString(), "--mode", "verbose", "--", "-cp", app.classes().toString(), "bank.Login"),
                Map.of("HIQ_HOME", home.toString(), "LMK", "1", "LMK_PATH", lmk.toString(), "JACK", "1",
                        "HIQ_KAFKA_BOOTSTRAP", "127.0.0.1:9", "HIQ_FLUSH_TIMEOUT", "1"),
                work);
        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout()).isEqualTo("ok\n");

        List<String> lines = Files.readAllLines(trees, StandardCharsets.UTF_8);
        assertThat(lines).hasSize(3);
        HiQNode login = TreeCodec.decode(lines.get(0)).root();
        assertThat(login.extra().get("args")).asString()
                .isEqualTo("user=alice0, password=***, codes=[0, 1], note=<String len=500>");
        assertThat(login.extra().get("func")).isEqualTo("bank.Login.login(String,String,int[],String)");
        assertThat(login.extra().get("file")).isEqualTo("Login.java:9");
        HiQNode check = login.children().get(0);
        assertThat(check.extra().get("args")).isEqualTo("a=6, apiKey=***");

        // the secret is nowhere: not in the trees, LMK lines, the jack log, the spool, stdout or stderr
        assertThat(Files.readString(lmk, StandardCharsets.UTF_8)).contains("password=***");
        try (Stream<Path> files = Files.walk(work)) {
            for (Path f : files.filter(Files::isRegularFile).filter(p -> !p.toString().endsWith(".java") && !p.toString().endsWith(".class")
                    && !p.toString().contains("/agent/")).toList()) {
                assertThat(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1)).as(f.toString()).doesNotContain(SECRET);
            }
        }
        assertThat(r.stderr()).doesNotContain(SECRET);
        assertThat(Files.readString(home.resolve("log_jack.log"), StandardCharsets.UTF_8)).contains("password=***");
        HiQTree fromJackLog = TreeCodec.decode(Files.readAllLines(home.resolve("log_jack.log")).get(0));
        assertThat(fromJackLog.root().extra()).containsKey("args");
    }
}
