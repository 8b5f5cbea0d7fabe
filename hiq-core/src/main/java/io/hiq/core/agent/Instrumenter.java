package io.hiq.core.agent;

import io.hiq.core.conf.ConfEntry;
import io.hiq.core.conf.Extra;
import io.hiq.core.conf.HiQConf;
import io.hiq.core.event.Recorder;
import io.hiq.core.event.Tag;
import io.hiq.core.event.TagRegistry;
import java.io.PrintStream;
import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Instruments exactly the methods a conf lists, with the span recording woven in ({@link SpanWeaver}), and can restore
 * them: {@link Installation#reset()} re-transforms the classes back to their original bytecode, so
 * disabled tracing costs nothing at all.
 *
 * <p>Only the classes named in the conf are matched (by name, before anything else is looked at);
 * nothing else in the JVM is touched. Classes loaded before the transformer was installed are
 * retransformed. JDK classes (bootstrap loader) are out of scope.
 */
public final class Instrumenter {
    private Instrumenter() {}

    /** A live instrumentation; {@link #reset()} undoes it. */
    public static final class Installation {
        private final Instrumentation inst;
        private final ConfTransformer transformer;
        private final Map<ConfEntry, Boolean> matched;
        private final Set<String> loadedClasses;
        private final PrintStream err;
        private final Set<ConfEntry> notOnClassPath;
        private final Set<ConfEntry> warnedEarly;
        private volatile boolean reset;

        Installation(Instrumentation inst, ConfTransformer transformer, Map<ConfEntry, Boolean> matched,
                     Set<String> loadedClasses, Set<ConfEntry> notOnClassPath, Set<ConfEntry> warnedEarly, PrintStream err) {
            this.inst = inst;
            this.transformer = transformer;
            this.matched = matched;
            this.loadedClasses = loadedClasses;
            this.notOnClassPath = notOnClassPath;
            this.warnedEarly = warnedEarly;
            this.err = err;
        }

        /** Restores every instrumented class to its original bytecode and removes the transformer. */
        public synchronized void reset() {
            if (reset) return;
            reset = true;
            inst.removeTransformer(transformer);
            Set<Class<?>> restore = loadedNamed(inst, loadedClasses);
            if (restore.isEmpty()) return;
            try {
                // with the transformer gone, retransformation yields the original class files
                inst.retransformClasses(restore.toArray(new Class<?>[0]));
            } catch (Exception | LinkageError e) {
                err.println(io.hiq.core.redact.SafeText.line("hiq: could not restore " + restore + ": " + e));
            }
        }

        /**
         * Warns once about each entry whose class never loaded (called at exit), in conf line order,
         * saying when its class is not on the class path either (most likely a typo); an entry whose
         * method was reported missing before the application ran is not reported twice.
         */
        public void warnUnmatched() {
            List<ConfEntry> byLine = new ArrayList<>(matched.keySet());
            byLine.sort(LINE_ORDER);
            for (ConfEntry c : byLine) {
                if (!matched.get(c) && !loadedClasses.contains(c.className()) && !warnedEarly.contains(c)) {
                    err.println(io.hiq.core.redact.SafeText.line("hiq: warning: " + c.where() + ": class '" + c.className() + "' was never loaded"
                            + (notOnClassPath.contains(c) ? " (it is not on the class path)" : "") + "; '" + c.method() + "' was not traced"));
                }
            }
        }
    }

    /** Conf entries in the order of their source and line: the order every conf warning is printed in. */
    static final java.util.Comparator<ConfEntry> LINE_ORDER = new LineOrder();

    /** A class, not a chain of lambdas: each lambda is a class spun at start-up (docs/PERFORMANCE.md section 15). */
    private static final class LineOrder implements java.util.Comparator<ConfEntry> {
        @Override
        public int compare(ConfEntry a, ConfEntry b) {
            if (a.source() == null || b.source() == null) {
                if (a.source() != b.source()) return a.source() == null ? -1 : 1;
            } else {
                int c = a.source().compareTo(b.source());
                if (c != 0) return c;
            }
            return Integer.compare(a.line(), b.line());
        }
    }

    /** The warning for an entry whose method its class does not declare. */
    static String methodNotFound(ConfEntry e, String className) {
        return "hiq: warning: " + e.where() + ": method '" + e.method()
                + (e.parameters() == null ? "" : "(" + String.join(",", e.parameters()) + ")")
                + "' not found in class '" + className + "'; not traced";
    }

    /** {@link #install(Instrumentation, HiQConf, TagRegistry, PrintStream, boolean)} with the conf checked first. */
    public static Installation install(Instrumentation inst, HiQConf conf, TagRegistry tags, PrintStream err) {
        return install(inst, conf, tags, err, true);
    }

    /**
     * Installs the transformer for {@code conf}. Tags are registered in {@code tags} as methods are
     * instrumented. Classes of the conf that are already loaded are retransformed now.
     *
     * @param preflight check the conf against the class path first and print its warnings now, in
     *                  line order ({@link ConfPreflight}); false when re-installing the same conf
     */
    public static Installation install(Instrumentation inst, HiQConf conf, TagRegistry tags, PrintStream err, boolean preflight) {
        Map<String, List<ConfEntry>> byClass = new LinkedHashMap<>();
        Map<ConfEntry, Boolean> matched = new ConcurrentHashMap<>();
        for (ConfEntry e : conf.entries()) {
            byClass.computeIfAbsent(e.className(), k -> new ArrayList<>()).add(e);
            matched.put(e, false);
        }
        Set<String> loaded = ConcurrentHashMap.newKeySet();
        Set<String> warnedMissing = ConcurrentHashMap.newKeySet();
        Set<ConfEntry> notOnClassPath = ConcurrentHashMap.newKeySet();
        Set<ConfEntry> warnedEarly = ConcurrentHashMap.newKeySet();
        if (preflight) {
            try {
                Set<String> already = new java.util.HashSet<>();
                for (Class<?> c : loadedNamed(inst, byClass.keySet())) already.add(c.getName());
                ConfPreflight.Findings f = ConfPreflight.check(conf, ClassLoader.getSystemClassLoader(), already);
                for (String w : f.warnings()) err.println(io.hiq.core.redact.SafeText.line(w));
                notOnClassPath.addAll(f.notOnClassPath());
                warnedEarly.addAll(f.missingMethod());
                for (ConfEntry e : f.missingMethod()) warnedMissing.add(e.where() + e.method());
            } catch (RuntimeException | LinkageError e) {
                // only an early courtesy: the same problems are reported when classes load or at exit
            }
        }
        StartupTrace.mark("preflight");
        ConfTransformer t = new ConfTransformer(byClass.keySet(), (className, loader, classfile) ->
                plan(className, loader, classfile, byClass.get(className), tags, matched, loaded, warnedMissing, err), err);
        inst.addTransformer(t, true);
        Set<Class<?>> already = loadedNamed(inst, byClass.keySet());
        if (!already.isEmpty()) {
            try {
                inst.retransformClasses(already.toArray(new Class<?>[0]));
            } catch (Exception | LinkageError e) {
                err.println(io.hiq.core.redact.SafeText.line("hiq: could not instrument the already loaded classes " + already + ": " + e));
            }
        }
        return new Installation(inst, t, matched, loaded, notOnClassPath, warnedEarly, err);
    }

    /** Whether classes of {@code loader} resolve HiQ's hot path to the very classes running now. */
    static boolean seesHiQ(ClassLoader loader) {
        try {
            return Class.forName(Recorder.class.getName(), false, loader) == Recorder.class;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** The loaded classes with one of these names (a name check per loaded class: cheap). */
    static Set<Class<?>> loadedNamed(Instrumentation inst, Set<String> names) {
        Set<Class<?>> out = new java.util.HashSet<>();
        for (Class<?> c : inst.getAllLoadedClasses()) {
            if (names.contains(c.getName()) && inst.isModifiableClass(c)) out.add(c);
        }
        return out;
    }

    /** The conf's methods of one class being loaded: which to weave, with which tag; tags registered. */
    private static Map<String, SpanWeaver.Plan> plan(String className, ClassLoader loader, byte[] classfile, List<ConfEntry> entries,
                                                     TagRegistry tags, Map<ConfEntry, Boolean> matched, Set<String> loaded,
                                                     Set<String> warnedMissing, PrintStream err) {
        Map<String, SpanWeaver.Plan> plans = new LinkedHashMap<>();
        if (entries == null) return plans;
        if (!seesHiQ(loader)) {
            // instrumented code calls HiQ's Recorder: a loader that cannot see it would fail at run time
            if (warnedMissing.add("loader:" + className)) {
                err.println(io.hiq.core.redact.SafeText.line("hiq: warning: class '" + className + "' comes from a class loader that does not delegate to the one HiQ is in; not traced"));
            }
            return plans;
        }
        loaded.add(className);
        List<DeclaredMethod> methods = DeclaredMethod.of(classfile);
        SourceLocation source = null;
        for (ConfEntry e : entries) {
            boolean any = false;
            for (DeclaredMethod m : methods) {
                if (!matches(e, m)) continue;
                any = true;
                String name = tagName(e, m);
                String func = className + "." + m.name() + m.signature();
                Map<String, Object> staticExtra = new LinkedHashMap<>();
                if (e.extras().contains(Extra.FUNC)) staticExtra.put("func", func);
                if (e.extras().contains(Extra.FILE)) {
                    if (source == null) source = SourceLocation.of(classfile);
                    staticExtra.put("file", source.of(m.key()));
                }
                Tag tag = tags.register(name, e, func, staticExtra);
                boolean args = e.extras().contains(Extra.ARGS);
                if (args) {
                    if (source == null) source = SourceLocation.of(classfile);
                    // names the class file does not give are null: such a value is treated as possibly secret
                    ArgsCapture.register(tag.id(), source.parameterNames(m.key(),
                            new String[m.parameterTypeNames().length], m.isStatic()), e.shownArgs());
                }
                plans.put(m.key(), new SpanWeaver.Plan(tag.id(), args));
            }
            if (any) matched.put(e, true);
            else if (warnedMissing.add(e.where() + e.method())) {
                err.println(io.hiq.core.redact.SafeText.line(methodNotFound(e, className)));
            }
        }
        return plans;
    }

    static boolean matches(ConfEntry e, DeclaredMethod m) {
        if (m.isConstructor() || m.isTypeInitializer() || m.isAbstract() || m.isNative()) return false;
        if (e.allMethods()) return !m.isBridge() && !m.isSynthetic() && !m.name().startsWith("lambda$");
        if (!m.name().equals(e.method()) || m.isBridge()) return false;
        List<String> wanted = e.parameters();
        if (wanted == null) return true;
        String[] actual = m.parameterTypeNames();
        if (actual.length != wanted.size()) return false;
        for (int i = 0; i < wanted.size(); i++) {
            if (!sameType(wanted.get(i), actual[i])) return false;
        }
        return true;
    }

    /** A written type matches its fully-qualified name, its simple name, or a {@code Outer$Inner} suffix. */
    static boolean sameType(String written, String actualName) {
        String w = written.replace(" ", "");
        if (w.endsWith("...")) w = w.substring(0, w.length() - 3) + "[]";
        String full = actualName;
        return full.equals(w) || full.endsWith("." + w) || full.endsWith("$" + w)
                || full.replace('$', '.').endsWith("." + w.replace('$', '.'));
    }

    private static String tagName(ConfEntry e, DeclaredMethod m) {
        if (!e.allMethods()) return e.tag();
        return e.tag().isEmpty() ? m.name() : e.tag() + "_" + m.name();
    }
}
