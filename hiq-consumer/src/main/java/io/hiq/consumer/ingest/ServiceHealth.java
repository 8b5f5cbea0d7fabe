package io.hiq.consumer.ingest;

import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.StringJoiner;

/**
 * What is wrong with the service right now, for {@code /health}: one entry per failing part (store,
 * Kafka, dead-letter file) with its consecutive failures, since when, and the last error (short,
 * credentials masked). A part is healthy again at its next success. The store is reported DOWN only
 * after {@code storeDownAfter} consecutive failures (one failed transaction, e.g. a lock conflict,
 * is not an outage); Kafka and the dead-letter file at their first failure, since theirs are only
 * reported after the client's own retries gave up.
 */
public final class ServiceHealth {
    /** The parts whose faults are tracked. */
    public enum Part {
        STORE("store"), KAFKA("kafka"), DEAD_LETTERS("dead-letter file");

        private final String label;

        Part(String label) { this.label = label; }

        /** How the part is named in a reason. */
        public String label() { return label; }
    }

    private record Problem(int consecutive, Instant since, String last) {}

    private final int storeDownAfter;
    private final Map<Part, Problem> problems = new EnumMap<>(Part.class);

    /** @param storeDownAfter consecutive store failures before the service reports DOWN (≥ 1) */
    public ServiceHealth(int storeDownAfter) { this.storeDownAfter = Math.max(1, storeDownAfter); }

    /** Records a failure of {@code part}. */
    public synchronized void failed(Part part, String description) {
        Problem p = problems.get(part);
        problems.put(part, new Problem(p == null ? 1 : p.consecutive() + 1, p == null ? Instant.now() : p.since(), description));
    }

    /** Records a success of {@code part}: it is healthy again. */
    public synchronized void ok(Part part) { problems.remove(part); }

    /** Whether {@code part} is currently failing enough to report DOWN. */
    public synchronized boolean down(Part part) {
        Problem p = problems.get(part);
        return p != null && p.consecutive() >= (part == Part.STORE ? storeDownAfter : 1);
    }

    /** Why the service is DOWN, or null when every part is healthy. */
    public synchronized String reason() {
        StringJoiner j = new StringJoiner("; ");
        problems.forEach((part, p) -> {
            if (down(part)) {
                j.add(part.label() + ": " + p.consecutive() + " consecutive failure" + (p.consecutive() == 1 ? "" : "s")
                        + " since " + p.since() + ", last: " + p.last());
            }
        });
        return j.length() == 0 ? null : j.toString();
    }
}
