package io.hiq.tree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class TreeCodecTest {
    static HiQTree sample() {
        HiQNode root = HiQNode.of("main", 1_700_000_000_000_000L, 1_700_000_004_004_500L, 0, 4_004_500_000L);
        HiQNode func1 = HiQNode.of("func1", 1_700_000_000_000_050L, 1_700_000_004_004_450L, 50_000, 4_004_450_000L);
        HiQNode func2 = HiQNode.of("func2", 1_700_000_001_501_850L, 1_700_000_004_004_400L, 1_501_850_000L, 4_004_400_000L)
                .putExtra("exception", "java.lang.IllegalStateException: boom").putExtra("order", 42L);
        root.addChild(func1.addChild(func2));
        return HiQTree.builder().id("t-1").service("shop").host("h").pid(123).thread("main")
                .metric("time").unit("ns").overheadNs(191_000).dropped(0).mode("concise").root(root).build();
    }

    @Test
    void roundTripsEveryField() throws Exception {
        HiQTree t = sample();
        String json = TreeCodec.encodeToString(t);
        assertThat(json).doesNotContain("\n").startsWith("{\"schema\":\"hiq.tree/1\",\"id\":\"t-1\"");
        HiQTree back = TreeCodec.decode(json);
        assertThat(TreeCodec.encodeToString(back)).isEqualTo(json);
        assertThat(back.root().children().get(0).children().get(0).extra())
                .containsEntry("exception", "java.lang.IllegalStateException: boom").containsEntry("order", 42L);
    }

    @Test
    void encodedTreesConformToThePublishedJsonSchema() throws Exception {
        JsonSchema schema;
        try (InputStream in = HiQTree.class.getResourceAsStream("hiq-tree-1.schema.json")) {
            schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
        }
        HiQTree multi = HiQTree.builder().id("m").service("s").host("h").pid(1).thread("t").metric("time").unit("ns")
                .root(HiQNode.of("a", 1, 2, 3, 4).putValues("time", 3, 4).putValues("memory", 10, 20)).build();
        for (HiQTree t : new HiQTree[] {sample(), multi}) {
            JsonNode doc = new ObjectMapper().readTree(TreeCodec.encode(t));
            assertThat(schema.validate(doc)).isEmpty();
        }
        JsonNode bad = new ObjectMapper().readTree("{\"schema\":\"hiq.tree/2\"}");
        assertThat(schema.validate(bad)).isNotEmpty();
    }

    @Test
    void theSchemaInDocsIsTheOneShipped() throws Exception {
        Path docs = Path.of(System.getProperty("user.dir")).getParent().resolve("docs/FORMATS.md");
        String shipped;
        try (InputStream in = HiQTree.class.getResourceAsStream("hiq-tree-1.schema.json")) {
            shipped = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        }
        assertThat(Files.readString(docs)).contains(shipped);
    }

    /** {@code truncated} has two reasons (docs/FORMATS.md §1.2 and §1.6): the schema's text names both. */
    @Test
    void theSchemaDescribesBothReasonsForTruncated() throws Exception {
        JsonNode schema;
        try (InputStream in = HiQTree.class.getResourceAsStream("hiq-tree-1.schema.json")) {
            schema = new ObjectMapper().readTree(in);
        }
        String truncated = schema.path("properties").path("truncated").path("description").asText();
        assertThat(truncated).contains("HIQ_MAX_NODES", "extra.folded", "gaps", "extra.gaps", "closed_in_gap");
        String extra = schema.path("$defs").path("node").path("properties").path("extra").path("description").asText();
        assertThat(extra).contains("folded", "gaps", "closed_in_gap");
    }

    @Test
    void rejectsWhatIsNotATree() {
        String[][] cases = {
                {"", "empty record"},
                {"null", "null record"},
                {"[1,2]", "not a JSON object but array"},
                {"{\"schema\":\"hiq.tree/2\"}", "field 'schema': unsupported value"},
                {"{\"id\":\"x\"}", "field 'schema' missing"},
                {"{\"schema\":\"hiq.tree/1\",\"id\":\"x\"", "not valid JSON"},
                {"\u0000\u0001garbage", "not valid JSON"},
        };
        for (String[] c : cases) {
            assertThatThrownBy(() -> TreeCodec.decode(c[0])).isInstanceOf(TreeFormatException.class).hasMessageContaining(c[1]);
        }
        String noRoot = TreeCodec.encodeToString(sample()).replaceFirst(",\"root\":.*$", "}");
        assertThatThrownBy(() -> TreeCodec.decode(noRoot)).hasMessage("field 'root' missing");
        String badChild = TreeCodec.encodeToString(sample()).replace("\"name\":\"func2\"", "\"name\":7");
        assertThatThrownBy(() -> TreeCodec.decode(badChild)).hasMessage("field 'root.children[0].children[0].name': not a string");
    }

    /** A partial, truncated, broken tree: flags and part_of survive the wire, the schema accepts them, the text says so. */
    @Test
    void partialTruncatedAndBrokenTreesRoundTripConformAndRender() throws Exception {
        HiQNode placeholder = HiQNode.of("main", 1_700_000_000_000_000L, 1_700_000_010_000_000L, 0, 10_000_000_000L);
        java.util.Map<String, Object> counts = new java.util.LinkedHashMap<>();
        counts.put("count", 3L);
        counts.put("total", 300L);
        counts.put("max", 120L);
        placeholder.addChild(HiQNode.of("func1", 1_700_000_000_000_050L, 1_700_000_000_000_950L, 50_000, 950_000)
                .putExtra("folded", java.util.Map.of("func2", counts)));
        HiQTree t = HiQTree.builder().id("p-1").partOf("f-1").partial(true).truncated(true).broken(true)
                .service("shop").host("h").pid(1).thread("main").root(placeholder).build();
        String json = TreeCodec.encodeToString(t);
        assertThat(json).contains("\"truncated\":true,\"partial\":true,\"broken\":true,\"part_of\":\"f-1\"");
        HiQTree back = TreeCodec.decode(json);
        assertThat(back.partOf()).isEqualTo("f-1");
        assertThat(back.partial() && back.truncated() && back.broken()).isTrue();
        assertThat(TreeCodec.encodeToString(back)).isEqualTo(json);
        assertThat(TreeCodec.encodeToString(sample())).doesNotContain("part_of").doesNotContain("partial");

        JsonSchema schema;
        try (InputStream in = HiQTree.class.getResourceAsStream("hiq-tree-1.schema.json")) {
            schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
        }
        assertThat(schema.validate(new ObjectMapper().readTree(json))).isEmpty();
        assertThat(schema.validate(new ObjectMapper().readTree(json.replace("\"part_of\":\"f-1\"", "\"part_of\":7")))).isNotEmpty();
        assertThatThrownBy(() -> TreeCodec.decode(json.replace("\"part_of\":\"f-1\"", "\"part_of\":7")))
                .hasMessage("field 'part_of': not a string");

        String text = new TreeRenderer(ZoneOffset.UTC).render(back);
        assertThat(text.lines().skip(1).findFirst().orElseThrow()).endsWith("[OH:0us] [partial of f-1] [truncated] [broken]");
        assertThat(text).contains("l_[func1] (0.000900) ({folded={func2={count=3, total=300, max=120}}})");
    }

    @Test
    void rendersThePythonLayout() {
        String text = new TreeRenderer(ZoneOffset.UTC).render(sample());
        assertThat(text).isEqualTo("""
                [2023-11-14 22:13:20.000000 - 22:13:24.004500] [100.00%] \uD83D\uDFE2_root_time(4.0045)
                                                                         [OH:191us]
                [2023-11-14 22:13:20.000000 - 22:13:24.004500] [100.00%] l_[main] (4.004500)
                [2023-11-14 22:13:20.000050 - 22:13:24.004450] [100.00%]    l_[func1] (4.004400)
                [2023-11-14 22:13:21.501850 - 22:13:24.004400] [ 62.49%]       l_[func2] (2.502550) ({exception=java.lang.IllegalStateException: boom, order=42})
                """);
    }
}
