package io.hiq.core.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Map;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import org.junit.jupiter.api.Test;

/**
 * {@link SpanWeaver} on bytecode javac never writes but other compilers and bytecode tools do: a
 * parameter's slot reused for a value of another type (here a {@code String} parameter's slot
 * holding an {@code int}, and a {@code long} parameter's two slots holding a reference). The
 * woven method must still pass the verifier (classes of a non-boot loader are verified) and
 * behave as before, on its normal and its exceptional path: HiQ's exit code needs none of the
 * parameters, so its frames must not claim their declared types.
 */
class SpanWeaverForeignBytecodeTest {
    private static final String NAME = "foreign/Reuse";
    private static final String DESC = "(Ljava/lang/String;J)Ljava/lang/String;";

    /**
     * {@code static String m(String s, long l)}: {@code s}'s slot gets the int {@code s.length()},
     * {@code l}'s slots get a {@code StringBuilder}; throws when the length is 0, else returns
     * the builder's text.
     */
    private static byte[] foreignClass() {
        ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_FRAMES | ClassWriter.COMPUTE_MAXS);
        cw.visit(Opcodes.V17, Opcodes.ACC_PUBLIC | Opcodes.ACC_SUPER, NAME, null, "java/lang/Object", null);
        MethodVisitor mv = cw.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "m", DESC, null, null);
        mv.visitCode();
        mv.visitVarInsn(Opcodes.ALOAD, 0);
        mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, "java/lang/String", "length", "()I", false);
        mv.visitVarInsn(Opcodes.ISTORE, 0);                           // slot 0: String -> int
        mv.visitTypeInsn(Opcodes.NEW, "java/lang/StringBuilder");
        mv.visitInsn(Opcodes.DUP);
        mv.visitLdcInsn("len=");
        mv.visitMethodInsn(Opcodes.INVOKESPECIAL, "java/lang/StringBuilder", "<init>", "(Ljava/lang/String;)V", false);
        mv.visitVarInsn(Opcodes.ASTORE, 1);                           // slots 1-2: long -> StringBuilder
        Label ok = new Label();
        mv.visitVarInsn(Opcodes.ILOAD, 0);
        mv.visitJumpInsn(Opcodes.IFNE, ok);
        mv.visitTypeInsn(Opcodes.NEW, "java/lang/IllegalArgumentException");
        mv.visitInsn(Opcodes.DUP);
        mv.visitLdcInsn("empty");
        mv.visitMethodInsn(Opcodes.INVOKESPECIAL, "java/lang/IllegalArgumentException", "<init>", "(Ljava/lang/String;)V", false);
        mv.visitInsn(Opcodes.ATHROW);
        mv.visitLabel(ok);
        mv.visitVarInsn(Opcodes.ALOAD, 1);
        mv.visitVarInsn(Opcodes.ILOAD, 0);
        mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, "java/lang/StringBuilder", "append", "(I)Ljava/lang/StringBuilder;", false);
        mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, "java/lang/StringBuilder", "toString", "()Ljava/lang/String;", false);
        mv.visitInsn(Opcodes.ARETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
        cw.visitEnd();
        return cw.toByteArray();
    }

    private static Method load(byte[] classFile) throws Exception {
        ClassLoader loader = new ClassLoader(SpanWeaverForeignBytecodeTest.class.getClassLoader()) {
            @Override
            protected Class<?> findClass(String name) throws ClassNotFoundException {
                if (!name.equals(NAME.replace('/', '.'))) throw new ClassNotFoundException(name);
                return defineClass(name, classFile, 0, classFile.length);
            }
        };
        return loader.loadClass(NAME.replace('/', '.')).getMethod("m", String.class, long.class);
    }

    @Test
    void aParameterSlotReusedForAnotherTypeStillVerifiesAndBehavesAsBefore() throws Exception {
        byte[] original = foreignClass();
        assertThat(load(original).invoke(null, "abc", 9L)).as("the foreign class itself").isEqualTo("len=3");

        byte[] woven = SpanWeaver.weave(original, Map.of("m" + DESC, new SpanWeaver.Plan(1, false)));
        Method m = load(woven);
        assertThat(m.invoke(null, "abcd", 1L)).isEqualTo("len=4");
        assertThatThrownBy(() -> m.invoke(null, "", 1L)).isInstanceOf(InvocationTargetException.class)
                .cause().isInstanceOf(IllegalArgumentException.class).hasMessage("empty");

        byte[] wovenWithArgs = SpanWeaver.weave(original, Map.of("m" + DESC, new SpanWeaver.Plan(1, true)));
        assertThat(load(wovenWithArgs).invoke(null, "ab", 2L)).isEqualTo("len=2");
    }
}
