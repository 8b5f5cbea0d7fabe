package io.hiq.core.conf;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One line of a HiQ conf: which method of which class to trace and under which tag (DESIGN B3).
 *
 * @param module     the Python "module" column: a package, or a fully-qualified class name when
 *                   {@code clazz} is empty
 * @param clazz      the class's simple (or nested, {@code Outer$Inner}) name; may be empty
 * @param method     the method name, without parameter list; {@code *} for every declared method
 *                   (constructors are not supported)
 * @param parameters the parameter types that pick one overload, as written and trimmed (e.g.
 *                   {@code int}, {@code java.lang.String}, {@code String[]}, {@code Outer$Inner};
 *                   varargs {@code String...} stand for the array type {@code String[]});
 *                   {@code null} when no list was given (every overload of that name), empty for
 *                   {@code work()} (the overload without parameters); always {@code null} with
 *                   {@code *}
 * @param tag        the node name in the tree ({@code ^\w+$}, unique within one conf). For a single
 *                   method it is never empty: an empty tag in the conf becomes the method name.
 *                   With {@code *} it is kept as given: empty means "each method's own name", a
 *                   non-empty tag is a prefix, the node of method {@code m} being named
 *                   {@code tag_m}
 * @param extras     what else to capture for this method
 * @param shownArgs  the {@code args} extra's allow-list ({@code args(user,note)}): parameter names
 *                   whose values are shown as text (secret-shaped parts still masked) whatever
 *                   their type; {@code *} for every parameter. Empty: default-deny only. A
 *                   parameter whose name looks secret is never shown
 * @param source     where the entry came from (a file path, or {@code <list>}), for messages
 * @param line       the physical 1-based line of the entry in {@code source}, 0 when unknown
 */
public record ConfEntry(String module, String clazz, String method, List<String> parameters, String tag,
                        Set<Extra> extras, Set<String> shownArgs, String source, int line) {

    public ConfEntry {
        Objects.requireNonNull(module, "module");
        Objects.requireNonNull(clazz, "clazz");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(tag, "tag");
        parameters = parameters == null ? null : List.copyOf(parameters);
        extras = Set.copyOf(extras);
        shownArgs = shownArgs == null ? Set.of() : Set.copyOf(shownArgs);
    }

    /** An entry without an {@code args} allow-list. */
    public ConfEntry(String module, String clazz, String method, List<String> parameters, String tag,
                     Set<Extra> extras, String source, int line) {
        this(module, clazz, method, parameters, tag, extras, Set.of(), source, line);
    }

    /** The fully-qualified binary name of the class to trace. */
    public String className() {
        return clazz.isEmpty() ? module : module + "." + clazz;
    }

    /** Whether this entry names every declared method ({@code *}). */
    public boolean allMethods() { return "*".equals(method); }

    // equals and hashCode written out (the record semantics: every component): the generated ones
    // bootstrap java.lang.runtime.ObjectMethods on first use, ~70 method-handle classes spun before
    // main when the agent keys its maps by entry (docs/PERFORMANCE.md section 15)
    @Override
    public boolean equals(Object o) {
        return this == o || o instanceof ConfEntry e && line == e.line && module.equals(e.module) && clazz.equals(e.clazz)
                && method.equals(e.method) && Objects.equals(parameters, e.parameters) && tag.equals(e.tag)
                && extras.equals(e.extras) && shownArgs.equals(e.shownArgs) && Objects.equals(source, e.source);
    }

    @Override
    public int hashCode() {
        int h = module.hashCode();
        h = 31 * h + clazz.hashCode();
        h = 31 * h + method.hashCode();
        h = 31 * h + Objects.hashCode(parameters);
        h = 31 * h + tag.hashCode();
        h = 31 * h + extras.hashCode();
        h = 31 * h + shownArgs.hashCode();
        h = 31 * h + Objects.hashCode(source);
        return 31 * h + line;
    }

    /** {@code source:line}, for messages. */
    public String where() { return line > 0 ? source + ":" + line : source; }
}
