package io.hiq.core.agent;

import io.hiq.core.event.ContextTask;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;

/**
 * {@code HIQ_ASYNC=1}: instruments the JDK's executors so that a task submitted from inside a traced
 * call carries that call to the thread that runs it, for every executor in the JVM (without it,
 * {@code HiQ.wrap(executor)} does the same for the executors it wraps).
 *
 * <p>JDK classes can only call bootstrap classes, so this puts a one-class jar ({@code AsyncBridge})
 * on the bootstrap class path. On a JVM with class data sharing that makes HotSpot print one
 * warning ("Sharing is only supported for boot loader classes…") and load application classes
 * without the shared archive: the reason this is opt-in.
 */
public final class AsyncInstrumentation {
    private static final String BRIDGE = "io.hiq.bootstrap.AsyncBridge";
    private static volatile boolean bridged;

    private AsyncInstrumentation() {}

    /** The executors whose task-taking methods are woven. */
    static final Set<String> EXECUTORS = Set.of("java/util/concurrent/ThreadPoolExecutor", "java/util/concurrent/ForkJoinPool",
            "java/util/concurrent/ThreadPerTaskExecutor", "java/util/concurrent/CompletableFuture$ThreadPerTaskExecutor");
    private static final String BRIDGE_INTERNAL = BRIDGE.replace('.', '/');

    /** Installs the executor instrumentation; returns null (reported on {@code err}) when it cannot. */
    public static synchronized ClassFileTransformer install(Instrumentation inst, Path home, PrintStream err) {
        try {
            Class<?> bridge = bridge(inst, home);
            UnaryOperator<Object> wrapper = ContextTask::wrapAny;
            bridge.getMethod("install", UnaryOperator.class).invoke(null, wrapper);
            ClassFileTransformer t = new ExecutorTransformer();
            inst.addTransformer(t, true);
            List<Class<?>> loaded = executors(inst);
            if (!loaded.isEmpty()) inst.retransformClasses(loaded.toArray(new Class<?>[0]));
            return t;
        } catch (Throwable t) {
            err.println(io.hiq.core.redact.SafeText.line("hiq: HIQ_ASYNC: cannot instrument the JDK's executors (" + t + "); use HiQ.wrap(executor)"));
            return null;
        }
    }

    /** Removes the executor instrumentation (and, given the transformer, restores the executors) and the wrapping function. */
    public static synchronized void uninstall(Instrumentation inst, ClassFileTransformer t) {
        if (t != null) {
            inst.removeTransformer(t);
            try {
                List<Class<?>> loaded = executors(inst);
                if (!loaded.isEmpty()) inst.retransformClasses(loaded.toArray(new Class<?>[0])); // without it: the original bytecode
            } catch (Exception | LinkageError ignored) {
                // the wrapping function is removed below: the woven code then passes tasks through unchanged
            }
        }
        try {
            if (bridged) Class.forName(BRIDGE, true, null).getMethod("install", UnaryOperator.class).invoke(null, (Object) null);
        } catch (ReflectiveOperationException ignored) {
            // nothing installed
        }
    }

    private static List<Class<?>> executors(Instrumentation inst) {
        List<Class<?>> out = new ArrayList<>();
        for (Class<?> c : inst.getAllLoadedClasses()) {
            if (EXECUTORS.contains(c.getName().replace('.', '/')) && inst.isModifiableClass(c)) out.add(c);
        }
        return out;
    }

