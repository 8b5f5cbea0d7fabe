package io.hiq.jack.report;

/**
 * Jack's one way to talk to the user: a line {@code hiq: jack: …} on stderr, escaped and with
 * credentials masked ({@link SafeText}), so that no message Jack quotes (an exception of the Kafka
 * client or the OCI SDK, a file name, a setting) can break the line or leak a secret.
 */
public final class Stderr {
    private Stderr() {}

    /** Prints {@code hiq: jack: <message>} as one line. */
    public static void line(String message) {
        System.err.println("hiq: jack: " + SafeText.clean(message));
    }

    /** A throwable as {@code SimpleName: message}, for quoting in a line. */
    public static String describe(Throwable t) {
        if (t == null) return "no acknowledgement";
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }
}
