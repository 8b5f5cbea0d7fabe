package io.hiq.core.conf;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Programmatic confs: lists of four or five strings, source {@code <list>}, line = index. */
class ListConfTest {
    @Test
    void guideEquivalentList() throws Exception {
        HiQConf conf = ConfParser.parse(List.of(
                List.of("my_model2", "", "func1", "f1"),
                List.of("my_model2", "", "func2", "f2"),
                List.of("io.hiq.examples", "Main", "run(java.lang.String[])", "", "args+func")));
        assertThat(conf.source()).isEqualTo("<list>");
        assertThat(conf.entries()).extracting(ConfEntry::tag).containsExactly("f1", "f2", "run");
        assertThat(conf.entries()).extracting(ConfEntry::line).containsExactly(1, 2, 3);
        ConfEntry third = conf.entries().get(2);
        assertThat(third.className()).isEqualTo("io.hiq.examples.Main");
        assertThat(third.parameters()).containsExactly("java.lang.String[]");
        assertThat(third.extras()).containsExactlyInAnyOrder(Extra.ARGS, Extra.FUNC);
        assertThat(third.source()).isEqualTo("<list>");
        assertThat(third.where()).isEqualTo("<list>:3");
    }

    @Test
    void valuesAreTrimmed() throws Exception {
        ConfEntry e = ConfParser.parse(List.of(List.of(" a.b ", " C ", " m ", " "))).entries().get(0);
        assertThat(e.className()).isEqualTo("a.b.C");
        assertThat(e.tag()).isEqualTo("m");
    }

    @Test
    void wrongSize() {
        assertThatThrownBy(() -> ConfParser.parse(List.of(List.of("a", "", "f", "f"), List.of("a", "", "g"))))
                .isInstanceOf(ConfException.class)
                .hasMessage("hiq: <list>:2: field 'columns': expected 4 fields (module, class, method, tag)"
                        + " and an optional fifth (extras), found 3");
    }

    @Test
    void nullValue() {
        assertThatThrownBy(() -> ConfParser.parse(List.of(Arrays.asList("a", null, "f", "f"))))
                .isInstanceOf(ConfException.class)
                .hasMessage("hiq: <list>:1: field 'class': null; use \"\" for an empty field");
    }

    @Test
    void nullRowAndNullList() {
        assertThatThrownBy(() -> ConfParser.parse(Arrays.asList(List.of("a", "", "f", "f"), null)))
                .isInstanceOf(ConfException.class)
                .hasMessage("hiq: <list>:2: field 'columns': the entry is null");
        assertThatThrownBy(() -> ConfParser.parse((List<List<String>>) null))
                .isInstanceOf(ConfException.class)
                .hasMessage("hiq: <list>: no entries (the list is null)");
    }

    @Test
    void emptyList() {
        assertThatThrownBy(() -> ConfParser.parse(List.<List<String>>of()))
                .isInstanceOf(ConfException.class)
                .hasMessage("hiq: <list>: no entries");
    }

    @Test
    void validationAppliesToLists() {
        assertThatThrownBy(() -> ConfParser.parse(List.of(List.of("a", "", "f", "a-b"))))
                .isInstanceOf(ConfException.class)
                .satisfies(t -> {
                    ConfException e = (ConfException) t;
                    assertThat(e.file()).isEqualTo("<list>");
                    assertThat(e.line()).isEqualTo(1);
                    assertThat(e.field()).isEqualTo("tag");
                });
    }
}
