package io.hiq.core.conf;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns raw entries into validated {@link ConfEntry}s, field by field (DESIGN B3), and checks
 * what must hold across a whole conf: tags unique, no method listed twice. Each rule reports the
 * entry's line and the field as the user wrote it.
 */
final class EntryValidator {
    private EntryValidator() {}

    /** Tags become node names, metric names ({@code hiq_<tag>}) and LMK fields: keep them plain. */
    private static final Pattern TAG = Pattern.compile("^\\w+$");

    static List<ConfEntry> validate(String source, List<RawEntry> raws) throws ConfException {
        if (raws.isEmpty()) throw new ConfException(source, 0, null, "no entries");
        List<ConfEntry> out = new ArrayList<>(raws.size());
        Map<String, Integer> methodLines = new HashMap<>();
        Map<String, Integer> tagLines = new HashMap<>();
        for (RawEntry raw : raws) {
            ConfEntry e = entry(source, raw);
            // the method check first: a method listed twice would otherwise be reported as a tag clash
            Integer first = methodLines.putIfAbsent(methodKey(e), e.line());
            if (first != null) {
                throw new ConfException(source, e.line(), raw.field(RawEntry.METHOD), "method '" + methodKey(e)
                        + "' is already listed on line " + first);
            }
            if (!e.tag().isEmpty()) {
                first = tagLines.putIfAbsent(e.tag(), e.line());
                if (first != null) {
                    throw new ConfException(source, e.line(), raw.field(RawEntry.TAG), "duplicate tag '" + e.tag()
                            + "' (first used on line " + first + "); tags must be unique, give this entry its own tag");
                }
            }
            out.add(e);
        }
        return out;
    }

    /** Validates one entry on its own. */
    static ConfEntry entry(String source, RawEntry raw) throws ConfException {
        int line = raw.line();
        String module = raw.value(RawEntry.MODULE).strip();
        String clazz = raw.value(RawEntry.CLASS).strip();
        String spec = raw.value(RawEntry.METHOD).strip();
        String tag = raw.value(RawEntry.TAG).strip();
        String extras = raw.value(RawEntry.EXTRAS).strip();

        if (module.isEmpty()) {
            throw new ConfException(source, line, raw.field(RawEntry.MODULE),
                    "empty; give a package, or the fully-qualified class name when class is empty");
        }
        if (!JavaNames.isBinaryName(module)) {
            throw new ConfException(source, line, raw.field(RawEntry.MODULE), "'" + module
                    + "' is not a Java package or class name (identifiers joined by '.')");
        }
        if (!clazz.isEmpty() && !JavaNames.isBinaryName(clazz)) {
            throw new ConfException(source, line, raw.field(RawEntry.CLASS), "'" + clazz
                    + "' is not a Java class name (e.g. Shop, or Outer$Inner for a nested class)");
        }

        String methodField = raw.field(RawEntry.METHOD);
        if (spec.isEmpty()) throw new ConfException(source, line, methodField, "empty; give a method name or *");
        int paren = spec.indexOf('(');
        String name = (paren < 0 ? spec : spec.substring(0, paren)).strip();
        List<String> parameters = paren < 0 ? null : parameters(source, line, methodField, spec, paren);
        if (name.startsWith("<") || name.equals("new")) {
            throw new ConfException(source, line, methodField, "'" + spec
                    + "': constructors and initialisers are not supported; name a method");
        }
        if (name.equals("*")) {
            if (parameters != null) {
                throw new ConfException(source, line, methodField, "'" + spec
                        + "': '*' means every declared method and takes no parameter list");
            }
        } else if (!JavaNames.isIdentifier(name)) {
            throw new ConfException(source, line, methodField, "'" + name + "' is not a Java method name");
        }

        if (!tag.isEmpty() && !TAG.matcher(tag).matches()) {
            throw new ConfException(source, line, raw.field(RawEntry.TAG), "'" + tag
                    + "' is not a valid tag (letters, digits and _ only)");
        }
        // '*' keeps its tag as given: empty means each method's own name, else a prefix (ConfEntry)
        if (tag.isEmpty() && !name.equals("*")) tag = name;

        Set<String> shownArgs = new java.util.LinkedHashSet<>();
        return new ConfEntry(module, clazz, name, parameters, tag,
                extras(source, line, raw.field(RawEntry.EXTRAS), extras, shownArgs), shownArgs, source, line);
    }

