package io.hiq.tree;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The streaming decoder against the former JsonNode-based one ({@link TreeCodec#fromJson}), on
 * valid trees and on thousands of broken ones: the same tree, or the same error message.
 */
class TreeJsonReaderTest {
    private static String viaJsonNode(byte[] json) {
        if (json.length == 0) return "error: empty record"; // decode's own check, before any parser
        try {
            JsonNode doc = TreeCodec.mapper().readTree(json);
            return TreeCodec.encodeToString(TreeCodec.fromJson(doc));
        } catch (TreeFormatException e) {
            return "error: " + e.getMessage();
        } catch (Exception e) {
            return "error: not valid JSON";
        }
    }

    private static String streaming(byte[] json) {
        try {
            return TreeCodec.encodeToString(TreeCodec.decode(json));
        } catch (TreeFormatException e) {
            return "error: " + e.getMessage();
        }
    }

    private static void assertSame(byte[] json, String what) {
        String expected = viaJsonNode(json);
        String actual = streaming(json);
        if (expected.startsWith("error: not valid JSON")) {
            assertThat(actual).as(what + ": " + new String(json, StandardCharsets.UTF_8)).startsWith("error: not valid JSON");
        } else {
            assertThat(actual).as(what + ": " + new String(json, StandardCharsets.UTF_8)).isEqualTo(expected);
        }
    }

    @Test
    void decodesValidTreesAsTheFormerDecoderDid() {
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < 1_000; i++) {
            HiQTree t = TreeJsonWriterTestTrees.random(r, 1 + r.nextInt(30));
            byte[] json = TreeCodec.encode(t);
            assertSame(json, "tree " + i);
            assertThat(streaming(json)).isEqualTo(new String(json, StandardCharsets.UTF_8));
        }
    }

    /** The record the broken-record tests break: {@link TreeCodecTest#sample()} as a partial tree with every optional field. */
    static String partialSample() {
        HiQTree sample = TreeCodecTest.sample();
        return TreeCodec.encodeToString(HiQTree.builder().id(sample.id()).service(sample.service()).host(sample.host())
                .pid(sample.pid()).thread(sample.thread()).metric(sample.metric()).unit(sample.unit()).overheadNs(sample.overheadNs())
                .mode(sample.mode()).partial(true).partOf("f00d").root(sample.root()).build());
    }

    /** Field values swapped for every JSON type, fields removed, records cut: errors name the same field. */
    @Test
    void rejectsBrokenRecordsWithTheSameMessages() {
        String good = partialSample();
        String[] fields = {"schema", "id", "service", "host", "pid", "thread", "metric", "unit", "overhead_ns", "dropped",
                "mode", "truncated", "part_of", "root", "name", "start", "end", "value_start", "value_end", "extra", "values", "children"};
        String[] replacements = {"null", "1", "1.5", "\"\"", "\"x\"", "true", "[]", "[1,2]", "{}", "{\"a\":1}", "[{}]", "[1,\"x\"]"};
        int checked = 0;
        for (String f : fields) {
            String key = "\"" + f + "\":";
            for (int at = good.indexOf(key); at >= 0; at = good.indexOf(key, at + 1)) {
                int vs = at + key.length();
                int ve = valueEnd(good, vs);
                for (String rep : replacements) {
                    assertSame((good.substring(0, vs) + rep + good.substring(ve)).getBytes(StandardCharsets.UTF_8), f + "=" + rep);
                    checked++;
                }
                String removed = good.substring(0, at) + good.substring(ve + (good.charAt(ve) == ',' ? 1 : 0));
                assertSame(removed.replace(",}", "}").getBytes(StandardCharsets.UTF_8), "without " + f);
                checked++;
            }
        }
        for (int cut = 0; cut < good.length(); cut += 3) {
            assertSame(good.substring(0, cut).getBytes(StandardCharsets.UTF_8), "cut at " + cut);
            checked++;
        }
        for (String s : new String[] {"null", "  ", "[1,2]", "\"x\"", "42", "true", "{\"schema\":\"hiq.tree/2\"}", "{}",
                "{\"schema\":{\"a\":[1]}}", "\u0000\u0001garbage", "{\"schema\":\"hiq.tree/1\"} trailing"}) {
            assertSame(s.getBytes(StandardCharsets.UTF_8), s);
            checked++;
        }
        assertThat(checked).isGreaterThan(500);
    }

    @Test
    void rejectsNestingBeyondTheLimitByPath() {
        StringBuilder sb = new StringBuilder();
        int depth = TreeCodec.MAX_DEPTH + 2;
        for (int i = 0; i < depth; i++) sb.append("{\"name\":\"n\",\"start\":1,\"end\":2,\"value_start\":1,\"value_end\":2,\"children\":[");
        for (int i = 0; i < depth; i++) sb.append("]}");
        String json = "{\"schema\":\"hiq.tree/1\",\"id\":\"x\",\"service\":\"s\",\"host\":\"h\",\"pid\":1,\"thread\":\"t\","
                + "\"metric\":\"time\",\"unit\":\"ns\",\"overhead_ns\":0,\"dropped\":0,\"root\":" + sb + "}";
        assertSame(json.getBytes(StandardCharsets.UTF_8), "deep");
        assertThat(streaming(json.getBytes(StandardCharsets.UTF_8))).contains("nested deeper than " + TreeCodec.MAX_DEPTH);
    }

    /** End of the JSON value starting at {@code i} (string, number, literal, object or array). */
    static int valueEnd(String s, int i) {
        char c = s.charAt(i);
        if (c == '"') {
            int j = i + 1;
            while (s.charAt(j) != '"') j += s.charAt(j) == '\\' ? 2 : 1;
            return j + 1;
        }
        if (c == '{' || c == '[') {
            int depth = 0;
            boolean inString = false;
            for (int j = i; ; j++) {
                char d = s.charAt(j);
                if (inString) {
                    if (d == '\\') j++;
                    else if (d == '"') inString = false;
                } else if (d == '"') inString = true;
                else if (d == '{' || d == '[') depth++;
                else if ((d == '}' || d == ']') && --depth == 0) return j + 1;
            }
        }
        int j = i;
        while (j < s.length() && ",}]".indexOf(s.charAt(j)) < 0) j++;
        return j;
    }
}
