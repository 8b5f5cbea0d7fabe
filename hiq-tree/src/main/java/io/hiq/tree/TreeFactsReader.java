package io.hiq.tree;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The byte-level reader behind {@link TreeFacts#read}: one pass over the record's UTF-8 bytes, no
 * parser object, no token objects, tags through a small cache (one {@code String} per distinct tag).
 *
 * <p>It is deliberately <b>stricter</b> than {@link TreeJsonReader}: it accepts only a record it can
 * prove valid — the strict JSON grammar Jackson applies (no comments, no leading zeros, no unescaped
 * control characters, well-formed escapes, well-formed UTF-8), every required field present with its
 * type, each known field at most once, the kept strings (id, service, metric, tags) without escapes,
 * the kept numbers plain integers of at most 18 digits. Anything else — any error, but also a
 * valid record outside that subset — returns false, and {@link TreeFacts#read} decodes the record
 * with {@link TreeCodec#decode(byte[])}, whose tree or message decides. So this reader never has
 * to reproduce a message, and a record it accepts is one the full decoder accepts with the same
 * values (checked by {@code TreeFactsTest} on random and broken records).
 *
 * <p>Like the full decoder it reads the first JSON value only: bytes after the top-level object's
 * closing brace are not looked at.
 */
final class TreeFactsReader {
    /** Thrown (pre-allocated, no stack) when the record leaves the subset this reader handles. */
    private static final class Unhandled extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Unhandled() { super(null, null, false, false); }
    }

    private static final Unhandled UNHANDLED = new Unhandled();

    /*
     * Limits below which this reader stays, so that it never accepts what Jackson's read constraints
     * (those decode applies) would refuse: a record no longer than the longest string, document or
     * token count allowed; names and numbers far shorter than allowed; structures nested inside
     * extras and unknown fields no deeper than what the deepest node nesting leaves.
     */
    private static final int MAX_SKIP_NESTING;
    private static final int MAX_NAME_BYTES;
    private static final int MAX_NUMBER_CHARS;
    private static final long MAX_RECORD_BYTES;

    static {
        com.fasterxml.jackson.core.StreamReadConstraints c = TreeCodec.readConstraints();
        long record = c.getMaxStringLength();
        if (c.getMaxDocumentLength() > 0) record = Math.min(record, c.getMaxDocumentLength());
        if (c.getMaxTokenCount() > 0) record = Math.min(record, c.getMaxTokenCount());
        MAX_RECORD_BYTES = record;
        MAX_NAME_BYTES = Math.min(1024, c.getMaxNameLength());
        MAX_NUMBER_CHARS = Math.min(100, c.getMaxNumberLength());
        // the top object, then per node level its object and its children array
        MAX_SKIP_NESTING = Math.min(256, c.getMaxNestingDepth() - 2 * (TreeCodec.MAX_DEPTH + 2));
    }

    // top-level fields, as bits
    private static final int SCHEMA = 1, ID = 1 << 1, SERVICE = 1 << 2, HOST = 1 << 3, PID = 1 << 4, THREAD = 1 << 5,
            METRIC = 1 << 6, UNIT = 1 << 7, OVERHEAD = 1 << 8, DROPPED = 1 << 9, MODE = 1 << 10, TRUNCATED = 1 << 11,
            PARTIAL = 1 << 12, BROKEN = 1 << 13, PART_OF = 1 << 14, ROOT = 1 << 15;
    private static final int TOP_REQUIRED = SCHEMA | ID | SERVICE | HOST | PID | THREAD | METRIC | UNIT | OVERHEAD | DROPPED | ROOT;
    private static final byte[][] TOP_NAMES = names("schema", "id", "service", "host", "pid", "thread", "metric", "unit",
            "overhead_ns", "dropped", "mode", "truncated", "partial", "broken", "part_of", "root");

    // node fields, as bits
    private static final int NAME = 1, START = 1 << 1, END = 1 << 2, VALUE_START = 1 << 3, VALUE_END = 1 << 4,
            EXTRA = 1 << 5, VALUES = 1 << 6, CHILDREN = 1 << 7;
    private static final int NODE_REQUIRED = NAME | START | END | VALUE_START | VALUE_END;
    private static final byte[][] NODE_NAMES = names("name", "start", "end", "value_start", "value_end", "extra", "values", "children");

    private static final byte[] SCHEMA_VALUE = HiQTree.SCHEMA.getBytes(StandardCharsets.US_ASCII);

    private static byte[][] names(String... s) {
        byte[][] out = new byte[s.length][];
        for (int i = 0; i < s.length; i++) out[i] = s[i].getBytes(StandardCharsets.US_ASCII);
        return out;
    }

    /** Eight bytes of a record read as one little-endian long (names and digits compared eight at a time). */
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /** A known name followed by its closing quote, as up to two (value, mask) pairs of little-endian longs. */
    private static long[][] patterns(byte[][] names) {
        long[][] out = new long[names.length][];
        for (int i = 0; i < names.length; i++) {
            byte[] q = Arrays.copyOf(names[i], names[i].length + 1);
            q[names[i].length] = '"';
            long[] pat = new long[4];
            for (int k = 0; k < q.length; k++) {
                int word = k / 8 * 2;
                pat[word] |= (q[k] & 0xFFL) << (8 * (k % 8));
                pat[word + 1] |= 0xFFL << (8 * (k % 8));
            }
            out[i] = pat;
        }
        return out;
    }

    private static final long[][] TOP_PATTERNS = patterns(TOP_NAMES);
    private static final long[][] NODE_PATTERNS = patterns(NODE_NAMES);

    long fallbacks;

    private byte[] b;
    private int pos;
    private TreeFacts out;
    /** Bounds of the last string read (after its quotes) and whether it had escapes / non-ASCII bytes. */
    private int strFrom;
    private int strTo;
    private boolean strEscaped;
    private boolean strAscii;
    private int strHash;

    private final StringCache cache = new StringCache();

    /** Reads {@code json} into {@code facts}; false when the full decoder must decide. */
    boolean read(byte[] json, TreeFacts facts) {
        if (json.length > MAX_RECORD_BYTES) return false;
        b = json;
        pos = 0;
        out = facts;
        try {
            return tree();
        } catch (Unhandled | ArrayIndexOutOfBoundsException e) { // running off the end is a cut record
            return false;
        } finally {
            b = null;
            out = null;
        }
    }

    private boolean tree() {
        out.begin();
        ws();
        expect('{');
        ws();
        int seen = 0;
        String id = null;
        String service = null;
        String metric = null;
        boolean partial = false;
        if (b[pos] == '}') return false; // schema missing
        int field = -1;
        while (true) {
            field = fieldName(TOP_NAMES, TOP_PATTERNS, field);
            ws();
            expect(':');
            ws();
            int bit = field < 0 ? 0 : 1 << field;
            if ((seen & bit) != 0) return false; // the full decoder's last-one-wins is left to it
            seen |= bit;
            switch (bit) {
                case SCHEMA -> {
                    keptString();
                    if (strEscaped || !Arrays.equals(b, strFrom, strTo, SCHEMA_VALUE, 0, SCHEMA_VALUE.length)) return false;
                }
                case ID -> id = text(true, false);
                case SERVICE -> service = text(false, true);
                case METRIC -> metric = text(true, true);
                case HOST, THREAD -> skippedString(false);
                case UNIT -> skippedString(true);
                case PID, OVERHEAD, DROPPED -> plainInteger();
                case TRUNCATED, BROKEN -> flag();
                case PARTIAL -> partial = flag();
                case PART_OF -> {
                    if (b[pos] == 'n') literal("null");
                    else skippedString(true);
                }
                case ROOT -> node(0, -1, 0);
                default -> skipValue(0); // mode (any type is accepted) and fields of later versions
            }
            ws();
            byte c = b[pos++];
            if (c == '}') break;
            if (c != ',') return false;
            ws();
        }
        if ((seen & TOP_REQUIRED) != TOP_REQUIRED) return false;
        out.top(id, service, metric, partial);
        return true;
    }

    /** One node object at {@code depth}; its slot is taken before its children's (pre-order). */
    private void node(int depth, int parent, int index) {
        if (depth > TreeCodec.MAX_DEPTH) throw UNHANDLED;
        expect('{');
        int me = out.add(parent, index);
        ws();
        if (b[pos] == '}') throw UNHANDLED; // name missing
        int seen = 0;
        String name = null;
        long start = 0, end = 0, valueStart = 0, valueEnd = 0;
        int field = -1;
        while (true) {
            field = fieldName(NODE_NAMES, NODE_PATTERNS, field);
            ws();
            expect(':');
            ws();
            int bit = field < 0 ? 0 : 1 << field;
            if ((seen & bit) != 0) throw UNHANDLED;
            seen |= bit;
            switch (bit) {
                case NAME -> name = text(true, true);
                case START -> start = plainInteger();
                case END -> end = plainInteger();
                case VALUE_START -> valueStart = plainInteger();
                case VALUE_END -> valueEnd = plainInteger();
                case EXTRA -> {
                    if (b[pos] == 'n') literal("null");
                    else if (b[pos] == '{') skipValue(0);
                    else throw UNHANDLED;
                }
                case VALUES -> values();
                case CHILDREN -> children(depth, me);
                default -> skipValue(0);
            }
            ws();
            byte c = b[pos++];
            if (c == '}') break;
            if (c != ',') throw UNHANDLED;
            ws();
        }
        if ((seen & NODE_REQUIRED) != NODE_REQUIRED) throw UNHANDLED;
        out.set(me, name, start, valueEnd - valueStart);
        if (me == 0) out.rootEnd(end);
    }

    private void children(int depth, int me) {
        if (b[pos] == 'n') {
            literal("null");
            return;
        }
        expect('[');
        ws();
        if (b[pos] == ']') {
            pos++;
            return;
        }
        for (int i = 0; ; i++) {
            node(depth + 1, me, i);
            ws();
            byte c = b[pos++];
            if (c == ']') return;
            if (c != ',') throw UNHANDLED;
            ws();
        }
    }

    /** {@code values}: null, or an object whose every value is an array of exactly two numbers. */
    private void values() {
        if (b[pos] == 'n') {
            literal("null");
            return;
        }
        expect('{');
        ws();
        if (b[pos] == '}') {
            pos++;
            return;
        }
        while (true) {
            memberName();
            ws();
            expect(':');
            ws();
            expect('[');
            ws();
            skipNumber();
            ws();
            expect(',');
            ws();
            skipNumber();
            ws();
            expect(']');
            ws();
            byte c = b[pos++];
            if (c == '}') return;
            if (c != ',') throw UNHANDLED;
            ws();
        }
    }

    /**
     * The index in {@code names} of the field name at pos (a string), or -1 for another name. The
     * field after {@code last} is tried first: records written by {@link TreeJsonWriter} have their
     * fields in one order, so a name is usually recognised by one comparison of its raw bytes (a
     * known name has no escapes, so raw bytes equal to it followed by a quote are that name).
     */
    private int fieldName(byte[][] names, long[][] patterns, int last) {
        expect('"');
        int next = last + 1;
        if (next < names.length && rawName(names[next], patterns[next])) return next;
        for (int i = 0; i < names.length; i++) if (i != next && rawName(names[i], patterns[i])) return i;
        int from = pos;
        skipStringBody();
        if (pos - 1 - from > MAX_NAME_BYTES) throw UNHANDLED;
        // an escaped name might spell a known one; the full decoder decides
        if (strEscaped) throw UNHANDLED;
        return -1;
    }

    /** Whether the bytes at pos are {@code name} and a closing quote; if so, skips them. */
    private boolean rawName(byte[] name, long[] pattern) {
        byte[] b = this.b;
        int p = pos;
        int n = name.length;
        if (p + 16 <= b.length) { // name and quote are at most 12 bytes: two words
            if ((((long) LONG.get(b, p)) & pattern[1]) != pattern[0]) return false;
            if (n >= 8 && (((long) LONG.get(b, p + 8)) & pattern[3]) != pattern[2]) return false;
        } else {
            if (p + n >= b.length || b[p + n] != '"') return false;
            for (int i = 0; i < n; i++) if (b[p + i] != name[i]) return false;
        }
        pos = p + n + 1;
        return true;
    }

    /** A member name that is not kept (extras, values): checked, and not longer than Jackson accepts. */
    private void memberName() {
        expect('"');
        int from = pos;
        skipStringBody();
        if (pos - 1 - from > MAX_NAME_BYTES) throw UNHANDLED;
    }

    /** A string kept as a {@code String}: no escapes (else the full decoder decides); non-empty when required. */
    private String text(boolean nonEmpty, boolean cached) {
        keptString();
        if (strEscaped) throw UNHANDLED;
        int len = strTo - strFrom;
        if (nonEmpty && len == 0) throw UNHANDLED;
        if (cached) return cache.get(b, strFrom, len, strHash, strAscii);
        return new String(b, strFrom, len, strAscii ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
    }

    private void keptString() {
        expect('"');
        strFrom = pos;
        skipStringBody();
        strTo = pos - 1;
    }

    private void skippedString(boolean nonEmpty) {
        expect('"');
        int from = pos;
        skipStringBody();
        if (nonEmpty && pos - 1 == from) throw UNHANDLED;
    }

    /**
     * Skips a string's body from after its opening quote to after its closing one, checking it as
     * Jackson does (escapes, no raw control character) and its UTF-8 strictly. Sets strEscaped,
     * strAscii and strHash.
     */
    private void skipStringBody() {
        byte[] b = this.b;
        int p = pos;
        int h = 0;
        boolean escaped = false;
        boolean ascii = true;
        while (true) {
            int c = b[p++];
            if (c == '"') break;
            if (c >= 0x20 && c != '\\') { // plain ASCII (negative bytes are non-ASCII)
                h = 31 * h + c;
                continue;
            }
            if (c == '\\') {
                escaped = true;
                int e = b[p++];
                switch (e) {
                    case '"', '\\', '/', 'b', 'f', 'n', 'r', 't' -> { }
                    case 'u' -> {
                        for (int k = 0; k < 4; k++) if (Character.digit(b[p++], 16) < 0) throw UNHANDLED;
                    }
                    default -> throw UNHANDLED;
                }
                continue;
            }
            if (c >= 0) throw UNHANDLED; // a raw control character
            ascii = false;
            h = 31 * h + c;
            p = utf8(b, p, c & 0xFF);
        }
        pos = p;
        strEscaped = escaped;
        strAscii = ascii;
        strHash = h;
    }

    /** Checks one multi-byte UTF-8 sequence whose lead byte {@code c} was at {@code p - 1}; returns the position after it. */
    private static int utf8(byte[] b, int p, int c) {
        int n;
        int lo = 0x80, hi = 0xBF; // allowed range of the second byte
        if (c >= 0xC2 && c <= 0xDF) n = 1;
        else if (c >= 0xE0 && c <= 0xEF) {
            n = 2;
            if (c == 0xE0) lo = 0xA0;      // overlong
            else if (c == 0xED) hi = 0x9F; // surrogates
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3;
            if (c == 0xF0) lo = 0x90;      // overlong
            else if (c == 0xF4) hi = 0x8F; // beyond U+10FFFF
        } else throw UNHANDLED;
        int second = b[p] & 0xFF;
        if (second < lo || second > hi) throw UNHANDLED;
        for (int k = 1; k < n; k++) if ((b[p + k] & 0xC0) != 0x80) throw UNHANDLED;
        return p + n;
    }

    /** A JSON integer of at most 18 digits (so it fits a long), with a delimiter after it. */
    private long plainInteger() {
        byte[] b = this.b;
        int p = pos;
        boolean negative = b[p] == '-';
        if (negative) p++;
        int from = p;
        long v = 0;
        // eight digits at a time while there are eight (timestamps have 16); overflow past 18 digits is refused below
        while (p + 8 <= b.length) {
            long w = (long) LONG.get(b, p);
            if (!eightDigits(w)) break;
            v = v * 100_000_000L + eightDigitsValue(w);
            p += 8;
        }
        int c;
        while ((c = b[p]) >= '0' && c <= '9') {
            v = v * 10 + (c - '0');
            p++;
        }
        int digits = p - from;
        if (digits == 0 || digits > 18 || (digits > 1 && b[from] == '0')) throw UNHANDLED;
        if (c == '.' || c == 'e' || c == 'E') throw UNHANDLED; // fractions are the full decoder's
        pos = p;
        afterScalar();
        return negative ? -v : v;
    }

    /** Whether all eight bytes of {@code w} are ASCII digits. */
    private static boolean eightDigits(long w) {
        return ((w & 0xF0F0F0F0F0F0F0F0L) | (((w + 0x0606060606060606L) & 0xF0F0F0F0F0F0F0F0L) >>> 4)) == 0x3333333333333333L;
    }

    /** The value of eight ASCII digits read little-endian (the first digit in the lowest byte). */
    private static long eightDigitsValue(long w) {
        w -= 0x3030303030303030L;
        w = w * 10 + (w >>> 8);
        return (((w & 0x000000FF000000FFL) * (100 + (1_000_000L << 32))) + (((w >>> 16) & 0x000000FF000000FFL) * (1 + (10_000L << 32)))) >>> 32;
    }

    /** Any JSON number (strict grammar), not kept. */
    private void skipNumber() {
        int p = pos;
        if (b[p] == '-') p++;
        int from = p;
        while (b[p] >= '0' && b[p] <= '9') p++;
        if (p == from || (p - from > 1 && b[from] == '0')) throw UNHANDLED;
        if (b[p] == '.') {
            int f = ++p;
            while (b[p] >= '0' && b[p] <= '9') p++;
            if (p == f) throw UNHANDLED;
        }
        if (b[p] == 'e' || b[p] == 'E') {
            p++;
            if (b[p] == '+' || b[p] == '-') p++;
            int f = p;
            while (b[p] >= '0' && b[p] <= '9') p++;
            if (p == f) throw UNHANDLED;
        }
        if (p - pos > MAX_NUMBER_CHARS) throw UNHANDLED;
        pos = p;
        afterScalar();
    }

    /** After a number or literal, JSON needs a delimiter (Jackson rejects {@code 12x} or {@code truex}). */
    private void afterScalar() {
        byte c = b[pos];
        if (c != ',' && c != '}' && c != ']' && c != ' ' && c != '\n' && c != '\r' && c != '\t') throw UNHANDLED;
    }

    /** true, false (a flag) or null (false). */
    private boolean flag() {
        byte c = b[pos];
        if (c == 't') {
            literal("true");
            return true;
        }
        if (c == 'f') literal("false");
        else literal("null");
        return false;
    }

    private void literal(String word) {
        for (int i = 0; i < word.length(); i++) if (b[pos++] != word.charAt(i)) throw UNHANDLED;
        afterScalar();
    }

    /** Any JSON value, checked and not kept. */
    private void skipValue(int nesting) {
        byte c = b[pos];
        switch (c) {
            case '"' -> {
                pos++;
                skipStringBody();
            }
            case '{' -> {
                if (nesting >= MAX_SKIP_NESTING) throw UNHANDLED;
                pos++;
                ws();
                if (b[pos] == '}') {
                    pos++;
                    return;
                }
                while (true) {
                    memberName();
                    ws();
                    expect(':');
                    ws();
                    skipValue(nesting + 1);
                    ws();
                    byte d = b[pos++];
                    if (d == '}') return;
                    if (d != ',') throw UNHANDLED;
                    ws();
                }
            }
            case '[' -> {
                if (nesting >= MAX_SKIP_NESTING) throw UNHANDLED;
                pos++;
                ws();
                if (b[pos] == ']') {
                    pos++;
                    return;
                }
                while (true) {
                    skipValue(nesting + 1);
                    ws();
                    byte d = b[pos++];
                    if (d == ']') return;
                    if (d != ',') throw UNHANDLED;
                    ws();
                }
            }
            case 't' -> literal("true");
            case 'f' -> literal("false");
            case 'n' -> literal("null");
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) skipNumber();
                else throw UNHANDLED;
            }
        }
    }

    private void expect(char c) {
        if (b[pos] != c) throw UNHANDLED;
        pos++;
    }

    /** JSON whitespace: space, tab, line feed, carriage return. */
    private void ws() {
        byte[] b = this.b;
        int p = pos;
        byte c = b[p];
        if (c > ' ') return; // the usual case: no whitespace at all
        while (c == ' ' || c == '\n' || c == '\r' || c == '\t') c = b[++p];
        pos = p;
    }

    /**
     * One {@code String} per distinct short byte sequence (tags, services, metrics): a fixed table,
     * a new entry replacing an old one that shares its slot, so it never grows.
     */
    static final class StringCache {
        private static final int SLOTS = 1024;
        private static final int MAX_BYTES = 128;
        private final byte[][] keys = new byte[SLOTS][];
        private final String[] values = new String[SLOTS];

        String get(byte[] b, int from, int len, int hash, boolean ascii) {
            if (len > MAX_BYTES) return decode(b, from, len, ascii);
            int h = hash ^ (hash >>> 16);
            for (int probe = 0; probe < 4; probe++) {
                int slot = (h + probe) & (SLOTS - 1);
                byte[] k = keys[slot];
                if (k == null) return put(slot, b, from, len, ascii);
                if (k.length == len && Arrays.equals(k, 0, len, b, from, from + len)) return values[slot];
            }
            return put(h & (SLOTS - 1), b, from, len, ascii);
        }

        private String put(int slot, byte[] b, int from, int len, boolean ascii) {
            String s = decode(b, from, len, ascii);
            keys[slot] = Arrays.copyOfRange(b, from, from + len);
            values[slot] = s;
            return s;
        }

        private static String decode(byte[] b, int from, int len, boolean ascii) {
            return new String(b, from, len, ascii ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
        }
    }
}
