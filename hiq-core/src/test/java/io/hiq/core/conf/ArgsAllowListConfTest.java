package io.hiq.core.conf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code args(name,…)} allow-list of the extras column, in CSV and JSON, and its errors. */
class ArgsAllowListConfTest {
    @TempDir Path dir;

    @Test
    void csvAndJsonReadTheAllowList() throws Exception {
        HiQConf csv = ConfParser.parse(ConfFiles.write(dir, "hiq.conf",
                "com.acme, Shop, order, order, \"args(user, note)+file\"\ncom.acme, Shop, pay, pay, args(*)\ncom.acme, Shop, tax, tax, args\n"));
        assertThat(csv.entries().get(0).shownArgs()).containsExactlyInAnyOrder("user", "note");
        assertThat(csv.entries().get(0).extras()).containsExactlyInAnyOrder(Extra.ARGS, Extra.FILE);
        assertThat(csv.entries().get(1).shownArgs()).containsExactly("*");
        assertThat(csv.entries().get(2).shownArgs()).isEmpty();
        assertThat(csv.entries().get(2).extras()).containsExactly(Extra.ARGS);

        HiQConf json = ConfParser.parse(ConfFiles.write(dir, "hiq.json",
                "[{\"module\":\"com.acme\",\"class\":\"Shop\",\"function\":\"order\",\"name\":\"order\",\"extras\":[\"args(user,note)\",\"func\"]}]"));
        assertThat(json.entries().get(0).shownArgs()).isEqualTo(Set.of("user", "note"));
        assertThat(json.entries().get(0).extras()).containsExactlyInAnyOrder(Extra.ARGS, Extra.FUNC);
    }

    @Test
    void errorsNameFileLineAndField() throws Exception {
        Path f = ConfFiles.write(dir, "bad.conf", "# c\ncom.acme, Shop, order, order, \"args(user, 1x)\"\n");
        assertThat(error(f)).isEqualTo("hiq: " + f + ":2: field 'extras': 'args(user, 1x)': '1x' is not a parameter name"
                + " (a Java identifier, or * for every parameter)");
        f = ConfFiles.write(dir, "bad2.conf", "com.acme, Shop, order, order, file(x)\n");
        assertThat(error(f)).isEqualTo("hiq: " + f + ":1: field 'extras': 'file(x)': only args takes a list (args(name,name) or args(*));"
                + " file and func take none");
        f = ConfFiles.write(dir, "bad3.conf", "com.acme, Shop, order, order, args(user\n");
        assertThat(error(f)).startsWith("hiq: " + f + ":1: field 'extras': 'args(user': unbalanced list");
        f = ConfFiles.write(dir, "bad4.conf", "com.acme, Shop, order, order, args()\n");
        assertThat(error(f)).startsWith("hiq: " + f + ":1: field 'extras': 'args()': empty list");
        f = ConfFiles.write(dir, "bad5.json", "[\n{\"module\":\"com.acme\",\"class\":\"Shop\",\"function\":\"order\",\n \"extras\":\"args(a b)\"}]");
        assertThat(error(f)).startsWith("hiq: " + f + ":2: field 'extras': 'args(a b)': 'a b' is not a parameter name");
    }

    private static String error(Path file) {
        ConfException e = catchThrowableOfType(ConfException.class, () -> ConfParser.parse(file));
        assertThat(e).as("parsing %s must fail", file).isNotNull();
        return e.errorLine();
    }
}
