package io.hiq.web;

import io.hiq.core.runtime.HiQRuntime;
import io.hiq.core.spi.TreeSink;
import io.hiq.tree.HiQTree;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * The last N request trees (roots carrying a {@code request_id} extra), newest first, for the
 * {@code /hiq} endpoints. It subscribes itself to whichever HiQ runtime is running when a request
 * arrives ({@link #attach()}), so an app may start and restart HiQ after the web server.
 */
public final class RequestTrees implements TreeSink {
    /** The root extra holding the request id. */
    public static final String REQUEST_ID = "request_id";

    private final int keep;
    private final ArrayDeque<HiQTree> trees;
    private volatile HiQRuntime attachedTo;

    public RequestTrees(int keep) {
        this.keep = keep;
        this.trees = new ArrayDeque<>(Math.min(keep, 1024));
    }

    /** Subscribes to the running runtime if not done yet; cheap when already attached. */
    public void attach() {
        HiQRuntime rt = HiQRuntime.current();
        if (rt == null || rt == attachedTo) return;
        synchronized (this) {
            if (rt == attachedTo) return;
            rt.addTreeSink(this);
            attachedTo = rt;
        }
    }

    @Override
    public void accept(HiQTree tree) {
        // only request trees: other roots (batch jobs, startup) are not the endpoint's business
        if (!tree.root().extra().containsKey(REQUEST_ID)) return;
        synchronized (trees) {
            if (trees.size() == keep) trees.removeLast();
            trees.addFirst(tree);
        }
    }

    /** Kept trees, newest first. */
    public List<HiQTree> list() {
        synchronized (trees) {
            return new ArrayList<>(trees);
        }
    }

    /** The tree whose request id or tree id is {@code id}. */
    public Optional<HiQTree> find(String id) {
        synchronized (trees) {
            for (Iterator<HiQTree> it = trees.iterator(); it.hasNext(); ) {
                HiQTree t = it.next();
                if (id.equals(t.id()) || id.equals(String.valueOf(t.root().extra().get(REQUEST_ID)))) return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    @Override
    public void close() {
        // the runtime is closing: the next one is attached on the next request; trees stay readable
        attachedTo = null;
    }
}
