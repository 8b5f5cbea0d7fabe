package io.hiq.core.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hiq.HiQ;
import io.hiq.core.runtime.Settings;
import io.hiq.tree.HiQNode;
import io.hiq.tree.HiQTree;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SpanWeaver}: woven methods pass the verifier and behave exactly as before (same results,
 * same exceptions, for every shape of method: two-slot parameters and results, loops at offset 0,
 * try/catch/finally, synchronized, varargs, many locals), with and without argument capture; and
 * through the driver, they record their calls, thrown exceptions included.
 */
class SpanWeaverTest {
    @TempDir Path home;

    /** Methods of every shape the weaver must handle. */
    public static class Shapes {
        private int field = 7;

        public static long addLongs(long a, long b) { return a + b; }
        public double divide(double a, int b) { return a / b; }
        public float half(float f) { return f / 2; }
        public static boolean not(boolean b) { return !b; }
        public static char next(char c) { return (char) (c + 1); }
        public static byte inc(byte b) { return (byte) (b + 1); }
        public static short dec(short s) { return (short) (s - 1); }
        public static void nothing() { }

        /** The first instruction is a loop's target: a stack map frame at offset 0. */
        public static int spin(int n) {
            for (;;) {
                if (n-- <= 0) return n;
            }
        }

        public static String tryCatchFinally(String s) {
            StringBuilder sb = new StringBuilder();
            try {
                sb.append(s.substring(3));
                return sb.toString();
            } catch (RuntimeException e) {
                sb.append("caught ").append(e.getClass().getSimpleName());
                return sb.toString();
            } finally {
                sb.append("!");
            }
        }

        public static void throwsChecked(String msg) throws IOException { throw new IOException(msg); }

        public static int throwsInLoop(int n) {
            int sum = 0;
            for (int i = 0; i < n; i++) {
                if (i == 3) throw new IllegalStateException("at " + i);
                sum += i;
            }
            return sum;
        }

        public synchronized int locked(int x) { return x + field; }

        public static String varargs(String... xs) { return String.join("+", xs); }

        public static double manyLocals(int a, long b, double c, Object d) {
            long x = a + b;
            double y = c * 2;
            String z = String.valueOf(d);
            int[] arr = {1, 2, 3};
            int k = 0;
            for (int v : arr) k += v;
            switch (a) {
                case 1 -> y += 1;
                case 2 -> y += 2;
                default -> y += z.length();
            }
            return x + y + k;
        }

        public int[] arrays(int[][] grid) {
            int[] out = new int[grid.length];
            for (int i = 0; i < grid.length; i++) out[i] = Arrays.stream(grid[i]).sum();
            return out;
        }

        public static Object lambda(int n) {
            java.util.function.IntUnaryOperator f = v -> v * n;
            return f.applyAsInt(3);
        }
    }

    /** Calls every traced method of {@code c} on one instance, in a fixed order: what each returned or threw. */
    private static List<String> exercise(Class<?> c) throws Exception {
        Object o = c.getConstructor().newInstance();
        Map<String, Object[]> args = new HashMap<>();
        args.put("addLongs", new Object[] {Long.MAX_VALUE - 5, 3L});
        args.put("divide", new Object[] {7.5, 2});
        args.put("half", new Object[] {3f});
        args.put("not", new Object[] {true});
        args.put("next", new Object[] {'a'});
        args.put("inc", new Object[] {(byte) 127});
        args.put("dec", new Object[] {(short) -32768});
        args.put("nothing", new Object[0]);
        args.put("spin", new Object[] {5});
        args.put("tryCatchFinally", new Object[] {"ab"});
        args.put("throwsChecked", new Object[] {"boom"});
        args.put("throwsInLoop", new Object[] {10});
        args.put("locked", new Object[] {5});
        args.put("varargs", new Object[] {new String[] {"a", "b"}});
        args.put("manyLocals", new Object[] {3, 4L, 1.5, "four"});
        args.put("arrays", new Object[] {new int[][] {{1, 2}, {3}}});
        args.put("lambda", new Object[] {4});
        List<String> out = new ArrayList<>();
        for (String name : args.keySet().stream().sorted().toList()) {
            Method m = Arrays.stream(c.getDeclaredMethods()).filter(x -> x.getName().equals(name)).findFirst().orElseThrow();
            try {
                Object r = m.invoke(Modifier.isStatic(m.getModifiers()) ? null : o, args.get(name));
                out.add(name + " = " + (r instanceof int[] a ? Arrays.toString(a) : Objects.toString(r)));
            } catch (InvocationTargetException e) {
                out.add(name + " threw " + e.getCause());
            }
        }
        // the tryCatchFinally path that returns normally
        Method m = c.getMethod("tryCatchFinally", String.class);
        out.add("tryCatchFinally(long) = " + m.invoke(null, "abcdef"));
        return out;
    }

