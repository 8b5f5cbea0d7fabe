package io.hiq.core.agent;

import io.hiq.core.event.Recorder;

/**
 * The enter call woven into methods whose conf entry has the {@code args} extra ({@link SpanWeaver}):
 * {@link Recorder#enterToken} plus argument capture, so that the arguments array and their rendering
 * are paid by the methods that opted in, never by others. Public: instrumented classes call it.
 */
public final class ArgsAdvice {
    private ArgsAdvice() {}

    /** Records the call's entry and, when it is recorded, its arguments; the token for {@link Recorder#exitToken}. */
    public static Object enter(int tagId, Object[] args) {
        Object token = Recorder.enterToken(tagId);
        if (token != null) ArgsCapture.record(tagId, args);
        return token;
    }
}
