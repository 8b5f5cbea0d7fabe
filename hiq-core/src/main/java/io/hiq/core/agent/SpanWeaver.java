package io.hiq.core.agent;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;
import net.bytebuddy.jar.asm.TypePath;

/**
 * Weaves the span recording into a class file with plain ASM: for every traced method,
 *
 * <pre>{@code
 * Object token;
 * try { token = Recorder.enterToken(TAG); } catch (Throwable t) { token = null; }   // or ArgsAdvice.enter(TAG, args)
 * try { <the original body, every return stores its value and jumps to exit> }
 * catch (Throwable t) { thrown = t; }
 * exit: try { Recorder.exitToken(TAG, token, thrown); } catch (Throwable ignored) {}
 * if (thrown != null) throw thrown; return value;
 * }</pre>
 *
 * the same code ByteBuddy's {@code Advice} inlined before (the former {@code SpanAdvice}), without
 * ByteBuddy's ~500 classes at start-up (docs/PERFORMANCE.md section 15). HiQ's
 * three locals (token, return value, thrown) take the slots right after the parameters and the
 * method's own locals move up by as many slots; stack map frames are rewritten accordingly (the
 * class file is read with expanded frames), so no class is ever loaded to compute frames.
 * Constructors and type initialisers are never traced ({@link Instrumenter#matches}).
 */
final class SpanWeaver {
    /** One traced method's tag and whether it captures its arguments. */
    record Plan(int tagId, boolean args) {}

    private static final String RECORDER = "io/hiq/core/event/Recorder";
    private static final String ARGS = "io/hiq/core/agent/ArgsAdvice";
    private static final String THROWABLE = "java/lang/Throwable";
    private static final String OBJECT = "java/lang/Object";

    private SpanWeaver() {}

