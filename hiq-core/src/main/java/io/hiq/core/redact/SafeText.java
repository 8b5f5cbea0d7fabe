package io.hiq.core.redact;

/**
 * Makes text that came from outside (a conf, a class name, an exception message, a request) safe
 * to print on one line of a terminal or a log: control characters are escaped, so a value can
 * neither start a new (forged) line nor send ANSI escape sequences to the reader's terminal.
 */
public final class SafeText {
    private SafeText() {}

    /**
     * {@code s} with every control character escaped: {@code \n}, {@code \r}, {@code \t} as
     * those two-character escapes, any other C0/C1 control, DEL, and the Unicode line and paragraph
     * separators as {@code \}{@code uXXXX}. Other text, backslashes included, is unchanged;
     * {@code "null"} for null.
     */
    public static String line(String s) {
        if (s == null) return "null";
        int i = 0;
        int n = s.length();
        while (i < n && !control(s.charAt(i))) i++;
        if (i == n) return s; // the common case: nothing to escape, nothing allocated
        StringBuilder sb = new StringBuilder(n + 16).append(s, 0, i);
        for (; i < n; i++) {
            char c = s.charAt(i);
            if (!control(c)) {
                sb.append(c);
                continue;
            }
            switch (c) {
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    sb.append("\\u");
                    String hex = Integer.toHexString(c);
                    for (int k = hex.length(); k < 4; k++) sb.append('0');
                    sb.append(hex);
                }
            }
        }
        return sb.toString();
    }

    /** Whether {@code c} would break a line or drive a terminal. */
    static boolean control(char c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029';
    }
}
