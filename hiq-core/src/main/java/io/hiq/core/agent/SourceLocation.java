package io.hiq.core.agent;

import java.util.HashMap;
import java.util.Map;
import net.bytebuddy.dynamic.ClassFileLocator;
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

    private SourceLocation(String sourceFile, Map<String, Integer> firstLines) {
        this.sourceFile = sourceFile;
        this.firstLines = firstLines;
    }

    /** Reads {@code typeName}'s class file through {@code locator}; an unknown location when that fails. */
    static SourceLocation of(ClassFileLocator locator, String typeName) {
        Map<String, Integer> lines = new HashMap<>();
        String[] source = {null};
        try {
            ClassFileLocator.Resolution r = locator.locate(typeName);
            if (!r.isResolved()) return new SourceLocation(null, lines);
            new ClassReader(r.resolve()).accept(new ClassVisitor(Opcodes.ASM9) {
                @Override
                public void visitSource(String file, String debug) { source[0] = file; }

                @Override
                public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
                    String key = name + descriptor;
                    return new MethodVisitor(Opcodes.ASM9) {
                        @Override
                        public void visitLineNumber(int line, Label start) { lines.merge(key, line, Math::min); }
                    };
                }
            }, ClassReader.SKIP_FRAMES);
        } catch (Exception | LinkageError e) {
            // no debug information: the extra says so
        }
        return new SourceLocation(source[0], lines);
    }

    /** {@code File.java:line} for a method ({@code name + descriptor}), or what is known of it. */
    String of(String nameAndDescriptor) {
        Integer line = firstLines.get(nameAndDescriptor);
        String file = sourceFile == null ? "<unknown source>" : sourceFile;
        return line == null ? file : file + ":" + line;
    }
}
