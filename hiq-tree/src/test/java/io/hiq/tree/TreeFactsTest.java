package io.hiq.tree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link TreeFacts#read} against {@link TreeCodec#decode(byte[])}: on valid trees and on tens of
 * thousands of broken ones, either both accept and the facts are those of the decoded tree, or
 * both reject with the same message. One holder reads every record (as the consumer's does), so a
 * record left half-read by an error must not leak into the next.
 */
class TreeFactsTest {
    private final TreeFacts holder = new TreeFacts();

    private static String viaTree(byte[] json) {
        try {
            return new TreeFacts().fill(TreeCodec.decode(json)).copy().toString();
        } catch (TreeFormatException e) {
            return "error: " + e.getMessage();
        }
    }

    private String viaFacts(byte[] json) {
        try {
            String read = holder.read(json).toString();
            String copy = holder.copy().toString();
            assertThat(copy).as("a copy derives the child indices the holder kept").isEqualTo(read);
            return copy;
        } catch (TreeFormatException e) {
            return "error: " + e.getMessage();
        }
    }

    private void assertSame(byte[] json, String what) {
        assertThat(viaFacts(json)).as(what + ": " + (json == null ? "null" : new String(json, StandardCharsets.UTF_8)))
                .isEqualTo(viaTree(json));
    }

    private static byte[] utf8(String s) { return s.getBytes(StandardCharsets.UTF_8); }

    /** A tree as the agent writes them: plain tags, extras with escapes, values of two metrics. */
    static HiQTree plain(SplittableRandom r, int nodes) {
        long t = 1_700_000_000_000_000L + r.nextLong(1_000_000_000L);
        HiQNode root = HiQNode.of("root" + r.nextInt(5), t, t + r.nextLong(1_000_000), r.nextLong(1000), r.nextLong(1_000_000_000L));
        HiQNode[] all = new HiQNode[nodes];
        all[0] = root;
        for (int i = 1; i < nodes; i++) {
            HiQNode n = HiQNode.of("com.shop.Svc.m" + r.nextInt(20) + "(é)", t + i, t + i + r.nextInt(1000), r.nextLong(1_000_000), r.nextLong(1_000_000_000L));
            if (r.nextInt(4) == 0) n.putExtra("exception", "java.lang.IllegalStateException: \"boom\"\n\tat x").putExtra("k", r.nextLong());
            if (r.nextInt(7) == 0) n.putValues("time", 1, 2).putValues("memory", r.nextLong(), Long.MIN_VALUE);
            all[r.nextInt(i)].addChild(n);
            all[i] = n;
        }
        return HiQTree.builder().id(Long.toHexString(r.nextLong())).service("svc" + r.nextInt(3)).host("h").pid(r.nextInt(1 << 22))
                .thread("worker-1").metric(r.nextInt(5) == 0 ? "memory" : "time").unit("ns").overheadNs(r.nextLong(100_000))
                .dropped(r.nextInt(3)).partial(r.nextBoolean()).mode("concise").root(root).build();
    }

    @Test
    void readsPlainTreesAtByteLevelWithTheFactsOfTheModel() throws Exception {
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < 1_000; i++) {
            HiQTree t = plain(r, 1 + r.nextInt(30));
            byte[] json = TreeCodec.encode(t);
            assertSame(json, "tree " + i);
            TreeFacts f = holder.read(json).copy();
            assertThat(f.size()).isEqualTo(t.root().size());
            assertThat(f.rootTag()).isEqualTo(t.root().name());
            assertThat(f.rootStart()).isEqualTo(t.root().start());
            assertThat(f.rootEnd()).isEqualTo(t.root().end());
            assertThat(f.id()).isEqualTo(t.id());
            assertThat(f.partial()).isEqualTo(t.partial());
        }
        assertThat(holder.fallbacks()).as("records the byte-level reader left to the full decoder").isZero();
    }

    /** Objects' fields in a random order (the reader guesses the writer's order first): same facts, still at byte level. */
    @Test
    void readsFieldsInAnyOrder() throws Exception {
        SplittableRandom r = new SplittableRandom(13);
        for (int i = 0; i < 300; i++) {
            com.fasterxml.jackson.databind.JsonNode doc = TreeCodec.mapper().readTree(TreeCodec.encode(plain(r, 1 + r.nextInt(10))));
            byte[] json = TreeCodec.mapper().writeValueAsBytes(shuffled(doc, r));
            assertSame(json, "shuffled " + i);
        }
        assertThat(holder.fallbacks()).isZero();
    }

    private static com.fasterxml.jackson.databind.JsonNode shuffled(com.fasterxml.jackson.databind.JsonNode n, SplittableRandom r) {
        if (n.isArray()) {
            com.fasterxml.jackson.databind.node.ArrayNode a = TreeCodec.mapper().createArrayNode();
            n.forEach(e -> a.add(shuffled(e, r)));
            return a;
        }
        if (!n.isObject()) return n;
        java.util.List<String> names = new java.util.ArrayList<>();
        n.fieldNames().forEachRemaining(names::add);
        for (int i = names.size() - 1; i > 0; i--) java.util.Collections.swap(names, i, r.nextInt(i + 1));
        com.fasterxml.jackson.databind.node.ObjectNode o = TreeCodec.mapper().createObjectNode();
        for (String f : names) o.set(f, shuffled(n.get(f), r));
        return o;
    }

    /** Integers of every length and sign where numbers are kept (read eight digits at a time up to 18, by the full decoder beyond). */
    @Test
    void readsIntegersOfEveryLength() {
        SplittableRandom r = new SplittableRandom(17);
        String good = TreeCodec.encodeToString(TreeCodecTest.sample());
        for (int digits = 1; digits <= 20; digits++) {
            for (int k = 0; k < 20; k++) {
                StringBuilder v = new StringBuilder(r.nextBoolean() ? "-" : "");
                v.append((char) ('1' + r.nextInt(9)));
                for (int d = 1; d < digits; d++) v.append((char) ('0' + r.nextInt(10)));
                for (String f : new String[] {"\"start\":", "\"value_end\":", "\"pid\":"}) {
                    int at = good.indexOf(f) + f.length();
                    int end = TreeJsonReaderTest.valueEnd(good, at);
                    assertSame(utf8(good.substring(0, at) + v + good.substring(end)), f + v);
                }
            }
        }
    }

    @Test
    void repeatedTagsAreOneString() throws Exception {
        byte[] json = TreeCodec.encode(TreeCodecTest.sample());
        String first = holder.read(json).tag(1);
        String service = holder.service();
        assertThat(holder.read(json).tag(1)).isSameAs(first);
        assertThat(holder.service()).isSameAs(service);
        assertThat(holder.id()).isNotSameAs(new TreeFacts().read(json).id()).isEqualTo("t-1");
        assertThat(holder.path(2)).isEqualTo("root.children[0].children[0]");
        assertThat(holder.parent(2)).isEqualTo(1);
        assertThat(holder.fallbacks()).isZero();
    }

    @Test
    void readsHostileTreesLikeTheModel() {
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < 1_000; i++) {
            assertSame(TreeCodec.encode(TreeJsonWriterTestTrees.random(r, 1 + r.nextInt(30))), "tree " + i);
        }
    }

    /** Every field given every JSON type, removed, the record cut at every byte; odd documents. */
    @Test
    void rejectsBrokenRecordsWithTheSameMessages() {
        String good = TreeJsonReaderTest.partialSample();
        String[] fields = {"schema", "id", "service", "host", "pid", "thread", "metric", "unit", "overhead_ns", "dropped",
                "mode", "truncated", "partial", "broken", "part_of", "root", "name", "start", "end", "value_start", "value_end",
                "extra", "values", "children", "exception", "order"};
        String[] replacements = {"null", "1", "-0", "01", "1.5", "1e3", "-", "12345678901234567890", "\"\"", "\"x\"", "\"\\u0041\"",
                "\"a\\u00\"", "\"\\q\"", "true", "tru", "false", "nul", "[]", "[1,2]", "[1,2,]", "{}", "{\"a\":1}", "{\"a\":1,}",
                "[{}]", "[1,\"x\"]", "\"hiq.tree/1\"", "\"hiq.tree\\/1\"", "\"\u0000\"", "\"\\u0000\"", "\"a\tb\"", "/*c*/1", "1 2"};
        int checked = 0;
        for (String f : fields) {
            String key = "\"" + f + "\":";
            for (int at = good.indexOf(key); at >= 0; at = good.indexOf(key, at + 1)) {
                int vs = at + key.length();
                int ve = TreeJsonReaderTest.valueEnd(good, vs);
                for (String rep : replacements) {
                    assertSame(utf8(good.substring(0, vs) + rep + good.substring(ve)), f + "=" + rep);
                    checked++;
                }
                String removed = good.substring(0, at) + good.substring(ve + (good.charAt(ve) == ',' ? 1 : 0));
                assertSame(utf8(removed.replace(",}", "}")), "without " + f);
                // the field twice: the full decoder's last one wins
                String twice = good.substring(0, ve) + "," + good.substring(at, ve) + good.substring(ve);
                assertSame(utf8(twice), f + " twice");
                String twiceOther = good.substring(0, ve) + "," + key + "null" + good.substring(ve);
                assertSame(utf8(twiceOther), f + " then null");
                checked += 3;
            }
        }
        for (int cut = 0; cut <= good.length(); cut++) {
            assertSame(utf8(good.substring(0, cut)), "cut at " + cut);
            checked++;
        }
        for (String s : new String[] {"null", "  ", "[1,2]", "\"x\"", "42", "true", "{\"schema\":\"hiq.tree/2\"}", "{}",
                "{\"schema\":{\"a\":[1]}}", "\u0000\u0001garbage", "{\"schema\":\"hiq.tree/1\"} trailing", "\uFEFF" + good,
                " \t\r\n" + good, good + " trailing garbage", good + "}", "{\"schema\"  :  \"hiq.tree/1\"" + good.substring(good.indexOf(','))}) {
            assertSame(utf8(s), s);
            checked++;
        }
        assertSame(null, "null");
        assertSame(new byte[0], "empty");
        assertThat(checked).isGreaterThan(1_000);
    }

    /** Bytes replaced, inserted and deleted at random in valid records: the byte-level reader must never accept more. */
    @Test
    void mutatedRecordsAreJudgedAsTheFullDecoderJudgesThem() {
        SplittableRandom r = new SplittableRandom(11);
        byte[] interesting = utf8("{}[],:\"\\0123456789-+.eEtrufalsn \t\r\nxu/");
        byte[] odd = {0, 1, 0x1f, 0x7f, (byte) 0x80, (byte) 0xbf, (byte) 0xc0, (byte) 0xc1, (byte) 0xc3, (byte) 0xe0, (byte) 0xed,
                (byte) 0xef, (byte) 0xf0, (byte) 0xf4, (byte) 0xf5, (byte) 0xff};
        for (int i = 0; i < 20_000; i++) {
            byte[] json = TreeCodec.encode(i % 2 == 0 ? plain(r, 1 + r.nextInt(8)) : TreeJsonWriterTestTrees.random(r, 1 + r.nextInt(8)));
            int edits = 1 + r.nextInt(3);
            for (int e = 0; e < edits; e++) {
                int at = r.nextInt(json.length);
                byte v = r.nextInt(4) == 0 ? odd[r.nextInt(odd.length)] : interesting[r.nextInt(interesting.length)];
                switch (r.nextInt(3)) {
                    case 0 -> json[at] = v;
                    case 1 -> {
                        byte[] n = new byte[json.length + 1];
                        System.arraycopy(json, 0, n, 0, at);
                        n[at] = v;
                        System.arraycopy(json, at, n, at + 1, json.length - at);
                        json = n;
                    }
                    default -> {
                        byte[] n = new byte[json.length - 1];
                        System.arraycopy(json, 0, n, 0, at);
                        System.arraycopy(json, at + 1, n, at, json.length - at - 1);
                        json = n;
                    }
                }
                if (json.length == 0) break;
            }
            assertSame(json, "mutation " + i);
        }
    }

    private static String nested(int depth) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < depth; i++) sb.append("{\"name\":\"n\",\"start\":1,\"end\":2,\"value_start\":1,\"value_end\":2,\"children\":[");
        for (int i = 0; i < depth; i++) sb.append("]}");
        return "{\"schema\":\"hiq.tree/1\",\"id\":\"x\",\"service\":\"s\",\"host\":\"h\",\"pid\":1,\"thread\":\"t\","
                + "\"metric\":\"time\",\"unit\":\"ns\",\"overhead_ns\":0,\"dropped\":0,\"root\":" + sb + "}";
    }

    @Test
    void nestingBeyondTheLimitIsRejectedWithThePath() throws Exception {
        assertSame(utf8(nested(TreeCodec.MAX_DEPTH + 2)), "deep");
        assertThat(viaFacts(utf8(nested(TreeCodec.MAX_DEPTH + 2)))).contains("nested deeper than " + TreeCodec.MAX_DEPTH);
        long fallbacks = holder.fallbacks();
        assertSame(utf8(nested(TreeCodec.MAX_DEPTH + 1)), "as deep as accepted");
        assertThat(holder.fallbacks()).as("read at byte level").isEqualTo(fallbacks);
        assertThat(holder.read(utf8(nested(TreeCodec.MAX_DEPTH + 1))).size()).isEqualTo(TreeCodec.MAX_DEPTH + 1);
    }

    /** Structures nested in an extra: shallow ones at byte level, deep ones (up to and past Jackson's nesting limit) as decode judges them. */
    @Test
    void deepExtrasAreJudgedAsTheFullDecoderJudgesThem() {
        String good = TreeCodec.encodeToString(TreeCodecTest.sample());
        for (int depth : new int[] {1, 10, 255, 256, 257, 1_000, 1_900, 2_100, 5_000}) {
            String nested = "[".repeat(depth) + "1" + "]".repeat(depth);
            String json = good.replace("\"order\":42", "\"order\":" + nested);
            assertThat(json).isNotEqualTo(good);
            long fallbacks = holder.fallbacks();
            assertSame(utf8(json), "extra nested " + depth + " deep");
            if (depth < 200) assertThat(holder.fallbacks()).as("read at byte level").isEqualTo(fallbacks);
        }
        assertThat(viaTree(utf8(good.replace("\"order\":42", "\"order\":" + "[".repeat(5_000) + "]".repeat(5_000)))))
                .as("beyond Jackson's nesting limit").startsWith("error: not valid JSON");
    }

    @Test
    void aCopyIsIndependentOfTheHolder() throws Exception {
        TreeFacts first = holder.read(TreeCodec.encode(TreeCodecTest.sample())).copy();
        String before = first.toString();
        holder.read(TreeCodec.encode(plain(new SplittableRandom(1), 40)));
        assertThat(first.toString()).isEqualTo(before);
        assertThat(first.copy()).isSameAs(first);
        assertThatThrownBy(() -> first.read(new byte[] {'{'})).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> first.tag(3)).isInstanceOf(IndexOutOfBoundsException.class);
    }
}
