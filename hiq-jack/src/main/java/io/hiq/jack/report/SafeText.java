package io.hiq.jack.report;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Makes a text fit for one stderr line: control characters escaped (a message with a newline or an
 * ANSI escape, e.g. from a bad setting or an exception, stays one harmless line) and credentials
 * masked. Jack's lines quote exception messages of the Kafka client and the OCI SDK, which can
 * echo configuration values: a SASL JAAS config with its {@code password="…"}, a keystore
 * password, an {@code Authorization} header, or the contents of an OCI API key file.
 */
public final class SafeText {
    /** What replaces a masked value. */
    public static final String MASK = "****";

    /** {@code password="…"}, {@code ssl.key.password=…}, {@code secret: …} and the like. */
    private static final Pattern KEY_VALUE = Pattern.compile(
            "(?i)([\\w.-]*(?:password|passwd|passphrase|secret|token|credential|api[_-]?key|private[_-]?key)[\\w.-]*)"
                    + "(\\s*[=:]\\s*)(\"[^\"]*\"|'[^']*'|[^\\s;,\"'}]+)");
    /** {@code Authorization: Bearer xyz}. */
    private static final Pattern AUTHORIZATION = Pattern.compile("(?i)(authorization\\s*[=:]\\s*)(\\S+(?:\\s+[^\\s,;]+)?)");
    /** A PEM block (an OCI API key file read into a message). */
    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----.*?(?:-----END [A-Z0-9 ]+-----|$)", Pattern.DOTALL);
    /** Long base64 with both letter cases: key material without its PEM armour. */
    private static final Pattern KEY_MATERIAL = Pattern.compile("[A-Za-z0-9+/]{40,}={0,2}");

    private SafeText() {}

    /** {@link #mask} then {@link #escape}. */
    public static String clean(String s) {
        return escape(mask(s));
    }

    /** Replaces credentials with {@link #MASK}. */
    public static String mask(String s) {
        if (s == null) return "null";
        String out = PEM.matcher(s).replaceAll(m -> Matcher.quoteReplacement("-----" + m.group(1) + " " + MASK + "-----"));
        out = KEY_VALUE.matcher(out).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + m.group(2) + MASK));
        out = AUTHORIZATION.matcher(out).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + MASK));
        Matcher km = KEY_MATERIAL.matcher(out);
        StringBuilder sb = new StringBuilder(out.length());
        while (km.find()) {
            String run = km.group();
            // OCIDs and hex ids are one case only; key material mixes both
            boolean mixed = !run.equals(run.toLowerCase(java.util.Locale.ROOT)) && !run.equals(run.toUpperCase(java.util.Locale.ROOT));
            km.appendReplacement(sb, Matcher.quoteReplacement(mixed ? MASK : run));
        }
        km.appendTail(sb);
        return sb.toString();
    }

    /**
     * Escapes control characters (C0, DEL, C1, line and paragraph separators) as {@code \n},
     * {@code \\uXXXX}: core's one rule for text printed on one line ({@link io.hiq.core.redact.SafeText#line}).
     */
    public static String escape(String s) {
        return io.hiq.core.redact.SafeText.line(s);
    }
}
