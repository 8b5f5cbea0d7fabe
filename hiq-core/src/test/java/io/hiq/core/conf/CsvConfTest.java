package io.hiq.core.conf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** CSV confs (DESIGN B3) that must parse, and what they parse to. */
class CsvConfTest {
    @TempDir Path dir;

    @Test
    void guideSampleWithQuotedFieldsAndEmptyClass() throws Exception {
        Path file = ConfFiles.resource("guide.csv");
        HiQConf conf = ConfParser.parse(file);
        assertThat(conf.source()).isEqualTo(file.toString());
        assertThat(conf.entries()).extracting(ConfEntry::tag).containsExactly("f1", "f2", "f3", "f4");
        ConfEntry first = conf.entries().get(0);
        assertThat(first.module()).isEqualTo("my_model2");
        assertThat(first.clazz()).isEmpty();
        assertThat(first.className()).isEqualTo("my_model2");
        assertThat(first.method()).isEqualTo("func1");
        assertThat(first.parameters()).isNull();
        assertThat(first.extras()).isEmpty();
        assertThat(first.line()).isEqualTo(1);
        assertThat(conf.entries().get(3).line()).isEqualTo(4);
    }

    @Test
    void guideDriverSample() throws Exception {
        HiQConf conf = ConfParser.parse(ConfFiles.resource("guide-main.conf"));
        assertThat(conf.entries()).extracting(ConfEntry::className, ConfEntry::method, ConfEntry::tag)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("main", "main", "main"),
                        org.assertj.core.groups.Tuple.tuple("main", "func1", "func1"),
                        org.assertj.core.groups.Tuple.tuple("main", "func2", "func2"));
    }

    @Test
    void documentedShopSample() throws Exception {
        Path file = ConfFiles.resource("shop.conf");
        List<ConfEntry> e = ConfParser.parse(file).entries();
        assertThat(e).hasSize(4);
        assertThat(e.get(0).className()).isEqualTo("com.acme.shop.Shop");
        assertThat(e.get(0).line()).isEqualTo(2);
        assertThat(e.get(1).method()).isEqualTo("tax");
        assertThat(e.get(1).parameters()).containsExactly("int", "java.lang.String");
        assertThat(e.get(1).extras()).containsExactly(Extra.ARGS);
        assertThat(e.get(2).allMethods()).isTrue();
        assertThat(e.get(2).tag()).isEqualTo("cart");
        assertThat(e.get(3).className()).isEqualTo("com.acme.shop.Util");
        assertThat(e.get(3).tag()).isEqualTo("checksum");
        assertThat(e.get(3).extras()).containsExactlyInAnyOrder(Extra.FILE, Extra.FUNC);
        assertThat(e.get(3).where()).isEqualTo(file + ":5");
    }

    @Test
    void commentsBlankLinesAndTrailingCommentsAreSkipped() throws Exception {
        Path file = ConfFiles.write(dir, "hiq.conf", """
                # a whole-line comment
                   # an indented one

                a.b, C, run, r   # trailing comment, with, commas
                \t
                a.b, C, "stop", "s" # after quoted fields
                a.b, "D", "go(int,java.lang.String)" ,  g  ,args#no blank before the comment
                """);
        List<ConfEntry> e = ConfParser.parse(file).entries();
        assertThat(e).extracting(ConfEntry::tag).containsExactly("r", "s", "g");
        assertThat(e).extracting(ConfEntry::line).containsExactly(4, 6, 7);
        assertThat(e.get(2).parameters()).containsExactly("int", "java.lang.String");
        assertThat(e.get(2).extras()).containsExactly(Extra.ARGS);
    }

    @Test
    void overloadsArraysVarargsAndNestedTypesAreKeptAsWritten() throws Exception {
        Path file = ConfFiles.write(dir, "o.csv", """
                p, K, "work(int, java.lang.String)", w1
                p, K, work(), w0
                p, K, "work(String[], int[][])", w2
                p, K, "work(long, String...)", w3
                p, K, "work(p.Outer$Inner)", w4
                p, K, work, wall
                p, Outer$Inner, "*", , func
                """);
        List<ConfEntry> e = ConfParser.parse(file).entries();
        assertThat(e.get(0).parameters()).containsExactly("int", "java.lang.String");
        assertThat(e.get(1).parameters()).isEmpty();
        assertThat(e.get(2).parameters()).containsExactly("String[]", "int[][]");
        assertThat(e.get(3).parameters()).containsExactly("long", "String...");
        assertThat(e.get(4).parameters()).containsExactly("p.Outer$Inner");
        assertThat(e.get(5).parameters()).isNull();
        assertThat(e).extracting(ConfEntry::method).containsOnly("work", "*");
        ConfEntry all = e.get(6);
        assertThat(all.allMethods()).isTrue();
        assertThat(all.className()).isEqualTo("p.Outer$Inner");
        assertThat(all.tag()).as("'*' with an empty tag keeps it empty: each method's own name").isEmpty();
        assertThat(all.parameters()).isNull();
        assertThat(all.extras()).containsExactly(Extra.FUNC);
    }

    @Test
    void extrasAreCaseInsensitiveAndBlankTolerant() throws Exception {
        Path file = ConfFiles.write(dir, "x.conf", "p, K, a, , ARGS + file+ Func\np, K, b, ,\n");
        List<ConfEntry> e = ConfParser.parse(file).entries();
        assertThat(e.get(0).extras()).isEqualTo(Set.of(Extra.ARGS, Extra.FILE, Extra.FUNC));
        assertThat(e.get(1).extras()).isEmpty();
        assertThat(e.get(1).tag()).isEqualTo("b");
    }

    @Test
    void crlfLineEndingsAndByteOrderMark() throws Exception {
        Path file = dir.resolve("win.conf");
        java.nio.file.Files.write(file, ("\uFEFFp, K, a, a\r\n\r\np, K, b, b\r\n")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        List<ConfEntry> e = ConfParser.parse(file).entries();
        assertThat(e).extracting(ConfEntry::module).containsOnly("p");
        assertThat(e).extracting(ConfEntry::line).containsExactly(1, 3);
    }

    @Test
    void unicodeIdentifiersAreJavaNames() throws Exception {
        Path file = ConfFiles.write(dir, "u.conf", "café.crème, Größe, größe, gr\n");
        ConfEntry e = ConfParser.parse(file).entries().get(0);
        assertThat(e.className()).isEqualTo("café.crème.Größe");
        assertThat(e.method()).isEqualTo("größe");
    }

    @Test
    void splitHandlesQuotesEscapedQuotesAndComments() throws Exception {
        assertThat(CsvConfReader.split("f", 1, "  \"a, b\" ,c,\"say \"\"hi\"\"\"  , d  # x, y"))
                .containsExactly("a, b", "c", "say \"hi\"", "d");
        assertThat(CsvConfReader.split("f", 1, "a,,\"\",")).containsExactly("a", "", "", "");
        assertThat(CsvConfReader.split("f", 1, "a,b\"c,d")).as("a quote inside an unquoted field is text")
                .containsExactly("a", "b\"c", "d");
        assertThat(CsvConfReader.split("f", 1, "\"a#b\", c #d")).containsExactly("a#b", "c");
    }
}