    /**
     * The class file with the planned methods woven.
     *
     * @param plans method {@code name + descriptor} → what to weave into it
     */
    static byte[] weave(byte[] classfile, Map<String, Plan> plans) {
        ClassReader reader = new ClassReader(classfile);
        ClassWriter writer = new ClassWriter(reader, 0); // frames and sizes are written by hand: nothing is loaded
        String owner = reader.getClassName();
        int version = readVersion(classfile);
        boolean frames = version >= Opcodes.V1_6;
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
                MethodVisitor mv = super.visitMethod(access, name, descriptor, signature, exceptions);
                Plan plan = plans.get(name + descriptor);
                if (plan == null || mv == null) return mv;
                return new Woven(mv, owner, access, descriptor, plan, frames);
            }
        }, frames ? ClassReader.EXPAND_FRAMES : 0);
        return writer.toByteArray();
    }

    private static int readVersion(byte[] classfile) {
        return ((classfile[6] & 0xFF) << 8) | (classfile[7] & 0xFF);
    }

    /** The woven method: the original body between HiQ's enter and exit code, its locals moved up. */
    private static final class Woven extends PrologueVisitor {
        private final String owner;
        private final boolean isStatic;
        private final Type[] params;
        private final Type ret;
        private final Plan plan;
        private final boolean frames;
        /** First slot after the parameters: HiQ's token; the method's own locals start at {@code firstLocal + shift}. */
        private final int firstLocal;
        private final int retSlot;
        private final int thrownSlot;
        private final int shift;
        private final Object[] paramFrame;
        private final Label bodyStart = new Label(), bodyEnd = new Label(), bodyHandler = new Label(), exit = new Label();
        Woven(MethodVisitor mv, String owner, int access, String descriptor, Plan plan, boolean frames) {
            super(mv);
            this.owner = owner;
            this.isStatic = (access & Opcodes.ACC_STATIC) != 0;
            this.params = Type.getArgumentTypes(descriptor);
            this.ret = Type.getReturnType(descriptor);
            this.plan = plan;
            this.frames = frames;
            int slot = isStatic ? 0 : 1;
            for (Type p : params) slot += p.getSize();
            this.firstLocal = slot;
            this.retSlot = slot + 1;
            this.thrownSlot = retSlot + ret.getSize();
            this.shift = 1 + ret.getSize() + 1;
            List<Object> pf = new ArrayList<>();
            if (!isStatic) pf.add(owner);
            for (Type p : params) pf.add(frameType(p));
            this.paramFrame = pf.toArray();
        }

        /** HiQ's enter code and handlers, once, after the original try-catch blocks were declared (they must win). */
        @Override
        protected void prologue() {
            Label enterStart = new Label(), enterEnd = new Label(), enterHandler = new Label(), afterEnter = new Label();
            super.visitTryCatchBlock(enterStart, enterEnd, enterHandler, THROWABLE);
            super.visitTryCatchBlock(bodyStart, bodyEnd, bodyHandler, THROWABLE);
            super.visitLabel(enterStart);
            push(plan.tagId());
            if (plan.args()) {
                pushArguments();
                super.visitMethodInsn(Opcodes.INVOKESTATIC, ARGS, "enter", "(I[Ljava/lang/Object;)Ljava/lang/Object;", false);
            } else {
                super.visitMethodInsn(Opcodes.INVOKESTATIC, RECORDER, "enterToken", "(I)Ljava/lang/Object;", false);
            }
            super.visitVarInsn(Opcodes.ASTORE, firstLocal);
            super.visitLabel(enterEnd);
            super.visitJumpInsn(Opcodes.GOTO, afterEnter);
            super.visitLabel(enterHandler);
            frame(paramFrame, new Object[] {THROWABLE});
            super.visitInsn(Opcodes.POP); // suppressed: the call is not recorded, the method runs
            super.visitInsn(Opcodes.ACONST_NULL);
            super.visitVarInsn(Opcodes.ASTORE, firstLocal);
            super.visitLabel(afterEnter);
            frame(withToken(), new Object[0]);
            super.visitLabel(bodyStart);
            super.visitInsn(Opcodes.NOP); // keeps the body's own first frame (a loop at offset 0) off this one's offset
        }

        private void pushArguments() {
            push(params.length);
            super.visitTypeInsn(Opcodes.ANEWARRAY, OBJECT);
            int slot = isStatic ? 0 : 1;
            for (int i = 0; i < params.length; i++) {
                super.visitInsn(Opcodes.DUP);
                push(i);
                Type p = params[i];
                super.visitVarInsn(p.getOpcode(Opcodes.ILOAD), slot);
                box(p);
                super.visitInsn(Opcodes.AASTORE);
                slot += p.getSize();
            }
        }

        private void box(Type t) {
            String boxed;
            switch (t.getSort()) {
                case Type.BOOLEAN -> boxed = "java/lang/Boolean";
                case Type.BYTE -> boxed = "java/lang/Byte";
                case Type.CHAR -> boxed = "java/lang/Character";
                case Type.SHORT -> boxed = "java/lang/Short";
                case Type.INT -> boxed = "java/lang/Integer";
                case Type.LONG -> boxed = "java/lang/Long";
                case Type.FLOAT -> boxed = "java/lang/Float";
                case Type.DOUBLE -> boxed = "java/lang/Double";
                default -> { return; }
            }
            super.visitMethodInsn(Opcodes.INVOKESTATIC, boxed, "valueOf", "(" + t.getDescriptor() + ")L" + boxed + ";", false);
        }

        private void push(int value) {
            if (value >= -1 && value <= 5) super.visitInsn(Opcodes.ICONST_0 + value);
            else if (value >= Byte.MIN_VALUE && value <= Byte.MAX_VALUE) super.visitIntInsn(Opcodes.BIPUSH, value);
            else if (value >= Short.MIN_VALUE && value <= Short.MAX_VALUE) super.visitIntInsn(Opcodes.SIPUSH, value);
            else super.visitLdcInsn(value);
        }

        private Object[] withToken() {
            Object[] f = java.util.Arrays.copyOf(paramFrame, paramFrame.length + 1);
            f[paramFrame.length] = OBJECT;
            return f;
        }

        /**
         * The token after the parameters' slots, each of them {@code TOP}: from the body on, HiQ's code
         * reads no parameter, and a body may have stored a value of another type in a parameter's slot
         * (other compilers and bytecode tools do; javac does not), which a frame claiming the declared
         * types would make the verifier reject.
         */
        private Object[] tokenAfterParams() {
            Object[] f = new Object[firstLocal + 1];
            java.util.Arrays.fill(f, 0, firstLocal, Opcodes.TOP);
            f[firstLocal] = OBJECT;
            return f;
        }

        /** Parameter slots (as {@code TOP}), token, return value, thrown: the locals at HiQ's exit code. */
        private Object[] exitFrame() {
            List<Object> f = new ArrayList<>(List.of(tokenAfterParams()));
            if (ret.getSort() != Type.VOID) f.add(frameType(ret));
            f.add(THROWABLE);
            return f.toArray();
        }

        private void frame(Object[] locals, Object[] stack) {
            if (frames) super.visitFrame(Opcodes.F_NEW, locals.length, locals, stack.length, stack);
        }

        private static Object frameType(Type t) {
            return switch (t.getSort()) {
                case Type.BOOLEAN, Type.BYTE, Type.CHAR, Type.SHORT, Type.INT -> Opcodes.INTEGER;
                case Type.LONG -> Opcodes.LONG;
                case Type.FLOAT -> Opcodes.FLOAT;
                case Type.DOUBLE -> Opcodes.DOUBLE;
                default -> t.getInternalName(); // objects and arrays ("[I")
            };
        }

        private int moved(int var) { return var >= firstLocal ? var + shift : var; }

        // --- the original body, its locals moved up ------------------------------------------------

        @Override
        public void visitFrame(int type, int numLocal, Object[] local, int numStack, Object[] stack) {
            begin();
            if (type != Opcodes.F_NEW) throw new IllegalStateException("compressed frame in an expanded read");
            List<Object> out = new ArrayList<>(numLocal + 4);
            int slot = 0, i = 0;
            while (i < numLocal && slot < firstLocal) {
                Object t = local[i++];
                out.add(t);
                slot += (t == Opcodes.LONG || t == Opcodes.DOUBLE) ? 2 : 1;
            }
            if (slot > firstLocal) throw new IllegalStateException("a two-slot local across the parameters' end");
            while (slot++ < firstLocal) out.add(Opcodes.TOP);
            out.add(OBJECT); // the token: set before the body, live all through it
            for (int k = 0; k < ret.getSize(); k++) out.add(Opcodes.TOP); // return value: set at exit only
            out.add(Opcodes.TOP); // thrown: set at exit only
            while (i < numLocal) out.add(local[i++]);
            super.visitFrame(type, out.size(), out.toArray(), numStack, stack);
        }

        @Override
        public void visitInsn(int opcode) {
            begin();
            if (opcode >= Opcodes.IRETURN && opcode <= Opcodes.RETURN) {
                if (opcode != Opcodes.RETURN) super.visitVarInsn(ret.getOpcode(Opcodes.ISTORE), retSlot);
                super.visitInsn(Opcodes.ACONST_NULL);
                super.visitVarInsn(Opcodes.ASTORE, thrownSlot);
                super.visitJumpInsn(Opcodes.GOTO, exit);
                return;
            }
            super.visitInsn(opcode);
        }

        @Override
        public void visitVarInsn(int opcode, int var) {
            begin();
            super.visitVarInsn(opcode, moved(var));
        }

        @Override
        public void visitIincInsn(int var, int increment) {
            begin();
            super.visitIincInsn(moved(var), increment);
        }

        @Override
        public void visitLocalVariable(String name, String descriptor, String signature, Label start, Label end, int index) {
            super.visitLocalVariable(name, descriptor, signature, start, end, moved(index));
        }

        @Override
        public net.bytebuddy.jar.asm.AnnotationVisitor visitLocalVariableAnnotation(int typeRef, TypePath typePath, Label[] start, Label[] end,
                                                                                   int[] index, String descriptor, boolean visible) {
            int[] m = new int[index.length];
            for (int k = 0; k < index.length; k++) m[k] = moved(index[k]);
            return super.visitLocalVariableAnnotation(typeRef, typePath, start, end, m, descriptor, visible);
        }


        /** After the body: the catch-all handler and the exit code, then the sizes. */
        @Override
        public void visitMaxs(int maxStack, int maxLocals) {
            begin();
            super.visitLabel(bodyEnd);
            super.visitLabel(bodyHandler);
            frame(tokenAfterParams(), new Object[] {THROWABLE});
            super.visitVarInsn(Opcodes.ASTORE, thrownSlot);
            switch (ret.getSort()) {
                case Type.VOID -> { }
                case Type.LONG -> { super.visitInsn(Opcodes.LCONST_0); super.visitVarInsn(Opcodes.LSTORE, retSlot); }
                case Type.FLOAT -> { super.visitInsn(Opcodes.FCONST_0); super.visitVarInsn(Opcodes.FSTORE, retSlot); }
                case Type.DOUBLE -> { super.visitInsn(Opcodes.DCONST_0); super.visitVarInsn(Opcodes.DSTORE, retSlot); }
                case Type.OBJECT, Type.ARRAY -> { super.visitInsn(Opcodes.ACONST_NULL); super.visitVarInsn(Opcodes.ASTORE, retSlot); }
                default -> { super.visitInsn(Opcodes.ICONST_0); super.visitVarInsn(Opcodes.ISTORE, retSlot); }
            }
            Object[] atExit = exitFrame();
            Label exitStart = new Label(), exitEnd = new Label(), exitHandler = new Label(), afterExit = new Label(), normal = new Label();
            super.visitTryCatchBlock(exitStart, exitEnd, exitHandler, THROWABLE);
            super.visitLabel(exit);
            frame(atExit, new Object[0]);
            super.visitLabel(exitStart);
            push(plan.tagId());
            super.visitVarInsn(Opcodes.ALOAD, firstLocal);
            super.visitVarInsn(Opcodes.ALOAD, thrownSlot);
            super.visitMethodInsn(Opcodes.INVOKESTATIC, RECORDER, "exitToken", "(ILjava/lang/Object;Ljava/lang/Throwable;)V", false);
            super.visitLabel(exitEnd);
            super.visitJumpInsn(Opcodes.GOTO, afterExit);
            super.visitLabel(exitHandler);
            frame(atExit, new Object[] {THROWABLE});
            super.visitInsn(Opcodes.POP); // suppressed: HiQ never changes what the method returns or throws
            super.visitLabel(afterExit);
            frame(atExit, new Object[0]);
            super.visitVarInsn(Opcodes.ALOAD, thrownSlot);
            super.visitJumpInsn(Opcodes.IFNULL, normal);
            super.visitVarInsn(Opcodes.ALOAD, thrownSlot);
            super.visitInsn(Opcodes.ATHROW);
            super.visitLabel(normal);
            frame(atExit, new Object[0]);
            if (ret.getSort() == Type.VOID) {
                super.visitInsn(Opcodes.RETURN);
            } else {
                super.visitVarInsn(ret.getOpcode(Opcodes.ILOAD), retSlot);
                super.visitInsn(ret.getOpcode(Opcodes.IRETURN));
            }
            // enter: tag + array + dup + index + a two-slot value; exit: tag, token, thrown
            int ours = plan.args() ? 7 : 3;
            super.visitMaxs(Math.max(maxStack, ours), Math.max(maxLocals + shift, thrownSlot + 1));
        }
    }
}
