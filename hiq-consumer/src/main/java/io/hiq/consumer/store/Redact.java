package io.hiq.consumer.store;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks credentials before a JDBC URL or an error text reaches a log line or a message: the
 * user-info of a URL ({@code //user:secret@host} → {@code //***@host}) and password-like parameters
 * ({@code password=…}, {@code sslpassword=…}, {@code PASSWORD=…}; {@code ?}, {@code &} or {@code ;}
 * separated, as PostgreSQL and H2 URLs write them).
 */
public final class Redact {
    private static final Pattern USER_INFO = Pattern.compile("//[^/@\\s?;&]*@");
    private static final Pattern SECRET_PARAM = Pattern.compile(
            "(?i)((?:ssl)?password|pwd|passwd|secret|user|token)=([^&;\\s]*)");

    private Redact() {}

    /** The URL or text with every credential replaced by {@code ***}. */
    public static String text(String s) {
        if (s == null) return null;
        String out = USER_INFO.matcher(s).replaceAll("//***@");
        return SECRET_PARAM.matcher(out).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + "=***"));
    }
}
