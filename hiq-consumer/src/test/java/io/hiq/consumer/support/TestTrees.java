package io.hiq.consumer.support;

import io.hiq.tree.HiQNode;
import io.hiq.tree.HiQTree;
import io.hiq.tree.TreeCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/** Builds random but reproducible trees and the exact statistics the consumer must report for them. */
public final class TestTrees {
    private TestTrees() {}

    /**
     * A tree of 1–6 nodes with tags drawn from {@code tags}, spans of 1 µs – 200 ms, started within the
     * {@code minutes} minutes before {@code nowUs}.
     */
    public static HiQTree random(Random rnd, String id, String service, List<String> tags, long nowUs, int minutes) {
        long startUs = nowUs - (long) (rnd.nextDouble() * minutes * 60_000_000L);
        long rootSpanNs = 1_000L + (long) (rnd.nextDouble() * 200_000_000L);
        long anchorNs = Math.abs(rnd.nextLong() % 1_000_000_000_000L);
        HiQNode root = HiQNode.of(tags.get(rnd.nextInt(tags.size())), startUs, startUs + rootSpanNs / 1000,
                anchorNs, anchorNs + rootSpanNs);
        int children = rnd.nextInt(6);
        long cursorNs = anchorNs;
        for (int i = 0; i < children && cursorNs < anchorNs + rootSpanNs; i++) {
            long left = anchorNs + rootSpanNs - cursorNs;
            long span = 1 + (long) (rnd.nextDouble() * left / 2);
            long cStartUs = startUs + (cursorNs - anchorNs) / 1000;
            HiQNode c = HiQNode.of(tags.get(rnd.nextInt(tags.size())), cStartUs, cStartUs + span / 1000, cursorNs, cursorNs + span);
            if (rnd.nextInt(4) == 0) {
                c.addChild(HiQNode.of(tags.get(rnd.nextInt(tags.size())), cStartUs, cStartUs + span / 2000, cursorNs, cursorNs + span / 2));
            }
            root.addChild(c);
            cursorNs += span;
        }
        return HiQTree.builder().id(id).service(service).host("test-host").pid(4242).thread("main")
                .overheadNs(1234).mode("verbose").root(root).build();
    }

    /** The B4 bytes of a tree. */
    public static byte[] bytes(HiQTree t) { return TreeCodec.encode(t); }

    /** Every node's span (ns) per tag, over all trees (what /api/stats aggregates). */
    public static Map<String, List<Long>> spansByTag(Iterable<HiQTree> trees) {
        Map<String, List<Long>> out = new TreeMap<>();
        for (HiQTree t : trees) collect(t.root(), out);
        return out;
    }

    private static void collect(HiQNode n, Map<String, List<Long>> out) {
        out.computeIfAbsent(n.name(), k -> new ArrayList<>()).add(n.span());
        for (HiQNode c : n.children()) collect(c, out);
    }

    /** Count per tag. */
    public static Map<String, Long> countsByTag(Iterable<HiQTree> trees) {
        Map<String, Long> out = new TreeMap<>();
        spansByTag(trees).forEach((k, v) -> out.put(k, (long) v.size()));
        return out;
    }
}
