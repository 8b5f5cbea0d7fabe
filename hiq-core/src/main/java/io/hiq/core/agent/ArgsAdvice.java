package io.hiq.core.agent;

import io.hiq.core.event.Recorder;
import net.bytebuddy.asm.Advice;

/**
 * {@link SpanAdvice} plus argument capture, for conf entries with the {@code args} extra only: the
 * arguments array and their rendering cost is paid by the methods that opted in, never by others.
 */
public final class ArgsAdvice {
    private ArgsAdvice() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    static Object enter(@TagId int tagId, @Advice.AllArguments Object[] args) {
        Object token = Recorder.enterToken(tagId);
        if (token != null) ArgsCapture.record(tagId, args);
        return token;
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@TagId int tagId, @Advice.Enter Object token, @Advice.Thrown Throwable thrown) {
        Recorder.exitToken(tagId, token, thrown);
    }
}
