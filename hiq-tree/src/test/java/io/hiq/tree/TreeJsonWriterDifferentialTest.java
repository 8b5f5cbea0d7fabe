package io.hiq.tree;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The writer (object and view paths, one writer and so one cache of encoded strings for all trees)
 * against Jackson's generator over thousands of random hostile trees: random text of every kind of
 * character (controls, escapes, 2-3-4-byte UTF-8, surrogate pairs, lone and reversed surrogates),
 * strings around the cache's slot size, equal strings of other identities, strings of equal hash,
 * numbers of every magnitude and sign, every optional field and extra type. Jackson escapes each
 * surrogate as {@code &#92;uD8xx}; the writer writes a pair's UTF-8 and a lone one as {@code ?}, so
 * Jackson's text is mapped that way before the comparison (see {@link #asWriterWritesSurrogates}).
 */
class TreeJsonWriterDifferentialTest {
    private static final String[] TAGS = {"order", "price", "AaAa", "BBBB", "AaBB", "db.query", "é", "🟢tag", "tab\tx"};

    @Test
    void writesWhatJacksonWritesForThousandsOfHostileTrees() {
        SplittableRandom r = new SplittableRandom(15);
        TreeJsonWriter w = new TreeJsonWriter(64);
        for (int i = 0; i < 5_000; i++) {
            HiQTree t = tree(r, 1 + r.nextInt(30));
            String expected = asWriterWritesSurrogates(jackson(t));
            int n = w.encode(t);
            assertThat(new String(w.buffer(), 0, n, StandardCharsets.UTF_8)).as("tree %d", i).isEqualTo(expected);
            n = w.encode(new TreeViewTest.FlatView(t), TreeLimits.MAX_ENCODED_BYTES);
            assertThat(new String(w.buffer(), 0, n, StandardCharsets.UTF_8)).as("view of tree %d", i).isEqualTo(expected);
        }
    }

    @Test
    void aTypicalTreeLeavesNoGarbage() {
        HiQTree t = TreeCodecTest.sample();
        TreeViewTest.FlatView v = new TreeViewTest.FlatView(t);
        TreeJsonWriter w = new TreeJsonWriter();
        for (int i = 0; i < 2_000; i++) { // the buffer grows to its size, the cache fills
            w.encode(t, TreeLimits.MAX_ENCODED_BYTES);
            w.encode(v, TreeLimits.MAX_ENCODED_BYTES);
        }
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        long before = mx.getThreadAllocatedBytes(id);
        for (int i = 0; i < 10_000; i++) {
            w.encode(t, TreeLimits.MAX_ENCODED_BYTES);
            w.encode(v, TreeLimits.MAX_ENCODED_BYTES);
        }
        long perTree = (mx.getThreadAllocatedBytes(id) - before) / 20_000;
        assertThat(perTree).as("bytes allocated per encoded tree (goal: at most 64)").isLessThanOrEqualTo(64);
    }

    private static String jackson(HiQTree t) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TreeCodec.encodeWithJackson(t, out);
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Jackson's {@code &#92;uD8xx&#92;uDCxx} as the pair's character, any other escaped surrogate as {@code ?}. */
    static String asWriterWritesSurrogates(String json) {
        StringBuilder b = new StringBuilder(json.length());
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (c != '\\') {
                b.append(c);
                continue;
            }
            char e = json.charAt(i + 1);
            if (e != 'u') { // a two-character escape, copied whole (so that "\\u…" text stays text)
                b.append(c).append(e);
                i++;
                continue;
            }
            char u = (char) Integer.parseInt(json.substring(i + 2, i + 6), 16);
            if (!Character.isSurrogate(u)) {
                b.append(json, i, i + 6);
            } else if (Character.isHighSurrogate(u) && json.startsWith("\\u", i + 6)
                    && Character.isLowSurrogate((char) Integer.parseInt(json.substring(i + 8, i + 12), 16))) {
                b.append(u).append((char) Integer.parseInt(json.substring(i + 8, i + 12), 16));
                i += 6;
            } else {
                b.append('?');
            }
            i += 5;
        }
        return b.toString();
    }

    private static HiQTree tree(SplittableRandom r, int nodes) {
        HiQNode[] all = new HiQNode[nodes];
        for (int i = 0; i < nodes; i++) {
            HiQNode n = HiQNode.of(name(r), number(r), number(r), number(r), number(r));
            int extras = r.nextInt(4) == 0 ? r.nextInt(5) : 0;
            for (int k = 0; k < extras; k++) n.putExtra(name(r), value(r, 0));
            if (r.nextInt(8) == 0) n.putValues(name(r), number(r), number(r)).putValues("memory", number(r), number(r));
            if (i > 0) all[r.nextInt(i)].addChild(n);
            all[i] = n;
        }
        HiQTree.Builder b = HiQTree.builder().id(text(r)).service(name(r)).host(name(r)).pid(number(r))
                .thread(r.nextBoolean() ? name(r) : "worker-" + r.nextInt(1_000_000)).metric(name(r)).unit(name(r))
                .overheadNs(number(r)).dropped(number(r)).truncated(r.nextBoolean()).partial(r.nextBoolean())
                .broken(r.nextBoolean()).root(all[0]);
        if (r.nextBoolean()) b.mode(name(r));
        if (r.nextInt(4) == 0) b.partOf("p" + text(r)); // never empty (refused by the builder)
        return b.build();
    }

    /** What the writer caches: mostly a few repeated tags (in other identities too), sometimes anything. */
    private static String name(SplittableRandom r) {
        return switch (r.nextInt(4)) {
            case 0, 1 -> TAGS[r.nextInt(TAGS.length)];
            case 2 -> new String(TAGS[r.nextInt(TAGS.length)]);
            default -> text(r);
        };
    }

    /** Random text: lengths around the cache's 64-byte slots, characters of every class. */
    static String text(SplittableRandom r) {
        int n = switch (r.nextInt(4)) {
            case 0 -> 0;
            case 1 -> r.nextInt(8);
            case 2 -> 20 + r.nextInt(50);
            default -> r.nextInt(200);
        };
        StringBuilder b = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            switch (r.nextInt(9)) {
                case 0 -> b.append((char) r.nextInt(0x20));                   // control characters
                case 1 -> b.append("\"\\/\u007f".charAt(r.nextInt(4)));
                case 2 -> b.append((char) (0x80 + r.nextInt(0x780)));          // 2-byte UTF-8
                case 3 -> b.append((char) (0x800 + r.nextInt(0xD800 - 0x800))); // 3-byte UTF-8
                case 4 -> b.appendCodePoint(0x10000 + r.nextInt(0x100000));     // a surrogate pair
                case 5 -> b.append((char) (0xD800 + r.nextInt(0x800)));         // a lone (or reversed) surrogate
                case 6 -> b.append((char) (0xE000 + r.nextInt(0x2000)));        // up to U+FFFF
                case 7 -> b.append("\\u00e9");                                 // text that looks like an escape
                default -> b.append((char) (' ' + r.nextInt(95)));              // printable ASCII
            }
        }
        return b.toString();
    }

    static long number(SplittableRandom r) {
        return switch (r.nextInt(6)) {
            case 0 -> r.nextLong() >> r.nextInt(64);
            case 1 -> new long[] {0, -1, Long.MIN_VALUE, Long.MAX_VALUE, 99_999_999, 100_000_000, 9_999_999_999_999_999L,
                    10_000_000_000_000_000L, -100_000_000}[r.nextInt(9)];
            case 2 -> 1_763_805_600_000_000L + r.nextLong(1_000_000_000L); // microseconds since the epoch
            default -> r.nextLong(100_000_000_000_000L);                   // readings
        };
    }

    private static Object value(SplittableRandom r, int depth) {
        return switch (r.nextInt(depth < 2 ? 10 : 8)) {
            case 0 -> null;
            case 1 -> text(r);
            case 2 -> number(r);
            case 3 -> (int) number(r);
            case 4 -> r.nextBoolean();
            case 5 -> new double[] {r.nextDouble() * 1e9, Double.NaN, Double.NEGATIVE_INFINITY, -0.0, 1e300}[r.nextInt(5)];
            case 6 -> name(r);
            case 7 -> (short) r.nextInt();
            case 8 -> {
                Map<String, Object> m = new LinkedHashMap<>();
                for (int k = r.nextInt(3); k > 0; k--) m.put(text(r), value(r, depth + 1));
                yield m;
            }
            default -> {
                List<Object> l = new ArrayList<>();
                for (int k = r.nextInt(3); k > 0; k--) l.add(value(r, depth + 1));
                yield l;
            }
        };
    }
}
