package io.hiq.core.agent;

import io.hiq.core.conf.ConfEntry;
import io.hiq.core.conf.HiQConf;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks a conf against the class path before the application runs, so that what can be known
 * early is said early (before {@code main}) and in conf line order, instead of when a class loads:
 * an entry whose class, found on the class path, declares no matching method. Class files are
 * read, never loaded or initialised, so nothing of the application runs earlier than it would.
 *
 * <p>A class that is not on the class path is not a problem yet: plugins, application servers and
 * fat-jar launchers load classes from loaders of their own, so whether it ever loads is known only
 * at exit. Those entries are returned, not warned about, so that the warning at exit (if the class
 * never loaded) can say that it is not on the class path either, which points at a typo.
 */
final class ConfPreflight {
    private ConfPreflight() {}

    /**
     * What the check found: the warnings, in conf line order; the entries whose class file is not
     * on the class path (no warning yet); the entries whose method is missing (warned).
     */
    record Findings(List<String> warnings, Set<ConfEntry> notOnClassPath, Set<ConfEntry> missingMethod) {}

    /**
     * @param loader        where the application's classes are expected (the system class loader)
     * @param alreadyLoaded names of the conf's classes already loaded: checked when they are instrumented
     */
    static Findings check(HiQConf conf, ClassLoader loader, Set<String> alreadyLoaded) {
        Map<String, Boolean> onClassPath = new LinkedHashMap<>();
        for (ConfEntry e : conf.entries()) {
            onClassPath.computeIfAbsent(e.className(), n -> loader.getResource(n.replace('.', '/') + ".class") != null);
        }
        List<ConfEntry> byLine = new ArrayList<>(conf.entries());
        byLine.sort(Instrumenter.LINE_ORDER);
        List<String> warnings = new ArrayList<>();
        Set<ConfEntry> notOnClassPath = new java.util.HashSet<>();
        Set<ConfEntry> missingMethod = new java.util.HashSet<>();
        Map<String, List<DeclaredMethod>> declared = new java.util.HashMap<>();
        for (ConfEntry e : byLine) {
            String name = e.className();
            if (alreadyLoaded.contains(name)) continue;
            if (!onClassPath.get(name)) {
                notOnClassPath.add(e);
                continue;
            }
            if (e.allMethods()) continue;
            try {
                List<DeclaredMethod> methods = declared.get(name);
                if (methods == null) {
                    methods = DeclaredMethod.of(classFile(loader, name));
                    declared.put(name, methods);
                }
                boolean any = false;
                for (DeclaredMethod m : methods) {
                    if (Instrumenter.matches(e, m)) {
                        any = true;
                        break;
                    }
                }
                if (any) continue;
            } catch (RuntimeException | LinkageError | java.io.IOException ex) {
                continue; // an unreadable class file: the transformer reports it if the class ever loads
            }
            missingMethod.add(e);
            warnings.add(Instrumenter.methodNotFound(e, name));
        }
        return new Findings(warnings, notOnClassPath, missingMethod);
    }

    private static byte[] classFile(ClassLoader loader, String className) throws java.io.IOException {
        try (java.io.InputStream in = loader.getResourceAsStream(className.replace('.', '/') + ".class")) {
            if (in == null) throw new java.io.FileNotFoundException(className);
            return in.readAllBytes();
        }
    }
}
