package io.hiq.tree;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The B4 encoder as it was before branch {@code encode} (commit b0fb8d6 of {@code TreeJsonWriter},
 * unchanged but for its name): the baseline {@code TreeCodecBench} measures the current writer
 * against in the same run. Benchmarks only; it lives in package {@code io.hiq.tree} for the node
 * accessors the writer uses.
 */
public final class BaselineTreeJsonWriter {
    private static final byte[] HEX = "0123456789ABCDEF".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    /** For ASCII 0..127: 0 = write as is, a letter = short escape {@code \x}, -1 = {@code &#92;u00XX}. */
    private static final byte[] ESCAPES = new byte[128];
    /** "00" to "99", for writing numbers two digits at a time. */
    private static final byte[] DIGIT_PAIRS = new byte[200];

    static {
        for (int i = 0; i < 100; i++) {
            DIGIT_PAIRS[2 * i] = (byte) ('0' + i / 10);
            DIGIT_PAIRS[2 * i + 1] = (byte) ('0' + i % 10);
        }
        for (int c = 0; c < 0x20; c++) ESCAPES[c] = -1;
        ESCAPES['"'] = '"';
        ESCAPES['\\'] = '\\';
        ESCAPES['\b'] = 'b';
        ESCAPES['\f'] = 'f';
        ESCAPES['\n'] = 'n';
        ESCAPES['\r'] = 'r';
        ESCAPES['\t'] = 't';
    }

    private static final byte[] SCHEMA = ascii("{\"schema\":\"" + HiQTree.SCHEMA + "\",\"id\":");
    private static final byte[] SERVICE = ascii(",\"service\":");
    private static final byte[] HOST = ascii(",\"host\":");
    private static final byte[] PID = ascii(",\"pid\":");
    private static final byte[] THREAD = ascii(",\"thread\":");
    private static final byte[] METRIC = ascii(",\"metric\":");
    private static final byte[] UNIT = ascii(",\"unit\":");
    private static final byte[] OVERHEAD = ascii(",\"overhead_ns\":");
    private static final byte[] DROPPED = ascii(",\"dropped\":");
    private static final byte[] MODE = ascii(",\"mode\":");
    private static final byte[] TRUNCATED = ascii(",\"truncated\":true");
    private static final byte[] PARTIAL = ascii(",\"partial\":true");
    private static final byte[] BROKEN = ascii(",\"broken\":true");
    private static final byte[] PART_OF = ascii(",\"part_of\":");
    private static final byte[] ROOT = ascii(",\"root\":");
    private static final byte[] NAME = ascii("{\"name\":");
    private static final byte[] START = ascii(",\"start\":");
    private static final byte[] END = ascii(",\"end\":");
    private static final byte[] VALUE_START = ascii(",\"value_start\":");
    private static final byte[] VALUE_END = ascii(",\"value_end\":");
    private static final byte[] EXTRA = ascii(",\"extra\":{");
    private static final byte[] VALUES = ascii(",\"values\":{");
    private static final byte[] CHILDREN = ascii(",\"children\":[");
    private static final byte[] NULL = ascii("null");
    private static final byte[] TRUE = ascii("true");
    private static final byte[] FALSE = ascii("false");
    private static final byte[] MIN_LONG = ascii(Long.toString(Long.MIN_VALUE));

    private byte[] buf;
    private int len;
    private int limit = Integer.MAX_VALUE;

    /** An encoder whose buffer starts at 4 KiB and grows to the largest tree it has written. */
    public BaselineTreeJsonWriter() { this(4096); }

    /** An encoder whose buffer starts at {@code initialBytes}. */
    public BaselineTreeJsonWriter(int initialBytes) { buf = new byte[Math.max(64, initialBytes)]; }

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

