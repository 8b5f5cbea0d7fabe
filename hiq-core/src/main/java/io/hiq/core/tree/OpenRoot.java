package io.hiq.core.tree;

import io.hiq.tree.HiQNode;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * One application thread's unfinished root (or a finished one waiting for its async tasks), as the
 * {@link TreeAssembler} holds it: the stack of open calls, how many nodes the tree holds, and the
 * counted summaries of calls folded beyond the node cap.
 *
 * <p>The stack is kept in parallel arrays (no object per frame) because a folded call must still be
 * matched with its exit and timed, and a long-lived root can make millions of them. A frame whose
 * node is null is folded: its calls are counted into {@code targets[d]}, the nearest kept ancestor.
 *
 * <p>Two forms. While {@link #flat} is set (the common case) the tree lives in a reusable
 * {@link FlatTree} and frame {@code d} is node {@code flatIndex[d]} of it: no object per node.
 * {@link #toObjects()} turns it into {@link HiQNode}s for what only the object form does (folding
 * past the node cap, partial trees, async grafting); that root then finishes as objects. A root in
 * the flat form is reset and reused by the assembler after its tree was delivered.
 */
final class OpenRoot {
    HiQNode[] nodes = new HiQNode[16];
    HiQNode[] targets = new HiQNode[16];
    int[] tagIds = new int[16];
    long[] startValues = new long[16];
    /** The flat form's node of each frame. */
    int[] flatIndex = new int[16];
    /** The tree in arrays, or null when this root is held as {@link HiQNode}s. */
    FlatTree flat;
    /** Open frames. */
    int depth;
    HiQNode root;
    /** Nodes this tree holds in memory (the root included); capped by {@link AssemblyLimits#maxNodes()}. */
    int held;
    /** Records received for this tree; {@code recordsReported} of them were charged to partial trees. */
    long records;
    long recordsReported;
    /** Tasks forked from this tree that have not finished yet. */
    int pending;
    long threadId;
    String threadName;
    long holdUntilNanos;
    /** {@link System#nanoTime()} of the root's start on the assembler, then of its last partial tree. */
    long lastEmitNanos;
    /** The latest record's time reading and first-metric value: where a broken tree is closed. */
    long lastNanos;
    long lastValue;
    boolean broken;
    /** An UNWIND said the next EXIT closes a call this root does not hold open. */
    boolean skipExit;
    boolean truncated;
    /** Gaps in this root (a full ring, docs/FORMATS.md §1.6): how many, and the calls and records they skipped. */
    long gaps, gapCalls, gapRecords;
    /** The final tree's id, chosen when the first partial tree names it in {@code part_of}. */
    String id;
    /** Calls folded beyond the cap, per kept node, per tag; null until the first. */
    Map<HiQNode, Map<String, FoldedCalls>> folded;
    private HiQNode lastFoldTarget;
    private String lastFoldTag;
    private FoldedCalls lastFold;

    /** Pushes a frame; {@code node} null means folded. */
    void push(HiQNode node, int tagId, long startValue) {
        if (depth == nodes.length) {
            int n = depth * 2;
            nodes = Arrays.copyOf(nodes, n);
            targets = Arrays.copyOf(targets, n);
            tagIds = Arrays.copyOf(tagIds, n);
            startValues = Arrays.copyOf(startValues, n);
            flatIndex = Arrays.copyOf(flatIndex, n);
        }
        nodes[depth] = node;
        targets[depth] = node != null ? node : targets[depth - 1];
        tagIds[depth] = tagId;
        startValues[depth] = startValue;
        depth++;
    }

    /** Pushes a frame of the flat form: node {@code index} of {@link #flat}. */
    void pushFlat(int index, int tagId, long startValue) {
        if (depth == nodes.length) push(null, tagId, startValue); // grows the arrays (depth > 0 here)
        else depth++;
        int d = depth - 1;
        flatIndex[d] = index;
        tagIds[d] = tagId;
        startValues[d] = startValue;
    }

    /** The flat form's node calls go under (flat form, depth > 0). */
    int flatTop() { return flatIndex[depth - 1]; }

    /**
     * Turns the flat form into {@link HiQNode}s (root, open frames as kept nodes); the caller takes
     * the {@link FlatTree} back for reuse. Returns it.
     */
    FlatTree toObjects() {
        FlatTree f = flat;
        HiQNode[] made = f.materialise();
        root = made.length > 0 ? made[0] : null;
        for (int d = 0; d < depth; d++) {
            nodes[d] = made[flatIndex[d]];
            targets[d] = nodes[d];
        }
        flat = null;
        return f;
    }

    /** Makes this (flat, delivered) root ready for the next root of any thread. */
    void reset(FlatTree f) {
        depth = 0;
        root = null;
        held = 0;
        records = 0;
        recordsReported = 0;
        pending = 0;
        threadName = null;
        holdUntilNanos = 0;
        lastEmitNanos = 0;
        lastNanos = 0;
        lastValue = 0;
        broken = false;
        skipExit = false;
        truncated = false;
        gaps = 0;
        gapCalls = 0;
        gapRecords = 0;
        id = null;
        folded = null;
        lastFoldTarget = null;
        lastFoldTag = null;
        lastFold = null;
        flat = f;
    }

    /** The open node calls go under: the top frame's node, or the kept ancestor of a folded top. */
    HiQNode top() { return targets[depth - 1]; }

    /** Whether the top frame is folded. */
    boolean topFolded() { return flat == null && nodes[depth - 1] == null; }

    /** The index of the innermost open frame of {@code tagId}, or -1. */
    int innermost(int tagId) {
        for (int d = depth - 1; d >= 0; d--) if (tagIds[d] == tagId) return d;
        return -1;
    }

    /** Counts one folded call of {@code tag} into {@code target}. */
    void fold(HiQNode target, String tag, long span) {
        FoldedCalls f;
        if (target == lastFoldTarget && tag.equals(lastFoldTag)) {
            f = lastFold;
        } else {
            if (folded == null) folded = new IdentityHashMap<>();
            f = folded.computeIfAbsent(target, k -> new HashMap<>(4)).computeIfAbsent(tag, k -> new FoldedCalls());
            lastFoldTarget = target;
            lastFoldTag = tag;
            lastFold = f;
        }
        f.add(span);
    }

    /**
     * Writes the summaries of the nodes in {@code subtree} into their extra ({@code folded}) and
     * forgets them; returns whether there were any.
     */
    boolean writeFolded(HiQNode subtree) {
        if (folded == null || folded.isEmpty()) return false;
        boolean any = writeFoldedWalk(subtree);
        lastFoldTarget = null;
        lastFold = null;
        return any;
    }

    private boolean writeFoldedWalk(HiQNode n) {
        boolean any = false;
        Map<String, FoldedCalls> byTag = folded.remove(n);
        if (byTag != null) {
            Map<String, Object> extra = new java.util.TreeMap<>();
            byTag.forEach((tag, f) -> extra.put(tag, f.toExtra()));
            n.putExtra("folded", extra);
            any = true;
        }
        if (!n.isLeaf()) for (HiQNode c : n.children()) any |= writeFoldedWalk(c);
        return any;
    }
}
