package io.hiq.core.agent;

import io.hiq.core.conf.ConfEntry;
import io.hiq.core.conf.HiQConf;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.pool.TypePool;

/**
 * Checks a conf against the class path before the application runs, so that its warnings come
 * early (before {@code main}) and in conf line order, instead of at exit: an entry whose class file
 * is not on the class path, or whose class has no matching method. Class files are read, never
 * loaded or initialised, so nothing of the application runs earlier than it would.
 *
 * <p>Why a heuristic for missing classes: an application server or a fat-jar launcher loads the
 * application's classes from its own class loader, where the class path cannot see them. When
 * <em>no</em> class of the conf is on the class path, that is what is most likely going on and
 * nothing is said early (a class that then never loads is still reported at exit); when some are
 * found, the missing ones are most likely typos and are reported now.
 */
final class ConfPreflight {
    private ConfPreflight() {}

    /** What the check found: the warnings, in conf line order, and the entries they are about. */
    record Findings(List<String> warnings, Set<ConfEntry> missingClass, Set<ConfEntry> missingMethod) {}

    /**
     * @param loader        where the application's classes are expected (the system class loader)
     * @param alreadyLoaded names of the conf's classes already loaded: checked when they are instrumented
     */
    static Findings check(HiQConf conf, ClassLoader loader, Set<String> alreadyLoaded) {
        Map<String, Boolean> onClassPath = new LinkedHashMap<>();
        for (ConfEntry e : conf.entries()) {
            onClassPath.computeIfAbsent(e.className(), n -> loader.getResource(n.replace('.', '/') + ".class") != null);
        }
        boolean anyFound = onClassPath.values().stream().anyMatch(b -> b);
        List<ConfEntry> byLine = new ArrayList<>(conf.entries());
        byLine.sort(Instrumenter.LINE_ORDER);
        List<String> warnings = new ArrayList<>();
        Set<ConfEntry> missingClass = new java.util.HashSet<>();
        Set<ConfEntry> missingMethod = new java.util.HashSet<>();
        TypePool pool = null;
        for (ConfEntry e : byLine) {
            String name = e.className();
            if (alreadyLoaded.contains(name)) continue;
            if (!onClassPath.get(name)) {
                if (!anyFound) continue;
                missingClass.add(e);
                warnings.add("hiq: warning: " + e.where() + ": class '" + name + "' is not on the class path; '" + e.method()
                        + "' is traced only if another class loader loads it");
                continue;
            }
            if (e.allMethods()) continue;
            if (pool == null) pool = TypePool.Default.of(ClassFileLocator.ForClassLoader.of(loader));
            TypeDescription type;
            try {
                TypePool.Resolution r = pool.describe(name);
                if (!r.isResolved()) continue;
                type = r.resolve();
                boolean any = false;
                for (MethodDescription.InDefinedShape m : type.getDeclaredMethods()) {
                    if (Instrumenter.matches(e, m)) {
                        any = true;
                        break;
                    }
                }
                if (any) continue;
            } catch (RuntimeException | LinkageError ex) {
                continue; // an unreadable class file: the transformer reports it if the class ever loads
            }
            missingMethod.add(e);
            warnings.add(Instrumenter.methodNotFound(e, name));
        }
        return new Findings(warnings, missingClass, missingMethod);
    }
}
