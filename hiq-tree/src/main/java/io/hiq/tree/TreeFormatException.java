package io.hiq.tree;

/**
 * A byte sequence that is not a valid {@code hiq.tree/1} tree. The message says why, in words fit
 * for a dead-letter record or an error line.
 */
public final class TreeFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    public TreeFormatException(String reason) { super(reason); }

    public TreeFormatException(String reason, Throwable cause) { super(reason, cause); }
}
