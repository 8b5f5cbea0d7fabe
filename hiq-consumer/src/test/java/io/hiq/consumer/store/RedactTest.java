package io.hiq.consumer.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RedactTest {
    @Test
    void jdbcCredentialsAreMaskedByTheSharedRulesPlusTheUser() {
        assertThat(Redact.text("jdbc:postgresql://app:hunter2@db:5432/hiq?sslpassword=k1&user=app&ssl=true"))
                .isEqualTo("jdbc:postgresql://***@db:5432/hiq?sslpassword=***&user=***&ssl=true");
        assertThat(Redact.text("jdbc:h2:file:/x/db;USER=sa;PASSWORD=s3cr3t;MODE=PostgreSQL"))
                .isEqualTo("jdbc:h2:file:/x/db;USER=***;PASSWORD=***;MODE=PostgreSQL");
        assertThat(Redact.text("FATAL: password authentication failed for user \"app\" token=abc"))
                .doesNotContain("abc");
    }

    @Test
    void harmlessTextIsKept() {
        assertThat(Redact.text("jdbc:h2:mem:hiq;MODE=PostgreSQL")).isEqualTo("jdbc:h2:mem:hiq;MODE=PostgreSQL");
        assertThat(Redact.text("username=bob author=x")).isEqualTo("username=bob author=x");
        assertThat(Redact.text(null)).isNull();
    }
}