    /** The parameter list of {@code spec}, whose {@code (} is at {@code open}. */
    private static List<String> parameters(String source, int line, String field, String spec, int open)
            throws ConfException {
        int close = spec.indexOf(')', open);
        if (close < 0 || close != spec.length() - 1 || spec.indexOf('(', open + 1) >= 0) {
            throw new ConfException(source, line, field, "'" + spec
                    + "': unbalanced parameter list; write name(type,type,...), e.g. work(int,java.lang.String)");
        }
        String inner = spec.substring(open + 1, close).strip();
        if (inner.isEmpty()) return List.of(); // work(): the overload without parameters
        String[] parts = inner.split(",", -1);
        List<String> out = new ArrayList<>(parts.length);
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i].strip();
            if (p.isEmpty()) {
                throw new ConfException(source, line, field, "'" + spec + "': parameter " + (i + 1) + " is empty");
            }
            if (p.contains("<")) {
                throw new ConfException(source, line, field, "'" + spec + "': parameter type '" + p
                        + "' has type arguments; write the erased type (e.g. java.util.List)");
            }
            if (!JavaNames.isParameterType(p)) {
                throw new ConfException(source, line, field, "'" + spec + "': '" + p
                        + "' is not a parameter type (a primitive or class name, optionally with [] or ...)");
            }
            if (p.endsWith("...") && i != parts.length - 1) {
                throw new ConfException(source, line, field, "'" + spec + "': only the last parameter may be varargs (...)");
            }
            out.add(p);
        }
        return out;
    }

    /**
     * The extras of {@code text}; the names of an {@code args(name,…)} allow-list go to
     * {@code shownArgs}.
     */
    private static Set<Extra> extras(String source, int line, String field, String text, Set<String> shownArgs)
            throws ConfException {
        Set<Extra> out = EnumSet.noneOf(Extra.class);
        if (text.isEmpty()) return out;
        for (String item : text.split("\\+", -1)) {
            String name = item.strip().toLowerCase(Locale.ROOT);
            int open = name.indexOf('(');
            if (open >= 0) {
                if (!name.substring(0, open).strip().equals(Extra.ARGS.confName())) {
                    throw new ConfException(source, line, field, "'" + item.strip()
                            + "': only args takes a list (args(name,name) or args(*)); file and func take none");
                }
                allowList(source, line, field, item.strip(), shownArgs);
                name = Extra.ARGS.confName();
            }
            if (name.isEmpty()) {
                throw new ConfException(source, line, field, "'" + text + "' has an empty item; join args, file, func with +");
            }
            Extra found = null;
            for (Extra x : Extra.values()) if (x.confName().equals(name)) found = x;
            if (found == null) {
                throw new ConfException(source, line, field, "unknown extra '" + item.strip()
                        + "' (known: args, file, func, joined by +)");
            }
            out.add(found);
        }
        return out;
    }

    /** Reads {@code args(a,b)} / {@code args(*)}: names as written (parameter names are case-sensitive). */
    private static void allowList(String source, int line, String field, String item, Set<String> shownArgs)
            throws ConfException {
        int open = item.indexOf('(');
        int close = item.indexOf(')');
        if (close != item.length() - 1 || item.indexOf('(', open + 1) >= 0) {
            throw new ConfException(source, line, field, "'" + item
                    + "': unbalanced list; write args(name,name), e.g. args(user,orderId), or args(*)");
        }
        String inner = item.substring(open + 1, close).strip();
        if (inner.isEmpty()) {
            throw new ConfException(source, line, field, "'" + item + "': empty list; name the parameters to show, or write args");
        }
        for (String p : inner.split(",", -1)) {
            String n = p.strip();
            if (!n.equals("*") && !JavaNames.isIdentifier(n)) {
                throw new ConfException(source, line, field, "'" + item + "': '" + n
                        + "' is not a parameter name (a Java identifier, or * for every parameter)");
            }
            shownArgs.add(n);
        }
    }

    /** The identity of what an entry traces: class, method and, when given, the overload. */
    private static String methodKey(ConfEntry e) {
        return e.className() + "." + e.method()
                + (e.parameters() == null ? "" : "(" + String.join(",", e.parameters()).replaceAll("\\s+", "") + ")");
    }
}
