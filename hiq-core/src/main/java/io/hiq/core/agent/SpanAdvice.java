package io.hiq.core.agent;

import io.hiq.core.event.Recorder;
import net.bytebuddy.asm.Advice;

/**
 * The code inlined into every traced method: record ENTER on entry, EXIT on return or throw. The tag
 * id is a constant ({@link TagId}); exceptions thrown by HiQ itself are suppressed so that tracing
 * can never change what the application sees.
 */
public final class SpanAdvice {
    private SpanAdvice() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    static boolean enter(@TagId int tagId) {
        return Recorder.enter(tagId);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@TagId int tagId, @Advice.Enter boolean entered, @Advice.Thrown Throwable thrown) {
        Recorder.exit(tagId, entered, thrown);
    }
}
