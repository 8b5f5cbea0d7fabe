package io.hiq.core.event;

/**
 * A span opened from code ({@code HiQ.span("checkout")}): a node like a traced method's, ended by
 * {@link #close()}. Use with try-with-resources on the thread that opened it. A span opened while
 * tracing is off records nothing and closing it does nothing.
 */
public final class Span implements AutoCloseable {
    private final int tagId;
    /** The recorder's token: null when tracing was off at open. */
    private final Object token;
    private Throwable failure;
    private boolean closed;

    Span(int tagId, Object token) {
        this.tagId = tagId;
        this.token = token;
    }

    /** Opens a span for a registered tag on the calling thread. */
    public static Span open(Tag tag) {
        return new Span(tag.id(), Recorder.enterToken(tag.id()));
    }

    /** Marks the span as ended by {@code t}: its node gets the {@code exception} extra. */
    public Span fail(Throwable t) {
        this.failure = t;
        return this;
    }

    /** Whether this span is being recorded. */
    public boolean recording() { return token != null; }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        Recorder.exitToken(tagId, token, failure);
    }
}
