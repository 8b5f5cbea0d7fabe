package io.hiq.tree.redact;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks secrets recognised by their shape inside any text, whatever the name the text came under:
 * the value of a {@code key=value} / {@code key: value} / {@code "key":"value"} pair whose key
 * {@link SecretNames#isSecret looks secret} ({@code password=…}, {@code token=…},
 * {@code Authorization: Bearer …} with its scheme and credentials), {@code Bearer …} tokens,
 * the user-info of a URL ({@code scheme://user:pass@host} → {@code scheme://***@host}),
 * JWT-shaped strings ({@code eyJ…​.…​.…}), PEM private-key blocks, and opaque tokens: a run of 24 or
 * more letters, digits, {@code _ - + /} (and base64 padding) holding both letters and digits, which is
 * what generated keys look like and what words, paths and numbers do not; hex in one case (UUIDs,
 * trace and request ids, digests) is kept, as an identifier: a hex-encoded secret is not
 * recognised by its shape.
 *
 * <p>Each secret becomes {@link #MASK}; the rest of the text is kept, so a trace still says what
 * it was ({@code https://***@db/x?password=***&user=app}).
 */
public final class SecretValues {
    /** What a masked secret is replaced by. */
    public static final String MASK = "***";

    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]*PRIVATE KEY[A-Z0-9 ]*)-----.*?(-----END[A-Z0-9 ]*-----|$)", Pattern.DOTALL);
    private static final Pattern URL_USER_INFO = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*://)[^/\\s?#]*@");
    /**
     * {@code key<sep>value}: a key, optional closing quote, {@code =} or {@code :}, then a quoted
     * value or an optional auth scheme plus one token. Values stop at separators of query strings,
     * maps, JSON and headers.
     */
    private static final Pattern PAIR = Pattern.compile(
            "([A-Za-z_][A-Za-z0-9_.-]*)([\"']?[ \\t]*[:=][ \\t]*)"
            + "(\"[^\"]*\"|'[^']*'|(?:(?i:bearer|basic|digest|negotiate|token|apikey)[ \\t]+)?[^\\s&;,?\"'{}\\[\\]()<>]+)");
    private static final Pattern BEARER = Pattern.compile("(?i)\\b(bearer)[ \\t]+[A-Za-z0-9._~+/=-]{6,}");
    private static final Pattern JWT = Pattern.compile("eyJ[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]*)?");
    /** {@code =} only as base64 padding at the end, so {@code key=value} is not read as one run. */
    private static final Pattern OPAQUE = Pattern.compile("(?<![A-Za-z0-9_+/-])[A-Za-z0-9_+/-]{24,}={0,2}(?![A-Za-z0-9_+/=-])");

    /** Hex in one case, hyphens allowed: UUIDs, trace and request ids, tree ids, digests. */
    private static final Pattern HEX = Pattern.compile("[0-9a-f-]+|[0-9A-F-]+");

    private SecretValues() {}

    /** {@code text} with every recognised secret replaced by {@link #MASK}; the same instance when none is found; null for null. */
    public static String mask(String text) {
        if (text == null || !suspicious(text)) return text;
        String s = text;
        // an END line is kept, or written when the text was cut, so that masking masked text
        // (joined with more text, as the args extra is) changes nothing
        s = replace(PEM, s, m -> "-----BEGIN " + m.group(1) + "-----" + MASK + (m.group(2).isEmpty() ? "-----END-----" : m.group(2)));
        s = replace(URL_USER_INFO, s, m -> m.group(1) + MASK + "@");
        s = replace(JWT, s, m -> MASK);
        s = pairs(s);
        s = replace(BEARER, s, m -> m.group(1) + " " + MASK);
        s = replace(OPAQUE, s, m -> opaque(m.group()) ? MASK : m.group());
        return s.equals(text) ? text : s;
    }

    /** Whether {@link #mask} would change {@code text}. */
    public static boolean containsSecret(String text) {
        return text != null && !text.equals(mask(text));
    }

    /**
     * A cheap scan that lets plain text (a name, a path, a number) through without running the
     * patterns: every rule needs a {@code :} {@code =} or {@code @}, a {@code -----} or {@code eyJ},
     * a {@code Bearer} (space-separated), or a long run of token characters.
     */
    private static boolean suspicious(String s) {
        int run = 0;
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (c == '=' || c == ':' || c == '@' || c == '-' && s.startsWith("-----", i)
                    || c == 'e' && s.startsWith("eyJ", i) || (c == 'b' || c == 'B') && s.regionMatches(true, i, "bearer", 0, 6)) {
                return true;
            }
            run = tokenChar(c) ? run + 1 : 0;
            if (run >= 24) return true;
        }
        return false;
    }

    private static boolean tokenChar(char c) {
        return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '+' || c == '/' || c == '=' || c == '-';
    }

    /**
     * A generated key mixes letters and digits; words do not. Hex in one case is let through: it is
     * what ids look like (UUIDs, trace and request ids, HiQ's tree ids), which traces must keep.
     * A run with {@code /} may be a path ({@code /orders/7/items/12345678}): base64 with {@code /}
     * is taken only when it also mixes upper and lower case, as random base64 does.
     */
    private static boolean opaque(String run) {
        if (HEX.matcher(run).matches()) return false;
        boolean upper = false, lower = false, digit = false, slash = false;
        for (int i = 0; i < run.length(); i++) {
            char c = run.charAt(i);
            upper |= c >= 'A' && c <= 'Z';
            lower |= c >= 'a' && c <= 'z';
            digit |= c >= '0' && c <= '9';
            slash |= c == '/';
        }
        return digit && (upper || lower) && (!slash || upper && lower);
    }

    /**
     * Masks the values of secret-keyed pairs. A pair whose key is harmless is not consumed: the
     * search goes on right after its separator, since its value may itself hold a pair
     * ({@code failed: password=x}).
     */
    private static String pairs(String s) {
        Matcher m = PAIR.matcher(s);
        StringBuilder sb = null;
        int copied = 0;
        int from = 0;
        while (from < s.length() && m.find(from)) {
            String v = m.group(3);
            if (!SecretNames.isSecret(m.group(1)) || MASK.equals(v)) {
                from = m.end(2);
                continue;
            }
            if (sb == null) sb = new StringBuilder(s.length());
            String quote = v.startsWith("\"") ? "\"" : v.startsWith("'") ? "'" : "";
            sb.append(s, copied, m.start(3)).append(quote).append(MASK).append(quote);
            copied = m.end(3);
            from = copied;
        }
        return sb == null ? s : sb.append(s, copied, s.length()).toString();
    }

    private static String replace(Pattern p, String s, java.util.function.Function<Matcher, String> with) {
        Matcher m = p.matcher(s);
        if (!m.find()) return s;
        StringBuilder sb = new StringBuilder(s.length());
        do {
            m.appendReplacement(sb, Matcher.quoteReplacement(with.apply(m)));
        } while (m.find());
        m.appendTail(sb);
        return sb.toString();
    }
}
