package io.hiq.core.agent;

import java.io.PrintStream;
import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The agent's class file transformer: a name lookup for every class the JVM loads, and for the
 * conf's classes only, the span recording woven straight into the class file ({@link SpanWeaver}).
 *
 * <p>Why neither ByteBuddy's {@code AgentBuilder} nor its {@code Advice}: they load ~1 100 and ~500
 * classes at start-up, run interpreted before {@code main}, for features HiQ does not use; the
 * weaving HiQ needs is a few dozen lines of ASM (docs/PERFORMANCE.md sections 5 and 15).
 */
final class ConfTransformer implements ClassFileTransformer {
    /** Decides which methods of a class are woven, and how (the conf's entries for it). */
    interface Planner {
        /** Method {@code name + descriptor} → plan; empty when nothing is to be woven. */
        Map<String, SpanWeaver.Plan> plan(String className, ClassLoader loader, byte[] classfile);
    }

    private final Set<String> internalNames = ConcurrentHashMap.newKeySet();
    private final Planner planner;
    private final PrintStream err;
    private final Set<String> reported = ConcurrentHashMap.newKeySet();

    ConfTransformer(Set<String> classNames, Planner planner, PrintStream err) {
        for (String name : classNames) internalNames.add(name.replace('.', '/'));
        this.planner = planner;
        this.err = err;
    }

    @Override
    public byte[] transform(ClassLoader loader, String className, Class<?> redefined, ProtectionDomain pd, byte[] classfile) {
        if (className == null || !internalNames.contains(className)) return null;
        try {
            if (!StartupTrace.ON) return weave(loader, className.replace('/', '.'), classfile);
            StartupTrace.mark("until " + className + " loads");
            byte[] woven = weave(loader, className.replace('/', '.'), classfile);
            StartupTrace.mark("weave " + className);
            return woven;
        } catch (Throwable t) {
            if (reported.add(className)) {
                err.println(io.hiq.core.redact.SafeText.line("hiq: could not instrument " + className.replace('/', '.') + " (it runs untraced): " + t));
            }
            return null;
        }
    }

    private byte[] weave(ClassLoader loader, String name, byte[] classfile) {
        Map<String, SpanWeaver.Plan> plans = planner.plan(name, loader, classfile);
        if (plans.isEmpty()) return null;
        return SpanWeaver.weave(classfile, plans);
    }
}
