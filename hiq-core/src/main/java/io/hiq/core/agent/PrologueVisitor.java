package io.hiq.core.agent;

import net.bytebuddy.jar.asm.Handle;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

/**
 * A method visitor that writes HiQ's code before a method's original body: {@link #prologue} runs
 * once, when the first instruction, label, frame or line number of the body arrives — after the
 * body's own try-catch blocks were declared, so that the prologue's handlers come after them in
 * the exception table and never catch what the body catches itself. The prologue writes through
 * {@code super.visitXxx}, as do subclasses that rewrite the body's instructions.
 */
abstract class PrologueVisitor extends MethodVisitor {
    private boolean begun;

    PrologueVisitor(MethodVisitor mv) {
        super(Opcodes.ASM9, mv);
    }

    /** HiQ's code before the body; runs once. */
    protected abstract void prologue();

    /** Writes the prologue unless it was written already. */
    protected final void begin() {
        if (begun) return;
        begun = true;
        prologue();
    }

    @Override public void visitFrame(int type, int nLocal, Object[] local, int nStack, Object[] stack) { begin(); super.visitFrame(type, nLocal, local, nStack, stack); }
    @Override public void visitLabel(Label label) { begin(); super.visitLabel(label); }
    @Override public void visitInsn(int opcode) { begin(); super.visitInsn(opcode); }
    @Override public void visitIntInsn(int opcode, int operand) { begin(); super.visitIntInsn(opcode, operand); }
    @Override public void visitVarInsn(int opcode, int var) { begin(); super.visitVarInsn(opcode, var); }
    @Override public void visitTypeInsn(int opcode, String type) { begin(); super.visitTypeInsn(opcode, type); }
    @Override public void visitFieldInsn(int opcode, String owner, String name, String d) { begin(); super.visitFieldInsn(opcode, owner, name, d); }
    @Override public void visitMethodInsn(int opcode, String owner, String name, String d, boolean itf) { begin(); super.visitMethodInsn(opcode, owner, name, d, itf); }
    @Override public void visitInvokeDynamicInsn(String name, String d, Handle h, Object... args) { begin(); super.visitInvokeDynamicInsn(name, d, h, args); }
    @Override public void visitJumpInsn(int opcode, Label label) { begin(); super.visitJumpInsn(opcode, label); }
    @Override public void visitLdcInsn(Object value) { begin(); super.visitLdcInsn(value); }
    @Override public void visitIincInsn(int var, int increment) { begin(); super.visitIincInsn(var, increment); }
    @Override public void visitTableSwitchInsn(int min, int max, Label dflt, Label... labels) { begin(); super.visitTableSwitchInsn(min, max, dflt, labels); }
    @Override public void visitLookupSwitchInsn(Label dflt, int[] keys, Label[] labels) { begin(); super.visitLookupSwitchInsn(dflt, keys, labels); }
    @Override public void visitMultiANewArrayInsn(String d, int dims) { begin(); super.visitMultiANewArrayInsn(d, dims); }
    @Override public void visitLineNumber(int line, Label start) { begin(); super.visitLineNumber(line, start); }
}
