package io.hiq.consumer.store;

import io.hiq.tree.redact.SecretValues;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks credentials before a JDBC URL or an error text reaches a log line or a message. The secret
 * shapes are HiQ's one shared list ({@link SecretValues}: URL user-info {@code //user:secret@host}
 * → {@code //***@host}, {@code password=…}, {@code sslpassword=…}, {@code PASSWORD=…} and every other
 * secret-looking key, {@code ?}, {@code &} or {@code ;} separated as PostgreSQL and H2 URLs write
 * them); on top of it, a JDBC URL's {@code user=} is masked too, since here it is half of a login.
 */
public final class Redact {
    private static final Pattern USER_PARAM = Pattern.compile("(?i)(\\buser)=([^&;\\s]*)");

    private Redact() {}

    /** The URL or text with every credential replaced by {@code ***}. */
    public static String text(String s) {
        if (s == null) return null;
        String out = SecretValues.mask(s);
        return USER_PARAM.matcher(out).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + "=" + SecretValues.MASK));
    }
}
