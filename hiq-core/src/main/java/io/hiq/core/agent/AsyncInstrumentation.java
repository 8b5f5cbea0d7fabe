package io.hiq.core.agent;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.hiq.core.event.ContextTask;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.instrument.Instrumentation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.agent.builder.ResettableClassFileTransformer;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.matcher.ElementMatchers;

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

    /** Installs the executor instrumentation; returns null (reported on {@code err}) when it cannot. */
    public static synchronized ResettableClassFileTransformer install(Instrumentation inst, Path home, PrintStream err) {
        try {
            Class<?> bridge = bridge(inst, home);
            UnaryOperator<Object> wrapper = ContextTask::wrapAny;
            bridge.getMethod("install", UnaryOperator.class).invoke(null, wrapper);
            return new AgentBuilder.Default()
                    .disableClassFormatChanges()
                    .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
                    .with(AgentBuilder.InitializationStrategy.NoOp.INSTANCE)
                    .with(AgentBuilder.TypeStrategy.Default.DECORATE)
                    .ignore(ElementMatchers.none())
                    .type(namedOneOf("java.util.concurrent.ThreadPoolExecutor", "java.util.concurrent.ForkJoinPool",
                            "java.util.concurrent.ThreadPerTaskExecutor", "java.util.concurrent.CompletableFuture$ThreadPerTaskExecutor"))
                    // execute/submit of the pools; newThread of the thread-per-task executors (every path ends there)
                    .transform((builder, type, loader, module, pd) -> builder
                            .visit(Advice.to(RunnableAdvice.class).on(namedOneOf("execute", "submit", "newThread")
                                    .and(takesArguments(1)).and(takesArgument(0, Runnable.class))))
                            .visit(Advice.to(CallableAdvice.class).on(named("submit")
                                    .and(takesArguments(1)).and(takesArgument(0, java.util.concurrent.Callable.class)))))
                    .installOn(inst);
        } catch (Throwable t) {
            err.println(io.hiq.core.redact.SafeText.line("hiq: HIQ_ASYNC: cannot instrument the JDK's executors (" + t + "); use HiQ.wrap(executor)"));
            return null;
        }
    }

    /** Removes the executor instrumentation and the wrapping function. */
    public static synchronized void uninstall(Instrumentation inst, ResettableClassFileTransformer t) {
        if (t != null) t.reset(inst, AgentBuilder.RedefinitionStrategy.RETRANSFORMATION);
        try {
            if (bridged) Class.forName(BRIDGE, true, null).getMethod("install", UnaryOperator.class).invoke(null, (Object) null);
        } catch (ReflectiveOperationException ignored) {
            // nothing installed
        }
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

    /** Inlined into the JDK executors' methods that take a {@code Runnable}. */
    static final class RunnableAdvice {
        private RunnableAdvice() {}

        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.Argument(value = 0, readOnly = false) Runnable task) {
            task = io.hiq.bootstrap.AsyncBridge.wrap(task);
        }
    }

    /** Inlined into the JDK executors' methods that take a {@code Callable}. */
    static final class CallableAdvice {
        private CallableAdvice() {}

        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.Argument(value = 0, readOnly = false) java.util.concurrent.Callable<?> task) {
            task = io.hiq.bootstrap.AsyncBridge.wrap(task);
        }
    }
}