    /** The tree's fields up to and including {@code "root":}, in B4's order. */
    private void header(String id, String service, String host, long pid, String thread, String metric, String unit,
                        long overheadNs, long dropped, String mode, boolean truncated, boolean partial, boolean broken,
                        String partOf) {
        raw(SCHEMA);
        string(id);
        raw(SERVICE);
        string(service);
        raw(HOST);
        string(host);
        raw(PID);
        number(pid);
        raw(THREAD);
        string(thread);
        raw(METRIC);
        string(metric);
        raw(UNIT);
        string(unit);
        raw(OVERHEAD);
        number(overheadNs);
        raw(DROPPED);
        number(dropped);
        if (mode != null) {
            raw(MODE);
            string(mode);
        }
        // flags only when set, so trees without them keep their exact former bytes
        if (truncated) raw(TRUNCATED);
        if (partial) raw(PARTIAL);
        if (broken) raw(BROKEN);
        if (partOf != null) {
            raw(PART_OF);
            string(partOf);
        }
        raw(ROOT);
    }

    /** The buffer the last {@link #encode} wrote into; valid until the next call. */
    public byte[] buffer() { return buf; }

    /** Bytes written by the last {@link #encode}. */
    public int size() { return len; }

    /** A copy of the last encoded tree. */
    public byte[] toByteArray() { return Arrays.copyOf(buf, len); }

    /** Writes the last encoded tree to {@code out}. */
    public void writeTo(OutputStream out) throws IOException { out.write(buf, 0, len); }

    private void node(HiQNode n) {
        raw(NAME);
        string(n.name());
        raw(START);
        number(n.start());
        raw(END);
        number(n.end());
        raw(VALUE_START);
        number(n.valueStart());
        raw(VALUE_END);
        number(n.valueEnd());
        extraAndValues(n.extraOrNull(), n.valuesOrNull());
        raw(CHILDREN);
        List<HiQNode> children = n.childrenOrNull();
        if (children != null) {
            for (int i = 0, k = children.size(); i < k; i++) {
                if (i > 0) put((byte) ',');
                node(children.get(i));
            }
        }
        put((byte) ']');
        put((byte) '}');
        if (len > limit) throw new TreeTooLargeException(limit);
    }

