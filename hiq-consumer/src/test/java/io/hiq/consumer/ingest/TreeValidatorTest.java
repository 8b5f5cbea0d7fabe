package io.hiq.consumer.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.hiq.consumer.store.StoredTree;
import io.hiq.tree.HiQNode;
import io.hiq.tree.HiQTree;
import io.hiq.tree.TreeCodec;
import io.hiq.tree.TreeFacts;
import io.hiq.tree.TreeFormatException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link TreeValidator#validate} (flat {@link TreeFacts}, no tree model) against the validator it
 * replaced (kept below as {@link #former}: {@code TreeCodec.decode}, then a walk of the model): on
 * valid trees and on trees with overlong or U+0000 names, negative or absurd spans at every depth,
 * other metrics, partial roots, padding and cut records, the same facts or the same reason.
 */
class TreeValidatorTest {
    /** The former validator, verbatim but for returning the facts of the model. */
    private static String former(byte[] value) {
        try {
            if (value == null) throw new TreeFormatException("null value (tombstone)");
            if (value.length == 0) throw new TreeFormatException("empty record");
            if (value.length > TreeValidator.MAX_BYTES) throw new TreeFormatException("record of " + value.length + " bytes exceeds " + TreeValidator.MAX_BYTES);
            HiQTree t = TreeCodec.decode(value);
            name("id", t.id());
            name("service", t.service());
            nodes(t.root(), "root", "time".equals(t.metric()));
            return TreeFacts.of(t) + " " + new String(value, StandardCharsets.UTF_8).strip();
        } catch (TreeFormatException e) {
            return "error: " + e.getMessage();
        }
    }

    private static void nodes(HiQNode n, String path, boolean time) throws TreeFormatException {
        name(path + ".name", n.name());
        if (time) {
            long span = n.span();
            if (span < 0) throw new TreeFormatException(TreeValidator.ABSURD + ": field '" + path + "': negative duration (" + span + " ns)");
            if (span > TreeValidator.MAX_SPAN_NS) throw new TreeFormatException(TreeValidator.ABSURD + ": field '" + path + "': duration " + span + " ns exceeds " + TreeValidator.MAX_SPAN_NS + " ns (366 days)");
        }
        int i = 0;
        for (HiQNode c : n.children()) nodes(c, path + ".children[" + i++ + "]", time);
    }

    private static void name(String field, String v) throws TreeFormatException {
        if (v.length() > TreeValidator.MAX_NAME) throw new TreeFormatException("field '" + field + "': longer than " + TreeValidator.MAX_NAME + " characters");
        if (v.indexOf('\0') >= 0) throw new TreeFormatException("field '" + field + "': contains U+0000, which the store cannot keep");
    }

    private static String current(byte[] value) {
        try {
            StoredTree st = TreeValidator.validate(value);
            assertThat(st.utf8()).isEqualTo(st.json().getBytes(StandardCharsets.UTF_8));
            return st.facts() + " " + st.json();
        } catch (TreeFormatException e) {
            return "error: " + e.getMessage();
        }
    }

    private static void assertSame(byte[] value, String what) {
        assertThat(current(value)).as(what).isEqualTo(former(value));
    }

    private static String name(SplittableRandom r) {
        return switch (r.nextInt(12)) {
            case 0 -> "t".repeat(TreeValidator.MAX_NAME + r.nextInt(3) - 1);     // 255, 256, 257 characters
            case 1 -> "漢".repeat(TreeValidator.MAX_NAME + r.nextInt(3) - 1);    // the limit is in characters, not bytes
            case 2 -> "🟢".repeat(TreeValidator.MAX_NAME / 2 + r.nextInt(3) - 1); // two chars each
            case 3 -> "a\u0000b";
            default -> "tag" + r.nextInt(6);
        };
    }

    private static long span(SplittableRandom r) {
        return switch (r.nextInt(15)) {
            case 0 -> -1 - r.nextLong(1_000);
            case 1 -> TreeValidator.MAX_SPAN_NS + r.nextInt(2);
            case 2 -> 0;
            default -> r.nextLong(1_000_000_000L);
        };
    }

    private static HiQTree tree(SplittableRandom r, int nodes, boolean bad) {
        long t = 1_700_000_000_000_000L + r.nextLong(1_000_000_000L);
        List<HiQNode> all = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            String tag = bad && r.nextInt(nodes * 2) == 0 ? name(r) : "tag" + r.nextInt(6);
            long span = bad && r.nextInt(nodes * 2) == 0 ? span(r) : r.nextLong(1_000_000_000L);
            long vs = r.nextLong(1_000_000);
            HiQNode n = HiQNode.of(tag, t + i * 70_000_000L * r.nextInt(2), t + i + r.nextInt(1000) - (r.nextInt(10) == 0 ? 5_000 : 0), vs, vs + span);
            if (i > 0) all.get(r.nextInt(i)).addChild(n);
            all.add(n);
        }
        return HiQTree.builder().id(bad && r.nextInt(8) == 0 ? name(r) : Long.toHexString(r.nextLong()))
                .service(bad && r.nextInt(8) == 0 ? name(r) : "svc" + r.nextInt(3)).host("h").pid(1).thread("main")
                .metric(r.nextInt(4) == 0 ? "memory" : "time").unit("ns").partial(r.nextBoolean()).root(all.get(0)).build();
    }

    @Test
    void validatesAsTheFormerValidatorDid() {
        SplittableRandom r = new SplittableRandom(5);
        int rejected = 0;
        for (int i = 0; i < 5_000; i++) {
            byte[] json = TreeCodec.encode(tree(r, 1 + r.nextInt(12), i % 2 == 1));
            if (r.nextInt(10) == 0) json = ((r.nextBoolean() ? "  " : "\t\r\n ") + new String(json, StandardCharsets.UTF_8) + (r.nextBoolean() ? "\n" : " \r\n\t")).getBytes(StandardCharsets.UTF_8);
            if (r.nextInt(20) == 0) json = java.util.Arrays.copyOf(json, r.nextInt(json.length));
            assertSame(json, "record " + i);
            if (former(json).startsWith("error")) rejected++;
        }
        assertThat(rejected).as("records rejected").isBetween(500, 3_000);
        assertSame(null, "tombstone");
        assertSame(new byte[0], "empty");
        assertSame(new byte[TreeValidator.MAX_BYTES + 1], "too large");
    }
}
