package io.hiq.core.agent;

import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;

import io.hiq.core.conf.ConfEntry;
import io.hiq.core.conf.Extra;
import io.hiq.core.conf.HiQConf;
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
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.agent.builder.ResettableClassFileTransformer;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.method.ParameterDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.matcher.ElementMatchers;
import net.bytebuddy.utility.JavaModule;

/**
 * Instruments exactly the methods a conf lists, with inlined {@link SpanAdvice}, and can restore
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
        private final ResettableClassFileTransformer transformer;
        private final Map<ConfEntry, Boolean> matched;
        private final Set<String> loadedClasses;
        private final PrintStream err;
        private volatile boolean reset;

        Installation(Instrumentation inst, ResettableClassFileTransformer transformer, Map<ConfEntry, Boolean> matched,
                     Set<String> loadedClasses, PrintStream err) {
            this.inst = inst;
            this.transformer = transformer;
            this.matched = matched;
            this.loadedClasses = loadedClasses;
            this.err = err;
        }

        /** Restores every instrumented class to its original bytecode and removes the transformer. */
        public synchronized void reset() {
            if (reset) return;
            reset = true;
            transformer.reset(inst, AgentBuilder.RedefinitionStrategy.RETRANSFORMATION);
        }

        /** Names of the conf's classes that were seen loading (and instrumented). */
        public Set<String> instrumentedClasses() { return Set.copyOf(loadedClasses); }

        /** Warns once about each entry whose class never loaded (called at exit). */
        public void warnUnmatched() {
            for (Map.Entry<ConfEntry, Boolean> e : matched.entrySet()) {
                ConfEntry c = e.getKey();
                if (!e.getValue() && !loadedClasses.contains(c.className())) {
                    err.println("hiq: warning: " + c.where() + ": class '" + c.className() + "' was never loaded; '" + c.method() + "' was not traced");
                }
            }
        }
    }

    /**
     * Installs the transformer for {@code conf}. Tags are registered in {@code tags} as methods are
     * instrumented.
     */
    public static Installation install(Instrumentation inst, HiQConf conf, TagRegistry tags, PrintStream err) {
        Map<String, List<ConfEntry>> byClass = new LinkedHashMap<>();
        Map<ConfEntry, Boolean> matched = new ConcurrentHashMap<>();
        for (ConfEntry e : conf.entries()) {
            byClass.computeIfAbsent(e.className(), k -> new ArrayList<>()).add(e);
            matched.put(e, false);
        }
        Set<String> loaded = ConcurrentHashMap.newKeySet();
        Set<String> warnedMissing = ConcurrentHashMap.newKeySet();

        AgentBuilder.Transformer transformer = (builder, type, loader, module, pd) ->
                instrument(builder, type, loader, byClass.get(type.getName()), tags, matched, loaded, warnedMissing, err);

        ResettableClassFileTransformer t = new AgentBuilder.Default()
                .disableClassFormatChanges()
                .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
                .with(AgentBuilder.InitializationStrategy.NoOp.INSTANCE)
                .with(AgentBuilder.TypeStrategy.Default.DECORATE)
                // parse class files (not reflection) so that parameter names come from debug info too
                .with(AgentBuilder.PoolStrategy.Default.EXTENDED)
                .with(AgentBuilder.DescriptionStrategy.Default.POOL_FIRST)
                .with(new ErrorListener(err))
                .ignore(ElementMatchers.none())
                .type(namedOneOf(byClass.keySet().toArray(new String[0])), ElementMatchers.not(ElementMatchers.isBootstrapClassLoader()))
                .transform(transformer)
                .installOn(inst);
        return new Installation(inst, t, matched, loaded, err);
    }

    private static DynamicType.Builder<?> instrument(DynamicType.Builder<?> builder, TypeDescription type, ClassLoader loader, List<ConfEntry> entries,
                                                     TagRegistry tags, Map<ConfEntry, Boolean> matched, Set<String> loaded,
                                                     Set<String> warnedMissing, PrintStream err) {
        if (entries == null) return builder;
        loaded.add(type.getName());
        SourceLocation source = null;
        for (ConfEntry e : entries) {
            boolean any = false;
            for (MethodDescription.InDefinedShape m : type.getDeclaredMethods()) {
                if (!matches(e, m)) continue;
                any = true;
                String name = tagName(e, m);
                String func = type.getName() + "." + m.getName() + signature(m);
                Map<String, Object> staticExtra = new LinkedHashMap<>();
                if (e.extras().contains(Extra.FUNC)) staticExtra.put("func", func);
                if (e.extras().contains(Extra.FILE)) {
                    if (source == null) source = SourceLocation.of(ClassFileLocator.ForClassLoader.of(loader), type.getName());
                    staticExtra.put("file", source.of(m.getInternalName() + m.getDescriptor()));
                }
                Tag tag = tags.register(name, e, func, staticExtra);
                boolean args = e.extras().contains(Extra.ARGS);
                if (args) ArgsCapture.register(tag.id(), m.getParameters().stream().map(ParameterDescription::getName).toArray(String[]::new));
                builder = builder.visit(Advice.withCustomMapping().bind(TagId.class, tag.id())
                        .to(args ? ArgsAdvice.class : SpanAdvice.class).on(ElementMatchers.is(m)));
            }
            if (any) matched.put(e, true);
            else if (warnedMissing.add(e.where() + e.method())) {
                err.println("hiq: warning: " + e.where() + ": method '" + e.method()
                        + (e.parameters() == null ? "" : "(" + String.join(",", e.parameters()) + ")")
                        + "' not found in class '" + type.getName() + "'; not traced");
            }
        }
        return builder;
    }

    static boolean matches(ConfEntry e, MethodDescription m) {
        if (m.isConstructor() || m.isTypeInitializer() || m.isAbstract() || m.isNative()) return false;
        if (e.allMethods()) return !m.isBridge() && !m.isSynthetic() && !m.getName().startsWith("lambda$");
        if (!m.getName().equals(e.method()) || m.isBridge()) return false;
        List<String> wanted = e.parameters();
        if (wanted == null) return true;
        List<? extends ParameterDescription> actual = m.getParameters();
        if (actual.size() != wanted.size()) return false;
        for (int i = 0; i < wanted.size(); i++) {
            if (!sameType(wanted.get(i), actual.get(i).getType().asErasure())) return false;
        }
        return true;
    }

    /** A written type matches its fully-qualified name, its simple name, or a {@code Outer$Inner} suffix. */
    static boolean sameType(String written, TypeDescription actual) {
        String w = written.replace(" ", "");
        if (w.endsWith("...")) w = w.substring(0, w.length() - 3) + "[]";
        String full = actual.getActualName();
        return full.equals(w) || full.endsWith("." + w) || full.endsWith("$" + w)
                || full.replace('$', '.').endsWith("." + w.replace('$', '.'));
    }

    private static String tagName(ConfEntry e, MethodDescription m) {
        if (!e.allMethods()) return e.tag();
        return e.tag().isEmpty() ? m.getName() : e.tag() + "_" + m.getName();
    }

    private static String signature(MethodDescription m) {
        StringBuilder sb = new StringBuilder("(");
        List<? extends ParameterDescription> ps = m.getParameters();
        for (int i = 0; i < ps.size(); i++) {
            if (i > 0) sb.append(',');
            sb.append(ps.get(i).getType().asErasure().getSimpleName());
        }
        return sb.append(')').toString();
    }

    /** Reports a class that could not be instrumented, once, and lets it load unchanged. */
    private static final class ErrorListener extends AgentBuilder.Listener.Adapter {
        private final PrintStream err;
        private final Set<String> reported = ConcurrentHashMap.newKeySet();

        ErrorListener(PrintStream err) { this.err = err; }

        @Override
        public void onError(String typeName, ClassLoader classLoader, JavaModule module, boolean loaded, Throwable throwable) {
            if (reported.add(typeName)) {
                err.println("hiq: could not instrument " + typeName + " (it runs untraced): " + throwable);
            }
        }
    }
}