    /**
     * Weaves {@code task = AsyncBridge.wrap(task)} (exceptions suppressed) at the start of the
     * executors' {@code execute(Runnable)}, {@code submit(Runnable)}, {@code submit(Callable)} and
     * {@code newThread(Runnable)}: every path of a task into those executors ends there. Adds no
     * member (retransformation allows none) and no local: the body and its frames stay as they are.
     */
    private static final class ExecutorTransformer implements ClassFileTransformer {
        @Override
        public byte[] transform(ClassLoader loader, String className, Class<?> redefined, ProtectionDomain pd, byte[] classfile) {
            if (loader != null || className == null || !EXECUTORS.contains(className)) return null; // JDK classes only
            try {
                ClassReader reader = new ClassReader(classfile);
                ClassWriter writer = new ClassWriter(reader, 0);
                boolean frames = (((classfile[6] & 0xFF) << 8) | (classfile[7] & 0xFF)) >= Opcodes.V1_6;
                reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
                    @Override
                    public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
                        MethodVisitor mv = super.visitMethod(access, name, descriptor, signature, exceptions);
                        String wrapDescriptor = taskParameter(access, name, descriptor);
                        return wrapDescriptor == null || mv == null ? mv : new WrapFirstArgument(mv, className, descriptor, wrapDescriptor, frames);
                    }
                }, frames ? ClassReader.EXPAND_FRAMES : 0); // expanded: HiQ's frames and the body's are of one kind
                return writer.toByteArray();
            } catch (RuntimeException e) {
                return null; // the executor stays plain; HiQ.wrap(executor) still works
            }
        }
    }

    /** The descriptor of {@code AsyncBridge.wrap} for a method to weave, or null for any other method. */
    static String taskParameter(int access, String name, String descriptor) {
        if ((access & (Opcodes.ACC_STATIC | Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) != 0) return null;
        if (!name.equals("execute") && !name.equals("submit") && !name.equals("newThread")) return null;
        if (descriptor.startsWith("(Ljava/lang/Runnable;)")) return "(Ljava/lang/Runnable;)Ljava/lang/Runnable;";
        if (name.equals("submit") && descriptor.startsWith("(Ljava/util/concurrent/Callable;)")) {
            return "(Ljava/util/concurrent/Callable;)Ljava/util/concurrent/Callable;";
        }
        return null;
    }

    /** {@code try { arg1 = AsyncBridge.wrap(arg1); } catch (Throwable ignored) {}} before the body. */
    private static final class WrapFirstArgument extends PrologueVisitor {
        private final Object[] params;
        private final String wrapDescriptor;
        private final boolean frames;

        WrapFirstArgument(MethodVisitor mv, String owner, String descriptor, String wrapDescriptor, boolean frames) {
            super(mv);
            this.wrapDescriptor = wrapDescriptor;
            this.frames = frames;
            this.params = new Object[] {owner, Type.getArgumentTypes(descriptor)[0].getInternalName()};
        }

        @Override
        protected void prologue() {
            Label start = new Label(), end = new Label(), handler = new Label(), after = new Label();
            super.visitTryCatchBlock(start, end, handler, "java/lang/Throwable");
            super.visitLabel(start);
            super.visitVarInsn(Opcodes.ALOAD, 1);
            super.visitMethodInsn(Opcodes.INVOKESTATIC, BRIDGE_INTERNAL, "wrap", wrapDescriptor, false);
            super.visitVarInsn(Opcodes.ASTORE, 1);
            super.visitLabel(end);
            super.visitJumpInsn(Opcodes.GOTO, after);
            super.visitLabel(handler);
            if (frames) super.visitFrame(Opcodes.F_NEW, 2, params, 1, new Object[] {"java/lang/Throwable"});
            super.visitInsn(Opcodes.POP);
            super.visitLabel(after);
            if (frames) super.visitFrame(Opcodes.F_NEW, 2, params, 0, new Object[0]);
            super.visitInsn(Opcodes.NOP); // the body's own first frame, if any, is at the next offset
        }

        @Override public void visitMaxs(int maxStack, int maxLocals) { begin(); super.visitMaxs(Math.max(maxStack, 1), Math.max(maxLocals, 2)); }
    }

    private static Class<?> bridge(Instrumentation inst, Path home) throws IOException, ClassNotFoundException {
        if (!bridged) {
            Path jar = home.resolve("agent").resolve("hiq-bootstrap-bridge.jar");
            Files.createDirectories(jar.getParent());
            String entry = BRIDGE.replace('.', '/') + ".class";
            Path tmp = Files.createTempFile(jar.getParent(), "bridge", ".jar");
            try (InputStream in = AsyncInstrumentation.class.getClassLoader().getResourceAsStream(entry);
                 OutputStream out = Files.newOutputStream(tmp);
                 JarOutputStream jos = new JarOutputStream(out)) {
                if (in == null) throw new IOException(entry + " not found");
                jos.putNextEntry(new JarEntry(entry));
                in.transferTo(jos);
                jos.closeEntry();
            }
            Files.move(tmp, jar, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            inst.appendToBootstrapClassLoaderSearch(new JarFile(jar.toFile()));
            bridged = true;
        }
        return Class.forName(BRIDGE, true, null);
    }
}
