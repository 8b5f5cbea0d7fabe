package io.hiq.jack;

/**
 * A setting Jack cannot use (unreadable file, missing variable, unknown profile). Its message is
 * the one line printed on stderr after {@code hiq: jack: }: it names the variable and the file.
 */
public final class JackConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    public JackConfigException(String message) { super(message); }

    public JackConfigException(String message, Throwable cause) { super(message, cause); }
}
