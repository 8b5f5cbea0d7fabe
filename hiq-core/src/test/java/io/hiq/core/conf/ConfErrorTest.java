package io.hiq.core.conf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Every malformed conf gives one {@link ConfException} whose B2 line names the file, the physical
 * line and the field. Each case asserts the exact line.
 */
class ConfErrorTest {
    @TempDir Path dir;

    private static ConfException error(Path file) {
        ConfException e = catchThrowableOfType(ConfException.class, () -> ConfParser.parse(file));
        assertThat(e).as("parsing %s must fail", file).isNotNull();
        assertThat(e.errorLine()).doesNotContain("\n").startsWith("hiq: " + file);
        assertThat(e.file()).isEqualTo(file.toString());
        return e;
    }

    private ConfException csv(String text) throws Exception {
        return error(ConfFiles.write(dir, "hiq.conf", text));
    }

    private ConfException json(String text) throws Exception {
        return error(ConfFiles.write(dir, "hiq.json", text));
    }

    private String conf() { return dir.resolve("hiq.conf").toString(); }

    private String jsonFile() { return dir.resolve("hiq.json").toString(); }

    // ---- the file itself

    @Test
    void missingFile() {
        Path file = dir.resolve("nope.conf");
        ConfException e = error(file);
        assertThat(e.errorLine()).isEqualTo("hiq: " + file + ": cannot read conf: no such file");
        assertThat(e.line()).isZero();
        assertThat(e.field()).isNull();
    }

    @Test
    void directoryInsteadOfFile() throws Exception {
        Path sub = Files.createDirectory(dir.resolve("confdir.json"));
        assertThat(error(sub).errorLine()).isEqualTo("hiq: " + sub + ": cannot read conf: is a directory");
    }

    @Test
    void emptyFile() throws Exception {
        assertThat(csv("").errorLine()).isEqualTo("hiq: " + conf() + ": no entries");
    }

    @Test
    void onlyCommentsIsNoEntries() throws Exception {
        assertThat(csv("# nothing yet\n\n   # still nothing\n").errorLine()).isEqualTo("hiq: " + conf() + ": no entries");
    }

    @Test
    void emptyJsonArrayAndBlankJsonAreNoEntries() throws Exception {
        assertThat(json("[ ]\n").errorLine()).isEqualTo("hiq: " + jsonFile() + ": no entries");
        assertThat(json("  \n").errorLine()).isEqualTo("hiq: " + jsonFile() + ": no entries");
    }

    @Test
    void nonUtf8Bytes() throws Exception {
        Path file = dir.resolve("latin1.conf");
        Files.write(file, "p, K, a, a\np, K, caf\u00e9, b\n".getBytes(StandardCharsets.ISO_8859_1));
        assertThat(error(file).errorLine())
                .isEqualTo("hiq: " + file + ":2: not UTF-8 text (byte 0xe9); save the conf as UTF-8");
    }

