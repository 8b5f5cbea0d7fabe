package io.hiq.core.conf;

import java.util.Set;

/**
 * Syntax checks for the Java names a conf holds: identifiers, binary class names and parameter
 * types. Written by hand rather than with {@code javax.lang.model.SourceVersion} because the
 * agent may run on a runtime image without the {@code java.compiler} module.
 */
final class JavaNames {
    private JavaNames() {}

    /** Reserved words (and literals) that cannot be identifiers; primitive names are among them. */
    private static final Set<String> RESERVED = Set.of(
            "abstract", "assert", "boolean", "break", "byte", "case", "catch", "char", "class", "const",
            "continue", "default", "do", "double", "else", "enum", "extends", "final", "finally", "float",
            "for", "goto", "if", "implements", "import", "instanceof", "int", "interface", "long", "native",
            "new", "package", "private", "protected", "public", "return", "short", "static", "strictfp",
            "super", "switch", "synchronized", "this", "throw", "throws", "transient", "try", "void",
            "volatile", "while", "true", "false", "null", "_");

    private static final Set<String> PRIMITIVES = Set.of(
            "boolean", "byte", "char", "short", "int", "long", "float", "double");

    /** Whether {@code s} is a Java identifier ({@code $} allowed, as in binary names) and not reserved. */
    static boolean isIdentifier(String s) {
        if (s.isEmpty() || !Character.isJavaIdentifierStart(s.codePointAt(0))) return false;
        for (int i = Character.charCount(s.codePointAt(0)); i < s.length(); ) {
            int cp = s.codePointAt(i);
            if (!Character.isJavaIdentifierPart(cp)) return false;
            i += Character.charCount(cp);
        }
        return !RESERVED.contains(s);
    }

    /** Whether {@code s} is a binary name: identifiers joined by dots ({@code a.b.Outer$Inner}). */
    static boolean isBinaryName(String s) {
        if (s.isEmpty() || s.startsWith(".") || s.endsWith(".")) return false;
        for (String part : s.split("\\.", -1)) {
            if (!isIdentifier(part)) return false;
        }
        return true;
    }

    /**
     * Whether {@code s} is a parameter type as written in source, erased: a primitive or a
     * (simple, qualified or nested) class name, followed by any number of {@code []}, the last
     * parameter possibly ending in {@code ...} (checked by the caller). Blanks between the parts
     * ({@code String []}) are tolerated, as javac tolerates them.
     */
    static boolean isParameterType(String s) {
        // blanks only around punctuation: "String []" is a type, "String int" is not
        String t = s.strip().replaceAll("\\s*([\\[\\].])\\s*", "$1");
        if (t.endsWith("...")) t = t.substring(0, t.length() - 3);
        while (t.endsWith("[]")) t = t.substring(0, t.length() - 2);
        return PRIMITIVES.contains(t) || isBinaryName(t);
    }
}
