package io.hiq.consumer.ingest;

import io.hiq.consumer.store.StoredTree;
import io.hiq.tree.TreeCodec;
import io.hiq.tree.TreeFacts;
import io.hiq.tree.TreeFormatException;
import io.hiq.tree.TreeLimits;
import java.nio.charset.StandardCharsets;

/**
 * Turns a Kafka record value into a {@link StoredTree} or says, in a {@link TreeFormatException}, why
 * it is not one: {@link TreeFacts#read} validates the B4 shape and schema exactly as {@link TreeCodec}
 * does (same messages) without building the tree model; this adds what the store needs.
 *
 * <ul>
 *   <li>size: at most {@link TreeLimits#MAX_ENCODED_BYTES}, the one limit Jack and OCI publish with;</li>
 *   <li>id, service and every tag: at most {@value #MAX_NAME} characters and no U+0000 — PostgreSQL
 *       text cannot hold that character (SQLSTATE 22021), so such a tree is <b>rejected</b>, not
 *       escaped: an escaped tag would no longer match the tag the application traced. Other control
 *       characters are kept as they are (both stores hold them). Ids of any form are accepted: the
 *       older {@code <hex>-<pid>-<counter>} ids and the 32-hex-character (128-bit) ones;</li>
 *   <li>for {@code time} trees (the ones rolled up), every node's span must be between 0 and
 *       {@link #MAX_SPAN_NS} (366 days): a negative duration or a longer one is a broken clock or a
 *       corrupt record, and one such value would dominate a tag's sum and mean for good. Reasons of
 *       this kind start with {@value #ABSURD} and are counted apart.</li>
 * </ul>
 */
public final class TreeValidator {
    /** Longest id, service or tag accepted (the store's columns hold 512). */
    public static final int MAX_NAME = 256;
    /** Largest record accepted, in bytes: the shared {@link TreeLimits#MAX_ENCODED_BYTES}. */
    public static final int MAX_BYTES = TreeLimits.MAX_ENCODED_BYTES;
    /** Longest span accepted in a {@code time} tree: 366 days, in nanoseconds. */
    public static final long MAX_SPAN_NS = 366L * 24 * 3600 * 1_000_000_000L;
    /** Prefix of the reasons given for absurd values. */
    public static final String ABSURD = "absurd value";

    /**
     * One reusable holder per ingest thread (its tag cache gives repeated tags one string); a
     * holder that grew past {@link #KEEP_NODES} for one huge tree is dropped afterwards.
     */
    private static final ThreadLocal<TreeFacts> HOLDER = ThreadLocal.withInitial(TreeFacts::new);
    private static final int KEEP_NODES = 4096;

    private TreeValidator() {}

    /** Decodes and validates; {@code value} may be null (a tombstone). */
    public static StoredTree validate(byte[] value) throws TreeFormatException {
        if (value == null) throw new TreeFormatException("null value (tombstone)");
        if (value.length == 0) throw new TreeFormatException("empty record");
        if (value.length > MAX_BYTES) throw new TreeFormatException("record of " + value.length + " bytes exceeds " + MAX_BYTES);
        TreeFacts holder = HOLDER.get();
        TreeFacts t;
        try {
            holder.read(value);
            name("id", holder.id());
            name("service", holder.service());
            nodes(holder);
            t = holder.copy(); // the batch keeps it while the holder reads the next record
        } finally {
            if (holder.capacity() > KEEP_NODES) HOLDER.remove();
        }
        // the record's own bytes are stored when there is nothing to trim (the usual case: no copy);
        // a valid record can only be surrounded by JSON's own white space (the parser refuses any
        // other character there), so trimming those bytes is String#strip on the text
        int from = 0;
        int to = value.length;
        while (from < to && jsonSpace(value[from])) from++;
        while (to > from && jsonSpace(value[to - 1])) to--;
        return new StoredTree(t, from == 0 && to == value.length ? value : java.util.Arrays.copyOfRange(value, from, to));
    }

    private static boolean jsonSpace(byte b) { return b == ' ' || b == '\t' || b == '\n' || b == '\r'; }

    /** Whether a dead-letter reason is an absurd value (rather than a malformed record). */
    public static boolean isAbsurd(String reason) { return reason != null && reason.startsWith(ABSURD); }

    /** Every node in pre-order (the order the former tree walk reported the first bad one in); paths only on error. */
    private static void nodes(TreeFacts t) throws TreeFormatException {
        boolean time = "time".equals(t.metric());
        for (int i = 0, n = t.size(); i < n; i++) {
            String problem = nameProblem(t.tag(i));
            if (problem != null) throw new TreeFormatException("field '" + t.path(i) + ".name': " + problem);
            if (time) {
                long span = t.span(i);
                if (span < 0) throw new TreeFormatException(ABSURD + ": field '" + t.path(i) + "': negative duration (" + span + " ns)");
                if (span > MAX_SPAN_NS) throw new TreeFormatException(ABSURD + ": field '" + t.path(i) + "': duration " + span + " ns exceeds " + MAX_SPAN_NS + " ns (366 days)");
            }
        }
    }

    private static void name(String field, String v) throws TreeFormatException {
        String problem = nameProblem(v);
        if (problem != null) throw new TreeFormatException("field '" + field + "': " + problem);
    }

    private static String nameProblem(String v) {
        if (v.length() > MAX_NAME) return "longer than " + MAX_NAME + " characters";
        if (v.indexOf('\0') >= 0) return "contains U+0000, which the store cannot keep";
        return null;
    }
}
