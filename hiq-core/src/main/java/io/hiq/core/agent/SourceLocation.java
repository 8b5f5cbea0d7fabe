package io.hiq.core.agent;

import java.util.HashMap;
import java.util.Map;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

/**
 * The {@code file} extra: a class's source file and each method's first line, read once from the
 * class file's debug attributes when the class is instrumented (never on the hot path).
 */
final class SourceLocation {
    private final String sourceFile;
    private final Map<String, Integer> firstLines;
    /** method → local variable slot → name, from the LocalVariableTable (javac -g) */
    private final Map<String, Map<Integer, String>> locals;
    /** method → parameter names, from the MethodParameters attribute (javac -parameters) */
    private final Map<String, java.util.List<String>> parameters;

    private SourceLocation(String sourceFile, Map<String, Integer> firstLines, Map<String, Map<Integer, String>> locals,
                           Map<String, java.util.List<String>> parameters) {
        this.sourceFile = sourceFile;
        this.firstLines = firstLines;
        this.locals = locals;
        this.parameters = parameters;
    }

    /** Reads a class file's debug attributes; an unknown location when that fails. */
    static SourceLocation of(byte[] classfile) {
        Map<String, Integer> lines = new HashMap<>();
        Map<String, Map<Integer, String>> locals = new HashMap<>();
        Map<String, java.util.List<String>> params = new HashMap<>();
        String[] source = {null};
        try {
            new ClassReader(classfile).accept(new ClassVisitor(Opcodes.ASM9) {
                @Override
                public void visitSource(String file, String debug) { source[0] = file; }

                @Override
                public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
                    String key = name + descriptor;
                    return new MethodVisitor(Opcodes.ASM9) {
                        @Override
                        public void visitLineNumber(int line, Label start) { lines.merge(key, line, Math::min); }

                        @Override
                        public void visitParameter(String pname, int paccess) {
                            params.computeIfAbsent(key, k -> new java.util.ArrayList<>()).add(pname);
                        }

                        @Override
                        public void visitLocalVariable(String lname, String ldesc, String lsig, Label start, Label end, int index) {
                            locals.computeIfAbsent(key, k -> new HashMap<>()).putIfAbsent(index, lname);
                        }
                    };
                }
            }, ClassReader.SKIP_FRAMES);
        } catch (Exception | LinkageError e) {
            // no debug information: the extra says so
        }
        return new SourceLocation(source[0], lines, locals, params);
    }

    /**
     * The parameter names of a method: from MethodParameters, else from the LocalVariableTable, else
     * {@code fallback} (null entries: unknown).
     */
    String[] parameterNames(String nameAndDescriptor, String[] fallback, boolean isStatic) {
        // … or the LocalVariableTable's, when the class was compiled with -g
        java.util.List<String> declared = parameters.get(nameAndDescriptor);
        if (declared != null && declared.size() == fallback.length && !declared.contains(null)) return declared.toArray(new String[0]);
        // no MethodParameters: the fallback (null: unknown) …
        Map<Integer, String> slots = locals.get(nameAndDescriptor);
        if (slots == null) return fallback;
        String[] out = fallback.clone();
        net.bytebuddy.jar.asm.Type[] types = net.bytebuddy.jar.asm.Type.getArgumentTypes(nameAndDescriptor.substring(nameAndDescriptor.indexOf('(')));
        int slot = isStatic ? 0 : 1;
        for (int i = 0; i < types.length && i < out.length; i++) {
            String n = slots.get(slot);
            if (n != null) out[i] = n;
            slot += types[i].getSize();
        }
        return out;
    }

    /** {@code File.java:line} for a method ({@code name + descriptor}), or what is known of it. */
    String of(String nameAndDescriptor) {
        Integer line = firstLines.get(nameAndDescriptor);
        String file = sourceFile == null ? "<unknown source>" : sourceFile;
        return line == null ? file : file + ":" + line;
    }
}
