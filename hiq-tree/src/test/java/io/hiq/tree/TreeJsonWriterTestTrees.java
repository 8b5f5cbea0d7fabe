package io.hiq.tree;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Random trees with hostile strings, every value type and every optional field, for the codec tests. */
final class TreeJsonWriterTestTrees {
    private TreeJsonWriterTestTrees() {}

    /** Strings chosen to hit every branch: escapes, control characters, 2-, 3- and 4-byte UTF-8. */
    static final String[] NASTY = {
            "", "plain", "quote\"back\\slash", "nl\nret\rtab\tbs\bff\f", "\u0000\u0001\u001f\u007f",
            "é ü ß", "漢字", "emoji 🟢 🙈", "</script><b>x</b>", "\u2028\u2029", "a/b",
    };

    static HiQTree random(SplittableRandom r, int nodes) {
        long t = 1_700_000_000_000_000L + r.nextLong(1_000_000_000L);
        HiQNode root = HiQNode.of(pick(r), t, t + r.nextLong(1_000_000), r.nextLong(), r.nextLong());
        HiQNode[] all = new HiQNode[nodes];
        all[0] = root;
        for (int i = 1; i < nodes; i++) {
            HiQNode n = HiQNode.of("n" + i, t + i, t + i + r.nextInt(1000), -r.nextLong(1_000_000), r.nextLong());
            if (r.nextInt(3) == 0) n.putExtra(pick(r), pick(r));
            if (r.nextInt(5) == 0) n.putExtra("num", r.nextLong()).putExtra("int", r.nextInt()).putExtra("dbl", r.nextDouble() * 1e9)
                    .putExtra("bool", r.nextBoolean()).putExtra("nul", null).putExtra("nan", Double.NaN)
                    .putExtra("map", Map.of("k", pick(r))).putExtra("list", List.of(1L, pick(r), true));
            if (r.nextInt(7) == 0) n.putValues("time", 1, 2).putValues("memory", r.nextLong(), Long.MIN_VALUE);
            all[r.nextInt(i)].addChild(n);
            all[i] = n;
        }
        HiQTree.Builder b = HiQTree.builder().id(Long.toHexString(r.nextLong())).service(pick(r)).host(pick(r))
                .pid(r.nextInt(1 << 22)).thread(pick(r)).metric("time").unit("ns").overheadNs(r.nextLong(100_000))
                .dropped(r.nextInt(3)).truncated(r.nextBoolean()).partial(r.nextBoolean()).broken(r.nextBoolean()).root(root);
        if (r.nextBoolean()) b.mode("concise");
        if (r.nextInt(4) == 0) b.partOf(Long.toHexString(r.nextLong()) + pick(r));
        return b.build();
    }

    private static String pick(SplittableRandom r) { return NASTY[r.nextInt(NASTY.length)] + r.nextInt(100); }

}