    @Test
    void nonUtf8LineCountsCrLfAndCrBreaks() throws Exception {
        Path file = dir.resolve("mixed.conf");
        byte[] head = "p, K, a, a\r\np, K, b, b\rp, K, ".getBytes(StandardCharsets.US_ASCII);
        byte[] bad = {(byte) 0xff};
        byte[] tail = ", c\n".getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[head.length + 1 + tail.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(bad, 0, all, head.length, 1);
        System.arraycopy(tail, 0, all, head.length + 1, tail.length);
        Files.write(file, all);
        assertThat(error(file).errorLine())
                .isEqualTo("hiq: " + file + ":3: not UTF-8 text (byte 0xff); save the conf as UTF-8");
    }

    // ---- JSON structure

    @Test
    void badJsonSyntaxGivesJacksonsLine() throws Exception {
        ConfException e = json("[\n  {\"module\": \"a\",\n   \"function\" \"f\"}\n]\n");
        assertThat(e.errorLine()).isEqualTo("hiq: " + jsonFile() + ":3: field 'json': Unexpected character ('\"' (code 34)):"
                + " was expecting a colon to separate field name and value");
        assertThat(e.line()).isEqualTo(3);
        assertThat(e.field()).isEqualTo("json");
    }

    @Test
    void unclosedJsonArray() throws Exception {
        ConfException e = json("[\n  {\"module\": \"a\", \"function\": \"f\"}\n");
        assertThat(e.field()).isEqualTo("json");
        assertThat(e.line()).isEqualTo(3);
        assertThat(e.errorLine()).startsWith("hiq: " + jsonFile() + ":3: field 'json': Unexpected end-of-input");
    }

    @Test
    void jsonNotAnArray() throws Exception {
        assertThat(json("\n{\"module\": \"a\", \"function\": \"f\"}\n").errorLine()).isEqualTo("hiq: " + jsonFile()
                + ":2: field 'json': expected an array of entries ([{...}, ...]), found an object");
    }

    @Test
    void jsonElementNotAnObject() throws Exception {
        assertThat(json("[\n  {\"module\": \"a\", \"function\": \"f\"},\n  \"a, b, c, d\"\n]").errorLine())
                .isEqualTo("hiq: " + jsonFile() + ":3: field 'json': entry 2 must be an object, found a string");
    }

    @Test
    void jsonMissingFunctionKey() throws Exception {
        assertThat(json("[\n  {\"module\": \"a\", \"function\": \"f\"},\n  {\"module\": \"a\",\n   \"name\": \"g\"}\n]")
                .errorLine()).isEqualTo("hiq: " + jsonFile() + ":3: field 'function': missing key in the entry starting"
                        + " on this line (give \"function\" or \"method\")");
    }

    @Test
    void jsonMissingModuleKey() throws Exception {
        assertThat(json("[{\"function\": \"f\"}]").errorLine()).isEqualTo("hiq: " + jsonFile()
                + ":1: field 'module': missing key in the entry starting on this line");
    }

    @Test
    void jsonUnknownKeyNamesTheKeyAndItsLine() throws Exception {
        assertThat(json("[\n  {\"module\": \"a\",\n   \"fucntion\": \"f\"}\n]").errorLine()).isEqualTo("hiq: " + jsonFile()
                + ":3: field 'fucntion': unknown key (known: module, class, function or method, name or tag, extras)");
    }

    @Test
    void jsonNonStringValue() throws Exception {
        assertThat(json("[{\"module\": \"a\", \"class\": 3, \"function\": \"f\"}]").errorLine())
                .isEqualTo("hiq: " + jsonFile() + ":1: field 'class': must be a string, found a number");
    }

    @Test
    void jsonBothAliases() throws Exception {
        assertThat(json("[{\"module\": \"a\", \"function\": \"f\",\n \"method\": \"g\"}]").errorLine())
                .isEqualTo("hiq: " + jsonFile() + ":2: field 'method': given together with 'function'; give one of them");
    }

    @Test
    void jsonTextAfterTheArray() throws Exception {
        assertThat(json("[{\"module\": \"a\", \"function\": \"f\"}]\n[]\n").errorLine())
                .isEqualTo("hiq: " + jsonFile() + ":2: field 'json': more content (an array) after the array of entries; a conf is one array");
    }

    @Test
    void jsonFieldErrorsUseTheKeyAsWrittenAndTheObjectLine() throws Exception {
        assertThat(json("[\n {\"module\": \"a\", \"function\": \"f\"},\n {\"module\": \"a\",\n  \"function\": \"g-h\"}\n]")
                .errorLine()).isEqualTo("hiq: " + jsonFile() + ":3: field 'function': 'g-h' is not a Java method name");
        assertThat(json("[{\"module\": \"a\", \"function\": \"f\", \"extras\": [\"args\", 1]}]").errorLine())
                .isEqualTo("hiq: " + jsonFile() + ":1: field 'extras': array items must be strings, found a number");
        assertThat(json("[{\"module\": \"a\", \"function\": \"f\", \"name\": \"a b\"}]").errorLine())
                .isEqualTo("hiq: " + jsonFile() + ":1: field 'name': 'a b' is not a valid tag (letters, digits and _ only)");
    }

    // ---- CSV structure

    @Test
    void threeColumns() throws Exception {
        assertThat(csv("# header\np, K, work\n").errorLine()).isEqualTo("hiq: " + conf() + ":2: field 'columns':"
                + " expected 4 fields (module, class, method, tag) and an optional fifth (extras), found 3");
    }

    @Test
    void sixColumns() throws Exception {
        assertThat(csv("p, K, a, a\np, K, work, w, args, more\n").errorLine()).isEqualTo("hiq: " + conf()
                + ":2: field 'columns': expected 4 fields (module, class, method, tag) and an optional fifth (extras), found 6");
    }

    @Test
    void unterminatedQuote() throws Exception {
        assertThat(csv("p, K, \"work(int, String), w\n").errorLine()).isEqualTo("hiq: " + conf()
                + ":1: field 'method': unterminated quoted field (the quote at column 7 is never closed)");
    }

    @Test
    void textAfterClosingQuote() throws Exception {
        assertThat(csv("p, \"K\"x, work, w\n").errorLine()).isEqualTo("hiq: " + conf() + ":1: field 'class':"
                + " unexpected text after the closing quote at column 7 (a quoted field must be followed by ',' or the end of the line)");
    }

    // ---- module and class

    @Test
    void emptyModule() throws Exception {
        assertThat(csv("\"\", K, work, w\n").errorLine()).isEqualTo("hiq: " + conf()
                + ":1: field 'module': empty; give a package, or the fully-qualified class name when class is empty");
    }

    @Test
    void invalidModule() throws Exception {
        assertThat(csv("com..acme, K, work, w\n").errorLine()).isEqualTo("hiq: " + conf()
                + ":1: field 'module': 'com..acme' is not a Java package or class name (identifiers joined by '.')");
    }

    @Test
    void invalidClassName() throws Exception {
        assertThat(csv("p, My-Class, work, w\n").errorLine()).isEqualTo("hiq: " + conf()
                + ":1: field 'class': 'My-Class' is not a Java class name (e.g. Shop, or Outer$Inner for a nested class)");
    }

    @Test
    void headerLineIsRejectedNotTraced() throws Exception {
        // "class" is a keyword, so a copied header line cannot pass for an entry
        assertThat(csv("module, class, method, tag\n").errorLine()).isEqualTo("hiq: " + conf()
                + ":1: field 'class': 'class' is not a Java class name (e.g. Shop, or Outer$Inner for a nested class)");
    }

    // ---- method

    @Test
    void emptyMethod() throws Exception {
        assertThat(csv("p, K, , w\n").errorLine()).isEqualTo("hiq: " + conf() + ":1: field 'method': empty; give a method name or *");
    }

    @Test
    void invalidMethodName() throws Exception {
        assertThat(csv("p, K, 2work, w\n").errorLine()).isEqualTo("hiq: " + conf()
                + ":1: field 'method': '2work' is not a Java method name");
    }

    @Test
    void unbalancedParameterList() throws Exception {
        assertThat(csv("p, K, work(int, w\n").errorLine()).isEqualTo("hiq: " + conf() + ":1: field 'method':"
                + " 'work(int': unbalanced parameter list; write name(type,type,...), e.g. work(int,java.lang.String)");
    }

    @Test
    void textAfterParameterList() throws Exception {
        assertThat(csv("p, K, work()x, w\n").errorLine()).isEqualTo("hiq: " + conf() + ":1: field 'method':"
                + " 'work()x': unbalanced parameter list; write name(type,type,...), e.g. work(int,java.lang.String)");
    }

    @Test
    void badParameterType() throws Exception {
        assertThat(csv("p, K, \"work(int, java.lang.)\", w\n").errorLine()).isEqualTo("hiq: " + conf() + ":1: field 'method':"
                + " 'work(int, java.lang.)': 'java.lang.' is not a parameter type (a primitive or class name, optionally with [] or ...)");
    }

    @Test
    void emptyParameter() throws Exception {
        assertThat(csv("p, K, \"work(int,)\", w\n").errorLine()).isEqualTo("hiq: " + conf()
                + ":1: field 'method': 'work(int,)': parameter 2 is empty");
    }

    @Test
    void genericParameterType() throws Exception {
        assertThat(csv("p, K, work(List<String>), w\n").errorLine()).isEqualTo("hiq: " + conf() + ":1: field 'method':"
                + " 'work(List<String>)': parameter type 'List<String>' has type arguments; write the erased type (e.g. java.util.List)");
    }

    @Test
    void varargsNotLast() throws Exception {
        assertThat(csv("p, K, \"work(int..., int)\", w\n").errorLine()).isEqualTo("hiq: " + conf()
                + ":1: field 'method': 'work(int..., int)': only the last parameter may be varargs (...)");
    }

    @Test
    void starWithParameters() throws Exception {
        assertThat(csv("p, K, *(int), w\n").errorLine()).isEqualTo("hiq: " + conf()
                + ":1: field 'method': '*(int)': '*' means every declared method and takes no parameter list");
    }

    @Test
    void constructorIsRejected() throws Exception {
        assertThat(csv("p, K, <init>, w\n").errorLine()).isEqualTo("hiq: " + conf()
                + ":1: field 'method': '<init>': constructors and initialisers are not supported; name a method");
    }

    // ---- tag and extras

    @Test
    void badTag() throws Exception {
        assertThat(csv("p, K, work, a-b\n").errorLine()).isEqualTo("hiq: " + conf()
                + ":1: field 'tag': 'a-b' is not a valid tag (letters, digits and _ only)");
    }

    @Test
    void duplicateTag() throws Exception {
        assertThat(csv("p, K, work, w\n# other\np, K, rest, w\n").errorLine()).isEqualTo("hiq: " + conf()
                + ":3: field 'tag': duplicate tag 'w' (first used on line 1); tags must be unique, give this entry its own tag");
    }

    @Test
    void duplicateDefaultTagAcrossClasses() throws Exception {
        assertThat(csv("p, A, run, \np, B, run, \n").errorLine()).isEqualTo("hiq: " + conf()
                + ":2: field 'tag': duplicate tag 'run' (first used on line 1); tags must be unique, give this entry its own tag");
    }

    @Test
    void duplicateMethod() throws Exception {
        assertThat(csv("p, K, \"work(int, String)\", w1\np, K, \"work(int,String)\", w2\n").errorLine())
                .isEqualTo("hiq: " + conf() + ":2: field 'method': method 'p.K.work(int,String)' is already listed on line 1");
    }

    @Test
    void duplicateMethodSpelledWithEmptyClass() throws Exception {
        assertThat(csv("p.K, , work, w1\np, K, work, w2\n").errorLine())
                .isEqualTo("hiq: " + conf() + ":2: field 'method': method 'p.K.work' is already listed on line 1");
    }

    @Test
    void unknownExtra() throws Exception {
        assertThat(csv("p, K, work, w, args+foo\n").errorLine()).isEqualTo("hiq: " + conf()
                + ":1: field 'extras': unknown extra 'foo' (known: args, file, func, joined by +)");
    }

    @Test
    void emptyExtraItem() throws Exception {
        assertThat(csv("p, K, work, w, args++file\n").errorLine()).isEqualTo("hiq: " + conf()
                + ":1: field 'extras': 'args++file' has an empty item; join args, file, func with +");
    }

    @Test
    void firstErrorWinsAndLaterLinesAreNotNeeded() throws Exception {
        ConfException e = csv("p, K, a, a\np, K, b, b-\np, K, c, c-\n");
        assertThat(e.line()).isEqualTo(2);
        assertThat(e.field()).isEqualTo("tag");
        assertThat(e.detail()).isEqualTo("'b-' is not a valid tag (letters, digits and _ only)");
    }
}
