package io.hiq.core.event;

/**
 * A span opened from code ({@code HiQ.span("checkout")}): a node like a traced method's, ended by
 * {@link #close()}. Use with try-with-resources on the thread that opened it. A span opened while
 * tracing is off records nothing and closing it does nothing.
 */
public final class Span implements AutoCloseable {
    private final int tagId;
    private final boolean entered;
    private Throwable failure;
    private boolean closed;

    Span(int tagId, boolean entered) {
        this.tagId = tagId;
        this.entered = entered;
    }

    /** Opens a span for a registered tag on the calling thread. */
    public static Span open(Tag tag) {
        return new Span(tag.id(), Recorder.enter(tag.id()));
    }

    /** Marks the span as ended by {@code t}: its node gets the {@code exception} extra. */
    public Span fail(Throwable t) {
        this.failure = t;
        return this;
    }

    /** Whether this span is being recorded. */
    public boolean recording() { return entered; }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        Recorder.exit(tagId, entered, failure);
    }
}