    private static byte[] classFile(Class<?> c) throws IOException {
        try (InputStream in = c.getClassLoader().getResourceAsStream(c.getName().replace('.', '/') + ".class")) {
            return in.readAllBytes();
        }
    }

    /** Defines one class from the given bytes; everything else comes from the test's loader. */
    private static final class OneClassLoader extends ClassLoader {
        private final String name;
        private final byte[] bytes;

        OneClassLoader(String name, byte[] bytes) {
            super(SpanWeaverTest.class.getClassLoader());
            this.name = name;
            this.bytes = bytes;
        }

        @Override
        protected Class<?> loadClass(String n, boolean resolve) throws ClassNotFoundException {
            if (!n.equals(name)) return super.loadClass(n, resolve);
            synchronized (getClassLoadingLock(n)) {
                Class<?> c = findLoadedClass(n);
                return c != null ? c : defineClass(n, bytes, 0, bytes.length);
            }
        }
    }

    private static Map<String, SpanWeaver.Plan> planEveryMethod(byte[] classfile, boolean args) {
        Map<String, SpanWeaver.Plan> plans = new HashMap<>();
        int tag = 1;
        for (DeclaredMethod m : DeclaredMethod.of(classfile)) {
            if (m.isConstructor() || m.isTypeInitializer() || m.isAbstract() || m.isNative()) continue;
            plans.put(m.key(), new SpanWeaver.Plan(tag++, args));
        }
        return plans;
    }

    @Test
    void wovenMethodsVerifyAndBehaveExactlyAsBefore() throws Exception {
        byte[] original = classFile(Shapes.class);
        List<String> expected = exercise(Shapes.class);
        for (boolean args : new boolean[] {false, true}) {
            Map<String, SpanWeaver.Plan> plans = planEveryMethod(original, args);
            assertThat(plans).as("methods to weave").hasSizeGreaterThan(15);
            byte[] woven = SpanWeaver.weave(original, plans);
            assertThat(woven).isNotEqualTo(original);
            Class<?> c = Class.forName(Shapes.class.getName(), true, new OneClassLoader(Shapes.class.getName(), woven));
            assertThat(c.getClassLoader()).isInstanceOf(OneClassLoader.class); // verified: not a boot class
            assertThat(exercise(c)).as("results with args capture %s", args).isEqualTo(expected);
        }
    }

    @Test
    void aClassFileThatIsNotOneFailsLoudlyInsteadOfBeingWovenBadly() {
        assertThatThrownBy(() -> SpanWeaver.weave(new byte[] {1, 2, 3}, Map.of())).isInstanceOf(RuntimeException.class);
    }

    @Test
    void throughTheDriverWovenMethodsRecordTheirCallsAndTheirExceptions() throws Exception {
        String cls = SpanWeaverTest.class.getName() + "$Shapes";
        List<List<String>> conf = List.of(
                List.of("io.hiq.core.agent", "SpanWeaverTest$Shapes", "addLongs", "addLongs"),
                List.of("io.hiq.core.agent", "SpanWeaverTest$Shapes", "throwsInLoop", "throwsInLoop"),
                List.of("io.hiq.core.agent", "SpanWeaverTest$Shapes", "spin", "spin", "args"));
        assertThat(cls).endsWith("SpanWeaverTest$Shapes");
        try (HiQ hiq = HiQ.builder().conf(conf).settings(Settings.of(Map.of("HIQ_HOME", home.toString()))).start()) {
            assertThat(Shapes.addLongs(1, 2)).isEqualTo(3);
            assertThatThrownBy(() -> Shapes.throwsInLoop(5)).isInstanceOf(IllegalStateException.class).hasMessage("at 3");
            assertThat(Shapes.spin(2)).isEqualTo(-1);
            org.awaitility.Awaitility.await("three trees").atMost(java.time.Duration.ofSeconds(30)).until(() -> hiq.trees().size() == 3);
            List<HiQTree> trees = hiq.trees();
            assertThat(trees).extracting(t -> t.root().name()).containsExactly("addLongs", "throwsInLoop", "spin");
            HiQNode thrown = trees.get(1).root();
            assertThat(thrown.extra().toString()).as("the exception on the node").contains("IllegalStateException");
            assertThat(trees.get(2).root().extra().toString()).as("args captured").contains("n=2");
        }
    }
}
