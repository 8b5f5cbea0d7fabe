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

    // The enter advice hands the thread's buffer to the exit advice (as an Object: the buffer's type
    // is HiQ's own), which saves the exit a second thread-local lookup.
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static Object enter(@TagId int tagId) {
        return Recorder.enterToken(tagId);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@TagId int tagId, @Advice.Enter Object token, @Advice.Thrown Throwable thrown) {
        Recorder.exitToken(tagId, token, thrown);
    }
}
