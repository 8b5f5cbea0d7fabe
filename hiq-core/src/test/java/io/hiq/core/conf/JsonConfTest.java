package io.hiq.core.conf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** JSON confs (DESIGN B3, the user guide's keys) that must parse, and their line numbers. */
class JsonConfTest {
    @TempDir Path dir;

    @Test
    void guideSample() throws Exception {
        Path file = ConfFiles.resource("guide.json");
        HiQConf conf = ConfParser.parse(file);
        assertThat(conf.source()).isEqualTo(file.toString());
        assertThat(conf.entries()).extracting(ConfEntry::tag).containsExactly("f1", "f2", "f3", "f4");
        assertThat(conf.entries()).extracting(ConfEntry::method).containsExactly("func1", "func2", "func3", "func4");
        assertThat(conf.entries()).extracting(ConfEntry::className).containsOnly("my_model2");
        // each entry's line is where its object opens
        assertThat(conf.entries()).extracting(ConfEntry::line).containsExactly(2, 8, 14, 20);
    }

    @Test
    void aliasesExtrasAndDefaults() throws Exception {
        Path file = ConfFiles.write(dir, "a.json", """
                [
                  {"module": "com.acme", "class": "Shop", "method": "order", "tag": "o"},
                  {"module": "com.acme", "class": "Shop", "function": "tax(int,java.lang.String)",
                   "name": "t", "extras": "args+file"},
                  {"module": "com.acme.Util", "function": "sum", "extras": ["func", "args"]},
                  {"module": "com.acme", "class": "Cart", "function": "*", "name": "", "extras": []}
                ]
                """);
        List<ConfEntry> e = ConfParser.parse(file).entries();
        assertThat(e).hasSize(4);
        assertThat(e.get(0).tag()).isEqualTo("o");
        assertThat(e.get(0).className()).isEqualTo("com.acme.Shop");
        assertThat(e.get(1).parameters()).containsExactly("int", "java.lang.String");
        assertThat(e.get(1).extras()).containsExactlyInAnyOrder(Extra.ARGS, Extra.FILE);
        assertThat(e.get(1).line()).isEqualTo(3);
        assertThat(e.get(2).clazz()).as("class key may be left out").isEmpty();
        assertThat(e.get(2).tag()).isEqualTo("sum");
        assertThat(e.get(2).extras()).containsExactlyInAnyOrder(Extra.FUNC, Extra.ARGS);
        assertThat(e.get(3).allMethods()).isTrue();
        assertThat(e.get(3).tag()).isEmpty();
        assertThat(e.get(3).extras()).isEmpty();
        assertThat(e).extracting(ConfEntry::line).containsExactly(2, 3, 5, 6);
    }

    @Test
    void jsonIsChosenByExtensionCaseInsensitively() throws Exception {
        Path file = ConfFiles.write(dir, "UPPER.JSON", "[{\"module\":\"a\",\"function\":\"f\"}]");
        assertThat(ConfParser.parse(file).entries()).singleElement()
                .satisfies(e -> assertThat(e.tag()).isEqualTo("f"));
    }

    @Test
    void jsonContentInACsvNamedFileIsReadAsCsv() throws Exception {
        // the format follows the name, not the content: a .conf holding JSON is a CSV error
        Path file = ConfFiles.write(dir, "j.conf", "[{\"module\":\"a\",\"function\":\"f\"}]\n");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ConfParser.parse(file))
                .isInstanceOf(ConfException.class)
                .hasMessage("hiq: " + file + ":1: field 'class': unexpected text after the closing quote at column 26"
                        + " (a quoted field must be followed by ',' or the end of the line)");
    }
}
