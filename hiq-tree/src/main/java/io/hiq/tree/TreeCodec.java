package io.hiq.tree;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;

/**
 * The {@code hiq.tree/1} JSON codec of DESIGN B4: one JSON object per tree, UTF-8, no line breaks
 * inside (so a jack log holds one tree per line).
 *
 * <p>Encoding writes straight into a per-thread reused buffer ({@link TreeJsonWriter}: no generator,
 * no intermediate strings). Decoding validates every
 * required field and its type and rejects any other {@code schema} value with a
 * {@link TreeFormatException} whose message names the field: consumers turn it into a dead letter.
 * Thread-safe.
 */
public final class TreeCodec {
    /** Deepest node nesting accepted on decode (protects readers from hostile input). */
    public static final int MAX_DEPTH = 512;

    /** jackson-core only: encoding and decoding never need jackson-databind (the agent jar leaves it out). */
    private static final JsonFactory FACTORY = newFactory();

    private TreeCodec() {}

    private static JsonFactory newFactory() {
        return JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(4 * MAX_DEPTH).build())
                .build();
    }

    /** The read limits decode applies (the byte-level {@link TreeFactsReader} stays within them). */
    static StreamReadConstraints readConstraints() { return FACTORY.streamReadConstraints(); }

    /**
     * The {@link ObjectMapper}, created on first use: only {@link #mapper}, {@link #fromJson},
     * {@link #encodeWithJackson} and decode's error messages for structured values need it, so
     * loading this class loads no jackson-databind class (start-up, and the agent jar's size).
     */
    static final class Databind {
        static final ObjectMapper MAPPER = new ObjectMapper(newFactory());

        private Databind() {}

        /** Typed as jackson-core's ObjectCodec, so that callers' bytecode never names ObjectMapper's supertypes. */
        static com.fasterxml.jackson.core.ObjectCodec codec() { return MAPPER; }

        /** The JSON text of the structure {@code p} is at (error messages). */
        static String treeText(com.fasterxml.jackson.core.JsonParser p) throws java.io.IOException {
            return MAPPER.readTree(p).toString();
        }
    }

    /**
     * One garbage-free writer per thread. A writer that grew past {@link #KEEP_BYTES} for one huge
     * tree is dropped afterwards, so no thread keeps a large buffer for good.
     */
    private static final ThreadLocal<TreeJsonWriter> WRITER = ThreadLocal.withInitial(TreeJsonWriter::new);
    private static final int KEEP_BYTES = 4 * 1024 * 1024;

    /** Encodes a tree as one line of UTF-8 JSON (no trailing newline). */
    public static byte[] encode(HiQTree tree) {
        TreeJsonWriter w = WRITER.get();
        try {
            w.encode(tree);
            return w.toByteArray();
        } finally {
            release(w);
        }
    }

    /**
     * Encodes a tree unless its encoding passes {@code maxBytes} (then nothing is kept: the
     * encoding stops as soon as it passes the limit).
     *
     * @throws TreeTooLargeException when the tree's JSON would exceed {@code maxBytes}
     */
    public static byte[] encode(HiQTree tree, int maxBytes) {
        TreeJsonWriter w = WRITER.get();
        try {
            w.encode(tree, maxBytes);
            return w.toByteArray();
        } finally {
            release(w);
        }
    }

    private static void release(TreeJsonWriter w) {
        if (w.buffer().length > KEEP_BYTES) WRITER.remove();
    }

    /** Encodes a tree as a JSON string. */
    public static String encodeToString(HiQTree tree) {
        return new String(encode(tree), StandardCharsets.UTF_8);
    }

    /** Encodes a tree into {@code out} (not closed). */
    public static void encode(HiQTree tree, OutputStream out) {
        TreeJsonWriter w = WRITER.get();
        try {
            w.encode(tree);
            w.writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            release(w);
        }
    }

    /**
     * The former Jackson-generator encoder, kept as the reference the garbage-free
     * {@link TreeJsonWriter} is checked against byte for byte (tests, benchmarks).
     */
    public static void encodeWithJackson(HiQTree tree, OutputStream out) {
        try (JsonGenerator g = FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            g.setCodec(Databind.codec());
            g.writeStartObject();
            g.writeStringField("schema", HiQTree.SCHEMA);
            g.writeStringField("id", tree.id());
            g.writeStringField("service", tree.service());
            g.writeStringField("host", tree.host());
            g.writeNumberField("pid", tree.pid());
            g.writeStringField("thread", tree.thread());
            g.writeStringField("metric", tree.metric());
            g.writeStringField("unit", tree.unit());
            g.writeNumberField("overhead_ns", tree.overheadNs());
            g.writeNumberField("dropped", tree.dropped());
            if (tree.mode() != null) g.writeStringField("mode", tree.mode());
            if (tree.truncated()) g.writeBooleanField("truncated", true);
            if (tree.partial()) g.writeBooleanField("partial", true);
            if (tree.broken()) g.writeBooleanField("broken", true);
            if (tree.partOf() != null) g.writeStringField("part_of", tree.partOf());
            g.writeFieldName("root");
            writeNode(g, tree.root());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeNode(JsonGenerator g, HiQNode n) throws IOException {
        g.writeStartObject();
        g.writeStringField("name", n.name());
        g.writeNumberField("start", n.start());
        g.writeNumberField("end", n.end());
        g.writeNumberField("value_start", n.valueStart());
        g.writeNumberField("value_end", n.valueEnd());
        g.writeObjectFieldStart("extra");
        for (Map.Entry<String, Object> e : n.extra().entrySet()) {
            g.writeFieldName(e.getKey());
            writeValue(g, e.getValue());
        }
        g.writeEndObject();
        if (!n.values().isEmpty()) {
            g.writeObjectFieldStart("values");
            for (Map.Entry<String, long[]> e : n.values().entrySet()) {
                g.writeArrayFieldStart(e.getKey());
                g.writeNumber(e.getValue()[0]);
                g.writeNumber(e.getValue()[1]);
                g.writeEndArray();
            }
            g.writeEndObject();
        }
        g.writeArrayFieldStart("children");
        for (HiQNode c : n.children()) writeNode(g, c);
        g.writeEndArray();
        g.writeEndObject();
    }

    private static void writeValue(JsonGenerator g, Object v) throws IOException {
        if (v == null) g.writeNull();
        else if (v instanceof String s) g.writeString(s);
        else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) g.writeNumber(((Number) v).longValue());
        else if (v instanceof Number num) g.writeNumber(num.doubleValue());
        else if (v instanceof Boolean b) g.writeBoolean(b);
        else if (v instanceof Map<?, ?> || v instanceof Iterable<?>) g.writeObject(v);
        else g.writeString(String.valueOf(v)); // anything else is shown as its text form
    }

    /** Decodes and validates one tree. */
    public static HiQTree decode(byte[] json) throws TreeFormatException {
        if (json == null || json.length == 0) throw new TreeFormatException("empty record");
        return TreeJsonReader.read(FACTORY, json);
    }

    /** Decodes and validates one tree from a string. */
    public static HiQTree decode(String json) throws TreeFormatException {
        return decode(json == null ? null : json.getBytes(StandardCharsets.UTF_8));
    }

    /** Validates an already-parsed JSON document as a tree. */
    public static HiQTree fromJson(JsonNode doc) throws TreeFormatException {
        if (doc == null || doc.isNull() || doc.isMissingNode()) throw new TreeFormatException("null record");
        if (!doc.isObject()) throw new TreeFormatException("not a JSON object but " + doc.getNodeType().name().toLowerCase());
        JsonNode schema = doc.get("schema");
        if (schema == null) throw new TreeFormatException("field 'schema' missing");
        if (!schema.isTextual() || !HiQTree.SCHEMA.equals(schema.asText())) {
            throw new TreeFormatException("field 'schema': unsupported value " + clip(schema.toString()) + ", expected \"" + HiQTree.SCHEMA + "\"");
        }
        HiQTree.Builder b = HiQTree.builder()
                .id(text(doc, "id", true))
                .service(text(doc, "service", false))
                .host(text(doc, "host", false))
                .pid(integer(doc, "pid"))
                .thread(text(doc, "thread", false))
                .metric(text(doc, "metric", true))
                .unit(text(doc, "unit", true))
                .overheadNs(integer(doc, "overhead_ns"))
                .dropped(integer(doc, "dropped"));
        JsonNode mode = doc.get("mode");
        if (mode != null && mode.isTextual()) b.mode(mode.asText());
        b.truncated(flag(doc, "truncated")).partial(flag(doc, "partial")).broken(flag(doc, "broken"));
        JsonNode partOf = doc.get("part_of");
        if (partOf != null && !partOf.isNull()) {
            if (!partOf.isTextual()) throw new TreeFormatException("field 'part_of': not a string");
            if (partOf.asText().isEmpty()) throw new TreeFormatException("field 'part_of': empty");
            b.partOf(partOf.asText());
        }
        JsonNode root = doc.get("root");
        if (root == null) throw new TreeFormatException("field 'root' missing");
        b.root(node(root, "root", 0));
        return b.build();
    }

    /** An optional boolean flag: absent or null is false; anything but a boolean is an error. */
    private static boolean flag(JsonNode doc, String field) throws TreeFormatException {
        JsonNode v = doc.get(field);
        if (v == null || v.isNull()) return false;
        if (!v.isBoolean()) throw new TreeFormatException("field '" + field + "': not a boolean");
        return v.booleanValue();
    }

    private static HiQNode node(JsonNode j, String path, int depth) throws TreeFormatException {
        if (depth > MAX_DEPTH) throw new TreeFormatException("field '" + path + "': nested deeper than " + MAX_DEPTH);
        if (!j.isObject()) throw new TreeFormatException("field '" + path + "': not an object");
        HiQNode n = HiQNode.of(text(j, "name", true, path), integer(j, "start", path), integer(j, "end", path),
                integer(j, "value_start", path), integer(j, "value_end", path));
        JsonNode extra = j.get("extra");
        if (extra != null && !extra.isNull()) {
            if (!extra.isObject()) throw new TreeFormatException("field '" + path + ".extra': not an object");
            Iterator<Map.Entry<String, JsonNode>> it = extra.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                n.putExtra(e.getKey(), plain(e.getValue()));
            }
        }
        JsonNode values = j.get("values");
        if (values != null && !values.isNull()) {
            if (!values.isObject()) throw new TreeFormatException("field '" + path + ".values': not an object");
            Iterator<Map.Entry<String, JsonNode>> it = values.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                JsonNode pair = e.getValue();
                if (!pair.isArray() || pair.size() != 2 || !pair.get(0).isNumber() || !pair.get(1).isNumber()) {
                    throw new TreeFormatException("field '" + path + ".values." + e.getKey() + "': not a [start,end] pair");
                }
                n.putValues(e.getKey(), pair.get(0).asLong(), pair.get(1).asLong());
            }
        }
        JsonNode children = j.get("children");
        if (children != null && !children.isNull()) {
            if (!children.isArray()) throw new TreeFormatException("field '" + path + ".children': not an array");
            for (int i = 0; i < children.size(); i++) {
                n.addChild(node(children.get(i), path + ".children[" + i + "]", depth + 1));
            }
        }
        return n;
    }

    private static Object plain(JsonNode v) {
        if (v.isTextual()) return v.asText();
        if (v.isIntegralNumber()) return v.asLong();
        if (v.isNumber()) return v.asDouble();
        if (v.isBoolean()) return v.asBoolean();
        if (v.isNull()) return null;
        return Databind.MAPPER.convertValue(v, Object.class);
    }

    private static String text(JsonNode j, String field, boolean nonEmpty) throws TreeFormatException {
        return text(j, field, nonEmpty, null);
    }

    private static String text(JsonNode j, String field, boolean nonEmpty, String path) throws TreeFormatException {
        String name = path == null ? field : path + "." + field;
        JsonNode v = j.get(field);
        if (v == null || v.isNull()) throw new TreeFormatException("field '" + name + "' missing");
        if (!v.isTextual()) throw new TreeFormatException("field '" + name + "': not a string");
        if (nonEmpty && v.asText().isEmpty()) throw new TreeFormatException("field '" + name + "': empty");
        return v.asText();
    }

    private static long integer(JsonNode j, String field) throws TreeFormatException {
        return integer(j, field, null);
    }

    private static long integer(JsonNode j, String field, String path) throws TreeFormatException {
        String name = path == null ? field : path + "." + field;
        JsonNode v = j.get(field);
        if (v == null || v.isNull()) throw new TreeFormatException("field '" + name + "' missing");
        if (!v.isNumber()) throw new TreeFormatException("field '" + name + "': not a number");
        return v.asLong();
    }

    private static String clip(String s) { return s.length() > 64 ? s.substring(0, 64) + "…" : s; }

    /** The shared, configured mapper (read-only use). */
    public static ObjectMapper mapper() { return Databind.MAPPER; }
}
