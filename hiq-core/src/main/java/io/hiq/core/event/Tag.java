package io.hiq.core.event;

import io.hiq.core.conf.ConfEntry;

/**
 * A traced method's node name, interned to an {@code int} id when the method is instrumented so
 * that the hot path records primitives only.
 *
 * @param id     the id recorded in span events (≥ 1)
 * @param name   the node name shown in trees and LMK lines
 * @param entry  the conf entry that selected the method (null for spans opened through the API)
 * @param method the instrumented method's signature for FUNC extras, e.g. {@code Main.func1()};
 *               may be null
 * @param staticExtra extra information known when the method was instrumented ({@code file},
 *               {@code func}), added to every node of this tag off the hot path; may be empty
 */
public record Tag(int id, String name, ConfEntry entry, String method, java.util.Map<String, Object> staticExtra) {
    public Tag {
        staticExtra = staticExtra == null ? java.util.Map.of() : java.util.Map.copyOf(staticExtra);
    }
}
