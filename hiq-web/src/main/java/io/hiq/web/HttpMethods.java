package io.hiq.web;

/**
 * Bounds the HTTP methods HiQ records: the standard ones (RFC 9110 and PATCH) are kept, every
 * other spelling becomes {@link #OTHER}. A client chooses the method freely, so without this each
 * invented method ({@code QZX1}) would become a tag of its own, held for the life of the JVM.
 */
public final class HttpMethods {
    /** The one name of every non-standard method. */
    public static final String OTHER = "OTHER";

    private HttpMethods() {}

    /** {@code method} when it is one of GET HEAD POST PUT DELETE CONNECT OPTIONS TRACE PATCH (exact, upper case), else {@link #OTHER}. */
    public static String normalize(String method) {
        if (method == null) return OTHER;
        // a switch on the exact spelling: no allocation, and "get" is not GET (methods are case-sensitive)
        return switch (method) {
            case "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH" -> method;
            default -> OTHER;
        };
    }
}
