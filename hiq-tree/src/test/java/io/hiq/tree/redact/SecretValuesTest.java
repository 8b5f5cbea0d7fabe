package io.hiq.tree.redact;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SecretValuesTest {
    private static final String JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLWJ5dGVz";

    @Test
    void keyValuePairsWithSecretKeysAreMasked() {
        assertThat(SecretValues.mask("https://shop/login?user=alice&password=hunter2&next=/cart"))
                .isEqualTo("https://shop/login?user=alice&password=***&next=/cart");
        assertThat(SecretValues.mask("pwd=s3cr3t;secret=abc token = xyz")).isEqualTo("pwd=***;secret=*** token = ***");
        assertThat(SecretValues.mask("User[name=bob, password=hunter2]")).isEqualTo("User[name=bob, password=***]");
        assertThat(SecretValues.mask("{\"user\":\"bob\",\"password\":\"hunter 2\"}"))
                .isEqualTo("{\"user\":\"bob\",\"password\":\"***\"}");
        assertThat(SecretValues.mask("{Accept=json, X-Api-Key=k-123}")).isEqualTo("{Accept=json, X-Api-Key=***}");
        // a harmless key's value may itself hold a pair
        assertThat(SecretValues.mask("login failed: password=x1 note: token: t2")).isEqualTo("login failed: password=*** note: token: ***");
        assertThat(SecretValues.mask("password=ab:cd=ef next")).isEqualTo("password=*** next");
    }

    @Test
    void authorizationHeadersLoseSchemeAndCredentials() {
        assertThat(SecretValues.mask("Authorization: Bearer abc.def-ghi")).isEqualTo("Authorization: ***");
        assertThat(SecretValues.mask("{Authorization=Basic dXNlcjpodW50ZXIy, Host=x}")).isEqualTo("{Authorization=***, Host=x}");
        assertThat(SecretValues.mask("sent Bearer abcdef123 upstream")).isEqualTo("sent Bearer *** upstream");
    }

    @Test
    void urlUserInfoIsMasked() {
        assertThat(SecretValues.mask("jdbc:postgresql://app:hunter2@db:5432/hiq")).isEqualTo("jdbc:postgresql://***@db:5432/hiq");
        assertThat(SecretValues.mask("amqp://u:p@ss@broker/vh")).isEqualTo("amqp://***@broker/vh");
    }

    @Test
    void jwtsPemKeysAndOpaqueTokensAreMasked() {
        assertThat(SecretValues.mask("token " + JWT + " expired")).isEqualTo("token *** expired");
        assertThat(SecretValues.mask("-----BEGIN RSA PRIVATE KEY-----\nMIIEow\nIBAAK\n-----END RSA PRIVATE KEY-----\nrest"))
                .isEqualTo("-----BEGIN RSA PRIVATE KEY-----***-----END RSA PRIVATE KEY-----\nrest");
        assertThat(SecretValues.mask("-----BEGIN PRIVATE KEY-----\nMIIEow cut")).isEqualTo("-----BEGIN PRIVATE KEY-----***-----END-----");
        assertThat(SecretValues.mask(SecretValues.mask("-----BEGIN PRIVATE KEY-----\nMIIEow cut") + ", next=1"))
                .isEqualTo("-----BEGIN PRIVATE KEY-----***-----END-----, next=1");
        assertThat(SecretValues.mask("key AKIAIOSFODNN7EXAMPLE1234 used")).isEqualTo("key *** used");
        assertThat(SecretValues.mask("sk_live_4eC39HqLyjWDarjtT1zdp7dc")).isEqualTo("***");
        assertThat(SecretValues.mask("id=dGhpcyBpcyBhIHNlY3JldA/Kz9+x1==&n=2")).isEqualTo("id=***&n=2");

    }

    @Test
    void nearMissesAreKept() {
        for (String s : new String[] {"author=Tolkien", "shipping=express", "/orders/7", "hello world", "order 12 of 30",
                "123e4567-e89b-12d3-a456-426614174000", "OrderServiceImplementationFactory",
                // ids are hex in one case: a request id, a tree id, a digest
                "request_id=0af7651916cd43dd8448eb211c80319c", "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B",
                "io.hiq.examples.shop.OrderServiceImplementation", "mailto:alice@example.com", "user@example.com",
                "https://example.com/path?page=2", "a.b.c", "-----BEGIN CERTIFICATE-----", "basic settings: ok",
                "ratio=0.5, count: 3", "eyJ", "/orders/7/items/12345678/lines", "shown=Canary-visible-E2E7",
                "averyveryverylongfieldname1=x"}) {
            assertThat(SecretValues.mask(s)).as(s).isSameAs(s);
            assertThat(SecretValues.containsSecret(s)).as(s).isFalse();
        }
        assertThat(SecretValues.mask(null)).isNull();
    }

    @Test
    void maskingIsIdempotent() {
        String once = SecretValues.mask("password=x Authorization: Bearer y https://u:p@h " + JWT
                + " -----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY----- after=1");
        assertThat(SecretValues.mask(once)).isEqualTo(once);
        assertThat(once).endsWith("-----END PRIVATE KEY----- after=1").doesNotContain("MIIE");
        assertThat(once).doesNotContain("=x ").doesNotContain(" y ").doesNotContain("u:p").doesNotContain(JWT);
    }
}