    /** A node's {@code extra} object (always written) and {@code values} object (only when there are any). */
    private void extraAndValues(Map<String, Object> extra, Map<String, long[]> values) {
        raw(EXTRA);
        if (extra != null) {
            boolean first = true;
            for (Map.Entry<String, Object> e : extra.entrySet()) {
                if (!first) put((byte) ',');
                first = false;
                string(e.getKey());
                put((byte) ':');
                value(e.getValue(), 0);
            }
        }
        put((byte) '}');
        if (values != null && !values.isEmpty()) {
            raw(VALUES);
            boolean first = true;
            for (Map.Entry<String, long[]> e : values.entrySet()) {
                if (!first) put((byte) ',');
                first = false;
                string(e.getKey());
                put((byte) ':');
                put((byte) '[');
                number(e.getValue()[0]);
                put((byte) ',');
                number(e.getValue()[1]);
                put((byte) ']');
            }
            put((byte) '}');
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

    private void node(TreeView v, int i) {
        raw(NAME);
        string(v.name(i));
        raw(START);
        number(v.start(i));
        raw(END);
        number(v.end(i));
        raw(VALUE_START);
        number(v.valueStart(i));
        raw(VALUE_END);
        number(v.valueEnd(i));
        extraAndValues(v.extraOrNull(i), v.valuesOrNull(i));
        raw(CHILDREN);
        int end = v.subtreeEnd(i);
        for (int c = i + 1; c < end; c = v.subtreeEnd(c)) {
            if (c > i + 1) put((byte) ',');
            node(v, c);
        }
        put((byte) ']');
        put((byte) '}');
        if (len > limit) throw new TreeTooLargeException(limit);
    }

    /** An extra's value: the JSON types as such, maps and iterables recursively, anything else as its text. */
    private void value(Object v, int depth) {
        if (v == null) raw(NULL);
        else if (v instanceof String s) string(s);
        else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) number(((Number) v).longValue());
        else if (v instanceof Number num) decimal(num.doubleValue());
        else if (v instanceof Boolean b) raw(b ? TRUE : FALSE);
        else if (depth < TreeCodec.MAX_DEPTH && v instanceof Map<?, ?> m) {
            put((byte) '{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!first) put((byte) ',');
                first = false;
                string(String.valueOf(e.getKey()));
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
        } else string(String.valueOf(v));
    }

    private void decimal(double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) string(Double.toString(d)); // not JSON numbers
        else raw(ascii(Double.toString(d)));                                      // rare: extras only
    }

    private void number(long v) {
        if (v == Long.MIN_VALUE) {
            raw(MIN_LONG);
            return;
        }
        ensure(20);
        byte[] b = buf;
        if (v < 0) {
            b[len++] = '-';
            v = -v;
        }
        int digits = digits(v);
        int end = len + digits;
        int p = end;
        // two digits per division (the JIT turns the constant division into a multiply)
        while (v >= 100) {
            long q = v / 100;
            int r = (int) (v - q * 100) << 1;
            v = q;
            b[--p] = DIGIT_PAIRS[r + 1];
            b[--p] = DIGIT_PAIRS[r];
        }
        int r = (int) v;
        if (r >= 10) {
            b[--p] = DIGIT_PAIRS[(r << 1) + 1];
            b[--p] = DIGIT_PAIRS[r << 1];
        } else {
            b[--p] = (byte) ('0' + r);
        }
        len = end;
    }

    private static int digits(long v) {
        int d = 1;
        for (long p = 10; d < 19 && v >= p; p *= 10) d++;
        return d;
    }

    /** A JSON string: quotes, escapes, UTF-8. At most 6 bytes per char, so one check up front. */
    private void string(String s) {
        int n = s.length();
        // every char is at least one byte: a string that cannot fit is refused before any copy
        if ((long) len + 2 + n > limit) throw new TreeTooLargeException(limit);
        ensure(2 + 6 * n);
        byte[] b = buf;
        int p = len;
        b[p++] = '"';
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                byte e = ESCAPES[c];
                if (e == 0) {
                    b[p++] = (byte) c;
                } else if (e > 0) {
                    b[p++] = '\\';
                    b[p++] = e;
                } else {
                    b[p++] = '\\';
                    b[p++] = 'u';
                    b[p++] = '0';
                    b[p++] = '0';
                    b[p++] = HEX[c >> 4];
                    b[p++] = HEX[c & 0xF];
                }
            } else if (c < 0x800) {
                b[p++] = (byte) (0xC0 | (c >> 6));
                b[p++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                b[p++] = (byte) (0xF0 | (cp >> 18));
                b[p++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                b[p++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                b[p++] = (byte) (0x80 | (cp & 0x3F));
            } else if (Character.isSurrogate(c)) {
                b[p++] = '?'; // a lone surrogate has no UTF-8 form
            } else {
                b[p++] = (byte) (0xE0 | (c >> 12));
                b[p++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                b[p++] = (byte) (0x80 | (c & 0x3F));
            }
        }
        b[p++] = '"';
        len = p;
        if (len > limit) throw new TreeTooLargeException(limit);
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

    private void ensure(int more) {
        if (len + more <= buf.length) return;
        if (len > limit) throw new TreeTooLargeException(limit);
        long want = Math.max((long) buf.length * 2, (long) len + more);
        // never grow far past the limit: one string's worth of slack is all an oversized tree gets
        if (limit != Integer.MAX_VALUE) want = Math.min(want, Math.max((long) limit + 1, (long) len + more));
        if (want > Integer.MAX_VALUE - 16) throw new TreeTooLargeException(Integer.MAX_VALUE - 16);
        buf = Arrays.copyOf(buf, (int) want);
    }

    private static byte[] ascii(String s) { return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII); }
}
