package io.hiq.core.agent;

import java.io.PrintStream;
import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import net.bytebuddy.ClassFileVersion;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.dynamic.scaffold.TypeInitializer;
import net.bytebuddy.implementation.Implementation;
import net.bytebuddy.implementation.auxiliary.AuxiliaryType;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.pool.TypePool;

/**
 * The agent's class file transformer: a name lookup for every class the JVM loads, and for the
 * conf's classes only, ByteBuddy's {@link Advice} woven straight into the class file with ASM.
 *
 * <p>Why not ByteBuddy's {@code AgentBuilder}: it loads about twice as many classes at start-up
 * (measured: ~1 100 against ~500) for features HiQ does not use (type matching of every loaded
 * class, redefinition batching, listeners), and start-up time is one of HiQ's targets. The advice
 * itself, the part that matters, is ByteBuddy's.
 */
final class ConfTransformer implements ClassFileTransformer {
    /** Collects the advice for one class's traced methods. */
    interface AdviceSink {
        void add(AsmVisitorWrapper advice);
    }

    /** Decides which advice a class gets (the conf's entries for it). */
    interface Planner {
        void plan(TypeDescription type, ClassLoader loader, AdviceSink sink);
    }

    private final Set<String> internalNames = ConcurrentHashMap.newKeySet();
    private final Planner planner;
    private final PrintStream err;
    private final Set<String> reported = ConcurrentHashMap.newKeySet();

    ConfTransformer(Map<String, ?> byClassName, Planner planner, PrintStream err) {
        for (String name : byClassName.keySet()) internalNames.add(name.replace('.', '/'));
        this.planner = planner;
        this.err = err;
    }

    @Override
    public byte[] transform(ClassLoader loader, String className, Class<?> redefined, ProtectionDomain pd, byte[] classfile) {
        if (className == null || !internalNames.contains(className)) return null;
        try {
            return weave(loader, className.replace('/', '.'), classfile);
        } catch (Throwable t) {
            if (reported.add(className)) {
                err.println(io.hiq.core.redact.SafeText.line("hiq: could not instrument " + className.replace('/', '.') + " (it runs untraced): " + t));
            }
            return null;
        }
    }

    private byte[] weave(ClassLoader loader, String name, byte[] classfile) {
        ClassFileLocator locator = new ClassFileLocator.Compound(ClassFileLocator.Simple.of(name, classfile),
                loader == null ? ClassFileLocator.ForClassLoader.ofBootLoader() : ClassFileLocator.ForClassLoader.of(loader));
        TypePool pool = TypePool.Default.of(locator);
        TypeDescription type = pool.describe(name).resolve();
        List<AsmVisitorWrapper> advice = new ArrayList<>();
        planner.plan(type, loader, advice::add);
        if (advice.isEmpty()) return null;
        AsmVisitorWrapper wrapper = new AsmVisitorWrapper.Compound(advice);
        ClassReader reader = new ClassReader(classfile);
        int writerFlags = wrapper.mergeWriter(0);
        int readerFlags = wrapper.mergeReader(0);
        ClassWriter writer = new ClassWriter(reader, writerFlags);
        ClassFileVersion version = ClassFileVersion.ofClassFile(classfile);
        Implementation.Context.ExtractableView context = Implementation.Context.Disabled.Factory.INSTANCE.make(type,
                new AuxiliaryType.NamingStrategy.Suffixing("hiq"), TypeInitializer.None.INSTANCE, version, version);
        ClassVisitor visitor = wrapper.wrap(type, writer, context, pool, type.getDeclaredFields(), type.getDeclaredMethods(),
                writerFlags, readerFlags);
        reader.accept(visitor, readerFlags);
        return writer.toByteArray();
    }

    /** Loads the weaving machinery (a no-op weave of the advice class itself), off the critical path. */
    static void warmUp() {
        Advice.withCustomMapping().bind(TagId.class, 1).to(SpanAdvice.class);
        TypePool.Default.of(ClassFileLocator.ForClassLoader.of(ConfTransformer.class.getClassLoader()))
                .describe(SpanAdvice.class.getName()).resolve().getDeclaredMethods();
        new ClassWriter(0);
    }
}
