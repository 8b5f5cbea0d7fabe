package io.hiq.core.agent;

import java.util.ArrayList;
import java.util.List;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;

/**
 * A method as its class file declares it (access flags, name, descriptor), read with ASM: what
 * the conf's entries are matched against, without loading the class or describing it with
 * ByteBuddy's type pool.
 */
record DeclaredMethod(int access, String name, String descriptor) {

    /** The methods {@code classfile} declares, in order (constructors and the type initialiser included). */
    static List<DeclaredMethod> of(byte[] classfile) {
        List<DeclaredMethod> out = new ArrayList<>();
        new ClassReader(classfile).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
                out.add(new DeclaredMethod(access, name, descriptor));
                return null;
            }
        }, ClassReader.SKIP_CODE | ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        return out;
    }

    boolean isConstructor() { return name.equals("<init>"); }
    boolean isTypeInitializer() { return name.equals("<clinit>"); }
    boolean isStatic() { return (access & Opcodes.ACC_STATIC) != 0; }
    boolean isAbstract() { return (access & Opcodes.ACC_ABSTRACT) != 0; }
    boolean isNative() { return (access & Opcodes.ACC_NATIVE) != 0; }
    boolean isBridge() { return (access & Opcodes.ACC_BRIDGE) != 0; }
    boolean isSynthetic() { return (access & Opcodes.ACC_SYNTHETIC) != 0; }

    /** The parameter types' names as Java writes them: {@code java.lang.String}, {@code int[]}, {@code a.B$C}. */
    String[] parameterTypeNames() {
        Type[] ts = Type.getArgumentTypes(descriptor);
        String[] out = new String[ts.length];
        for (int i = 0; i < ts.length; i++) out[i] = ts[i].getClassName();
        return out;
    }

    /** {@code name + descriptor}: the key of a method in a class file. */
    String key() { return name + descriptor; }

    /** {@code (int,String)}: the parameter types' simple names, for the {@code func} extra. */
    String signature() {
        StringBuilder sb = new StringBuilder("(");
        String[] ps = parameterTypeNames();
        for (int i = 0; i < ps.length; i++) {
            if (i > 0) sb.append(',');
            sb.append(simpleName(ps[i]));
        }
        return sb.append(')').toString();
    }

    /** {@code java.util.Map$Entry[]} → {@code Entry[]}. */
    static String simpleName(String javaName) {
        int dims = javaName.indexOf('[');
        String base = dims < 0 ? javaName : javaName.substring(0, dims);
        String arrays = dims < 0 ? "" : javaName.substring(dims);
        base = base.substring(base.lastIndexOf('.') + 1);
        int dollar = base.lastIndexOf('$');
        if (dollar >= 0 && dollar < base.length() - 1) base = base.substring(dollar + 1);
        return base + arrays;
    }
}
