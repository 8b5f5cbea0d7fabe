package io.hiq.jack.report;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SafeTextTest {
    @Test
    void controlCharactersAreEscapedSoALineStaysOneLine() {
        assertThat(SafeText.clean("bad\nvalue\u001b[31m\r\tx")).isEqualTo("bad\\nvalue\\u001b[31m\\r\\tx");
    }

    @Test
    void saslJaasPasswordsAreMasked() {
        String msg = "Invalid value org.apache.kafka.common.security.scram.ScramLoginModule required username=\"hiq\" "
                + "password=\"s3cr3t-Pw\"; for configuration sasl.jaas.config";
        String out = SafeText.clean(msg);
        assertThat(out).doesNotContain("s3cr3t-Pw").contains("username=\"hiq\"").contains("password=****");
        assertThat(SafeText.clean("ssl.keystore.password=hunter2, next")).doesNotContain("hunter2");
        assertThat(SafeText.clean("Authorization: Bearer abc.def.ghi")).doesNotContain("abc.def.ghi");
    }

    @Test
    void ociKeyFileContentsAreMasked() {
        String key = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\n-----END PRIVATE KEY-----";
        String out = SafeText.clean("cannot parse key: " + key);
        assertThat(out).doesNotContain("MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj").doesNotContain("\n");
        assertThat(SafeText.clean("bare MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj")).contains("****");
        // ids and OCIDs stay readable
        assertThat(SafeText.clean("ocid1.stream.oc1.iad.amaaaaaauwpiejqaxcfc2ht67wwohfg4ukqeqoqqz4ubflsb3tyx4gk3m")).contains("amaaaaaa");
    }
}
