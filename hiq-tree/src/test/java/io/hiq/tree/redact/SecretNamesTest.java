package io.hiq.tree.redact;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SecretNamesTest {
    @Test
    void theBroadListMatchesEverySecretLookingName() {
        for (String n : new String[] {"password", "pass", "passphrase", "passwd", "pwd", "secret", "clientSecret", "token",
                "sessionToken", "key", "apiKey", "apikey", "x-api-key", "creds", "credentials", "auth", "authHeader",
                "Authorization", "cookie", "sessionId", "JSESSIONID", "jwt", "bearer", "privateKey", "signature", "salt",
                "nonce", "cvv", "iban", "pin", "userPin", "card_pin", "otp", "ssn", "sig", "mfa", "PIN", "OTP"}) {
            assertThat(SecretNames.isSecret(n)).as(n).isTrue();
        }
    }

    @Test
    void nearMissesAreNotSecret() {
        for (String n : new String[] {"author", "authorName", "shipping", "footprint", "user", "quantity", "orderId", "span",
                "timeSpan", "company", "design", "spinner", "topping", "sign", "name", "path", "route", "status"}) {
            assertThat(SecretNames.isSecret(n)).as(n).isFalse();
        }
        assertThat(SecretNames.isSecret(null)).isFalse();
    }
}
