package io.hiq.tree;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A reusable encoder of the {@code hiq.tree/1} JSON form (DESIGN B4 / docs/FORMATS.md) that writes
 * UTF-8 bytes straight into its own buffer: no generator, no intermediate strings, no per-tree
 * garbage in steady state once the buffer has grown to the largest tree seen (the buffer never grows
 * beyond the size limit given to {@link #encode(HiQTree, int)} plus one string's worth).
 *
 * <p>The bytes are the same as {@link TreeCodec}'s earlier Jackson-generated form (the same field
 * order, the same escapes ({@code \"}, {@code \\}, {@code \b \f \n \r \t}, other control characters
 * as {@code &#92;u00XX}, upper-case hex,
 * {@code NaN}/infinities as strings), with two differences that every JSON reader decodes alike or
 * better: characters outside the BMP (emoji) are written as their 4-byte UTF-8 rather than as an
 * escaped surrogate pair, and a lone surrogate, which has no UTF-8 form, is written as {@code ?}.
 *
 * <p>Not thread-safe: one instance per thread ({@link TreeCodec} keeps one per thread).
 *
 * <p>Performance (docs/PERFORMANCE.md section 13): room is ensured once per node's fixed part and
 * once per string, then written without further checks; field names are 8-byte words stored whole;
 * numbers eight digits at a time ({@link JsonNumbers}); strings a tree repeats (tags, service, host,
 * thread, metric, unit, extra keys) copied from a small bounded cache of their encoded bytes
 * ({@link EncodedStrings}); the rest escaped character by character ({@link JsonStrings}).
 */
public final class TreeJsonWriter {
    /** Room a node's fields from {@code ,"start":} to {@code ,"extra":} take, with the words' slack. */
    private static final int NODE_NUMBERS = 4 * (Field.MAX_BYTES + JsonNumbers.MAX_BYTES) + Field.MAX_BYTES;

    private static final byte[] SCHEMA = ascii("{\"schema\":\"" + HiQTree.SCHEMA + "\",\"id\":");
    private static final byte[] TRUNCATED = ascii(",\"truncated\":true");
    private static final byte[] NULL = ascii("null");
    private static final byte[] TRUE = ascii("true");
    private static final byte[] FALSE = ascii("false");
    private static final Field SERVICE = new Field(",\"service\":");
    private static final Field HOST = new Field(",\"host\":");
    private static final Field PID = new Field(",\"pid\":");
    private static final Field THREAD = new Field(",\"thread\":");
    private static final Field METRIC = new Field(",\"metric\":");
    private static final Field UNIT = new Field(",\"unit\":");
    private static final Field OVERHEAD = new Field(",\"overhead_ns\":");
    private static final Field DROPPED = new Field(",\"dropped\":");
    private static final Field MODE = new Field(",\"mode\":");
    private static final Field PARTIAL = new Field(",\"partial\":true");
    private static final Field BROKEN = new Field(",\"broken\":true");
    private static final Field PART_OF = new Field(",\"part_of\":");
    private static final Field ROOT = new Field(",\"root\":");
    private static final Field NAME = new Field("{\"name\":");
    private static final Field START = new Field(",\"start\":");
    private static final Field END = new Field(",\"end\":");
    private static final Field VALUE_START = new Field(",\"value_start\":");
    private static final Field VALUE_END = new Field(",\"value_end\":");
    private static final Field EXTRA = new Field(",\"extra\":{");
    private static final Field NO_EXTRA = new Field(",\"extra\":{}");
    private static final Field VALUES = new Field(",\"values\":{");
    private static final Field CHILDREN = new Field(",\"children\":[");
    private static final Field NO_CHILDREN = new Field(",\"children\":[]}");

    /**
     * A field name (up to 16 ASCII bytes, with what precedes and follows it) as two little-endian
     * words: written with two 8-byte stores, whose bytes past {@link #length} are overwritten by
     * what comes next. A record, so that the JIT treats a constant's words as constants.
     */
    private record Field(long low, long high, int length) {
        static final int MAX_BYTES = 16;

        Field(String text) { this(word(text, 0), word(text, 8), text.length()); }

        private static long word(String text, int from) {
            if (text.length() > MAX_BYTES) throw new IllegalArgumentException(text);
            long w = 0;
            for (int i = Math.min(text.length(), from + 8) - 1; i >= from; i--) w = (w << 8) | text.charAt(i);
            return w;
        }

        int write(byte[] b, int p) {
            JsonNumbers.LONGS.set(b, p, low);
            if (length > 8) JsonNumbers.LONGS.set(b, p + 8, high); // folded: the fields are a constant's
            return p + length;
        }
    }

    private final EncodedStrings repeated = new EncodedStrings();
    private final JsonNumbers numbers = new JsonNumbers();
    private byte[] buf;
    private int len;
    private int limit = Integer.MAX_VALUE;

    /** An encoder whose buffer starts at 4 KiB and grows to the largest tree it has written. */
    public TreeJsonWriter() { this(4096); }

    /** An encoder whose buffer starts at {@code initialBytes}. */
    public TreeJsonWriter(int initialBytes) { buf = new byte[Math.max(64, initialBytes)]; }

    /**
     * Encodes {@code tree} into this writer's buffer, replacing what it held.
     *
     * @return the number of bytes written: {@link #buffer()}{@code [0, n)} is the tree's JSON
     */
    public int encode(HiQTree tree) {
        return encode(tree, Integer.MAX_VALUE);
    }

    /**
     * Encodes {@code tree}, giving up as soon as the output passes {@code maxBytes}: an oversized
     * tree is never encoded (nor buffered) whole.
     *
     * @return the number of bytes written
     * @throws TreeTooLargeException when the encoded tree would exceed {@code maxBytes}
     */
    public int encode(HiQTree tree, int maxBytes) {
        len = 0;
        limit = maxBytes;
        try {
            header(tree.id(), tree.service(), tree.host(), tree.pid(), tree.thread(), tree.metric(), tree.unit(),
                    tree.overheadNs(), tree.dropped(), tree.mode(), tree.truncated(), tree.partial(), tree.broken(),
                    tree.partOf());
            node(tree.root());
            put((byte) '}');
            if (len > limit) throw new TreeTooLargeException(limit);
            return len;
        } finally {
            limit = Integer.MAX_VALUE;
        }
    }

    /**
     * Encodes a {@link TreeView} (the assembler's arrays, no node objects): the same bytes as
     * {@link #encode(HiQTree, int)} of {@link TreeView#toTree()}.
     *
     * @return the number of bytes written
     * @throws TreeTooLargeException when the encoded tree would exceed {@code maxBytes}
     */
    public int encode(TreeView tree, int maxBytes) {
        len = 0;
        limit = maxBytes;
        try {
            header(tree.id(), tree.service(), tree.host(), tree.pid(), tree.thread(), tree.metric(), tree.unit(),
                    tree.overheadNs(), tree.dropped(), tree.mode(), tree.truncated(), tree.partial(), tree.broken(),
                    tree.partOf());
            node(tree, 0);
            put((byte) '}');
            if (len > limit) throw new TreeTooLargeException(limit);
            return len;
        } finally {
            limit = Integer.MAX_VALUE;
        }
    }

    /** The buffer the last {@link #encode} wrote into; valid until the next call. */
    public byte[] buffer() { return buf; }

    /** Bytes written by the last {@link #encode}. */
    public int size() { return len; }

    /** A copy of the last encoded tree. */
    public byte[] toByteArray() { return Arrays.copyOf(buf, len); }

    /** Writes the last encoded tree to {@code out}. */
    public void writeTo(OutputStream out) throws IOException { out.write(buf, 0, len); }

    /** The tree's fields up to and including {@code "root":}, in B4's order. */
    private void header(String id, String service, String host, long pid, String thread, String metric, String unit,
                        long overheadNs, long dropped, String mode, boolean truncated, boolean partial, boolean broken,
                        String partOf) {
        raw(SCHEMA);
        text(id);
        field(SERVICE);
        repeated(service);
        field(HOST);
        repeated(host);
        field(PID);
        number(pid);
        field(THREAD);
        repeated(thread);
        field(METRIC);
        repeated(metric);
        field(UNIT);
        repeated(unit);
        field(OVERHEAD);
        number(overheadNs);
        field(DROPPED);
        number(dropped);
        if (mode != null) {
            field(MODE);
            repeated(mode);
        }
        // flags only when set, so trees without them keep their exact former bytes
        if (truncated) raw(TRUNCATED);
        if (partial) field(PARTIAL);
        if (broken) field(BROKEN);
        if (partOf != null) {
            field(PART_OF);
            text(partOf);
        }
        field(ROOT);
    }

    private void node(HiQNode n) {
        List<HiQNode> children = n.childrenOrNull();
        boolean leaf = children == null || children.isEmpty();
        fields(n.name(), n.start(), n.end(), n.valueStart(), n.valueEnd(), n.extraOrNull(), n.valuesOrNull(), leaf);
        if (leaf) return;
        for (int i = 0, k = children.size(); i < k; i++) {
            if (i > 0) put((byte) ',');
            node(children.get(i));
        }
        closeNode();
    }

    private void node(TreeView v, int i) {
        int end = v.subtreeEnd(i);
        boolean leaf = end <= i + 1;
        fields(v.name(i), v.start(i), v.end(i), v.valueStart(i), v.valueEnd(i), v.extraOrNull(i), v.valuesOrNull(i), leaf);
        if (leaf) return;
        for (int c = i + 1; c < end; c = v.subtreeEnd(c)) {
            if (c > i + 1) put((byte) ',');
            node(v, c);
        }
        closeNode();
    }

    /**
     * A node up to its children: {@code {"name":…,"start":…,…,"extra":{…}[,"values":{…}],"children":[}
     * — a leaf's closed at once ({@code []}}).
     */
    private void fields(String name, long start, long end, long valueStart, long valueEnd,
                        Map<String, Object> extra, Map<String, long[]> values, boolean leaf) {
        field(NAME);
        repeated(name);
        ensure(NODE_NUMBERS);
        byte[] b = buf;
        int p = len;
        p = START.write(b, p);
        p = numbers.writeNear(b, p, start, false);
        p = END.write(b, p);
        p = numbers.writeNear(b, p, end, false);
        p = VALUE_START.write(b, p);
        p = numbers.writeNear(b, p, valueStart, true);
        p = VALUE_END.write(b, p);
        p = numbers.writeNear(b, p, valueEnd, true);
        if (extra == null || extra.isEmpty()) {
            len = NO_EXTRA.write(b, p);
        } else {
            len = EXTRA.write(b, p);
            extra(extra);
        }
        if (values != null && !values.isEmpty()) values(values);
        if (leaf) {
            field(NO_CHILDREN);
            if (len > limit) throw new TreeTooLargeException(limit);
        } else {
            field(CHILDREN);
        }
    }

    /** The end of a node with children: {@code ]}}. */
    private void closeNode() {
        ensure(2);
        buf[len] = ']';
        buf[len + 1] = '}';
        len += 2;
        if (len > limit) throw new TreeTooLargeException(limit);
    }

    /** A node's {@code extra} entries and the closing brace (the opening one is written). */
    private void extra(Map<String, Object> extra) {
        boolean first = true;
        for (Map.Entry<String, Object> e : extra.entrySet()) {
            if (!first) put((byte) ',');
            first = false;
            repeated(e.getKey());
            put((byte) ':');
            value(e.getValue(), 0);
        }
        put((byte) '}');
    }

    /** A node's {@code values} object (written only when there are any). */
    private void values(Map<String, long[]> values) {
        field(VALUES);
        boolean first = true;
        for (Map.Entry<String, long[]> e : values.entrySet()) {
            if (!first) put((byte) ',');
            first = false;
            repeated(e.getKey());
            ensure(4 + 2 * JsonNumbers.MAX_BYTES);
            byte[] b = buf;
            int p = len;
            b[p++] = ':';
            b[p++] = '[';
            p = JsonNumbers.write(b, p, e.getValue()[0]);
            b[p++] = ',';
            p = JsonNumbers.write(b, p, e.getValue()[1]);
            b[p++] = ']';
            len = p;
        }
        put((byte) '}');
    }

    /** An extra's value: the JSON types as such, maps and iterables recursively, anything else as its text. */
    private void value(Object v, int depth) {
        if (v == null) raw(NULL);
        else if (v instanceof String s) text(s);
        else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) number(((Number) v).longValue());
        else if (v instanceof Number num) decimal(num.doubleValue());
        else if (v instanceof Boolean b) raw(b ? TRUE : FALSE);
        else if (depth < TreeCodec.MAX_DEPTH && v instanceof Map<?, ?> m) {
            put((byte) '{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!first) put((byte) ',');
                first = false;
                text(String.valueOf(e.getKey()));
                put((byte) ':');
                value(e.getValue(), depth + 1);
            }
            put((byte) '}');
        } else if (depth < TreeCodec.MAX_DEPTH && v instanceof Iterable<?> it) {
            put((byte) '[');
            boolean first = true;
            for (Object o : it) {
                if (!first) put((byte) ',');
                first = false;
                value(o, depth + 1);
            }
            put((byte) ']');
        } else text(String.valueOf(v));
    }

    private void decimal(double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) text(Double.toString(d)); // not JSON numbers
        else raw(ascii(Double.toString(d)));                                    // rare: extras only
    }

    private void number(long v) {
        ensure(JsonNumbers.MAX_BYTES);
        len = JsonNumbers.write(buf, len, v);
    }

    /** A string seen once (the id, extra values): escaped and encoded character by character. */
    private void text(String s) {
        int n = s.length();
        // every char is at least one byte: a string that cannot fit is refused before any copy
        if ((long) len + 2 + n > limit) throw new TreeTooLargeException(limit);
        ensure(JsonStrings.maxBytes(n));
        len = JsonStrings.write(buf, len, s);
        if (len > limit) throw new TreeTooLargeException(limit);
    }

    /** A string trees repeat (tags, service, host, thread, …): through the cache of encoded strings. */
    private void repeated(String s) {
        int n = s.length();
        if ((long) len + 2 + n > limit) throw new TreeTooLargeException(limit);
        ensure(EncodedStrings.maxBytes(n));
        len = repeated.write(buf, len, s);
        if (len > limit) throw new TreeTooLargeException(limit);
    }

    private void field(Field f) {
        ensure(Field.MAX_BYTES);
        len = f.write(buf, len);
    }

    private void raw(byte[] bytes) {
        ensure(bytes.length);
        System.arraycopy(bytes, 0, buf, len, bytes.length);
        len += bytes.length;
    }

    private void put(byte b) {
        ensure(1);
        buf[len++] = b;
    }

    /** Room for {@code more} bytes; grows the buffer (never far past the limit) when needed. */
    private void ensure(long more) {
        if (len + more <= buf.length) return;
        if (len > limit) throw new TreeTooLargeException(limit);
        long want = Math.max((long) buf.length * 2, len + more);
        // never grow far past the limit: one string's worth of slack is all an oversized tree gets
        if (limit != Integer.MAX_VALUE) want = Math.min(want, Math.max((long) limit + 1, len + more));
        if (want > Integer.MAX_VALUE - 16) throw new TreeTooLargeException(Integer.MAX_VALUE - 16);
        buf = Arrays.copyOf(buf, (int) want);
    }

    private static byte[] ascii(String s) { return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII); }
}
