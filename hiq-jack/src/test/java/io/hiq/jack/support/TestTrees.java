package io.hiq.jack.support;

import io.hiq.tree.HiQNode;
import io.hiq.tree.HiQTree;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Real HiQ trees of a few nodes each, with unique ids. */
public final class TestTrees {
    private TestTrees() {}

    public static List<HiQTree> trees(int n) {
        String run = UUID.randomUUID().toString().substring(0, 8);
        List<HiQTree> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) out.add(tree(run + "-" + i, 3, 0));
        return out;
    }

    /** A tree whose root has {@code children} leaves and an extra value of {@code padding} characters. */
    public static HiQTree tree(String id, int children, int padding) {
        long t0 = 1_700_000_000_000_000L + id.hashCode() % 1000;
        HiQNode root = new HiQNode("main", t0, 0);
        for (int c = 0; c < children; c++) {
            HiQNode leaf = HiQNode.of("work" + c, t0 + 10 * c, t0 + 10 * c + 7, 1000L * c, 1000L * c + 7000);
            if (c == 1) leaf.putExtra("exception", "java.lang.IllegalStateException: boom " + id);
            root.addChild(leaf);
        }
        if (padding > 0) root.putExtra("blob", "x".repeat(padding));
        root.close(t0 + 100, 100_000);
        return HiQTree.builder().id(id).service("jack-test").host("localhost").pid(42).thread("main")
                .mode("concise").overheadNs(123).root(root).build();
    }
}
