package io.hiq.tree.redact;

import java.util.regex.Pattern;

/**
 * Whether a name (a parameter, an extra's key, the key of a {@code key=value} pair) says that its
 * value is a secret. The list is deliberately broad: a false positive costs one {@code ***} in a
 * trace, a false negative leaks a credential.
 *
 * <p>Matched anywhere in the name, any case: {@code pass} (password, passphrase, passwd), {@code pwd},
 * {@code secret}, {@code token}, {@code key} (apiKey, privateKey), {@code cred} (creds,
 * credentials), {@code auth} but not {@code author} (yet {@code authorization}, {@code authorize}), {@code cookie}, {@code session}, {@code jwt},
 * {@code bearer}, {@code private}, {@code signature}, {@code salt}, {@code nonce}, {@code cvv},
 * {@code iban}. Matched only as whole words (delimited by non-letters or a camelCase boundary),
 * because they are common inside harmless words: {@code pin} (not shipping), {@code otp} (not
 * footprint), {@code ssn}, {@code sig}, {@code mfa}, {@code pan}, {@code cvc}.
 */
public final class SecretNames {
    private static final Pattern SECRET = Pattern.compile(
            "(?i:.*(pass|pwd|secret|token|key|cred|auth(?!or(?!i[sz]))|cookie|session|jwt|bearer|private|signature|salt|nonce|cvv|iban).*)"
            // short words only as whole words: "pin" but not "shipping", "otp" but not "footprint";
            // a word starts after a non-letter or at a lower-to-upper camelCase step (userPin)
            + "|(.*[^A-Za-z]|.*[a-z](?=[A-Z]))?(?i:pin|otp|ssn|sig|mfa|pan|cvc)([^a-z].*)?");

    private SecretNames() {}

    /** Whether the value of something called {@code name} must never be shown; false for null. */
    public static boolean isSecret(String name) {
        return name != null && SECRET.matcher(name).matches();
    }
}
