package io.hiq.jack.oci;

import com.oracle.bmc.Region;
import com.oracle.bmc.auth.SimpleAuthenticationDetailsProvider;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/** An RSA key made for the test, as the PKCS#8 PEM the SDK signs requests with. */
final class TestKeys {
    static final String FINGERPRINT = "20:3b:97:13:55:1c:5b:0d:d3:37:d8:50:4e:c5:3a:34";
    private static final String PEM = pem();

    private TestKeys() {}

    private static String pem() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            KeyPair kp = g.generateKeyPair();
            return "-----BEGIN PRIVATE KEY-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(kp.getPrivate().getEncoded())
                    + "\n-----END PRIVATE KEY-----\n";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static SimpleAuthenticationDetailsProvider auth() {
        return SimpleAuthenticationDetailsProvider.builder()
                .tenantId("ocid1.tenancy.oc1..aaaatest")
                .userId("ocid1.user.oc1..aaaatest")
                .fingerprint(FINGERPRINT)
                .region(Region.US_ASHBURN_1)
                .privateKeySupplier(() -> new ByteArrayInputStream(PEM.getBytes(StandardCharsets.US_ASCII)))
                .build();
    }

    /** Writes an OCI config file with one profile and its key file; returns the config's path. */
    static Path configFile(Path dir, String profile) throws java.io.IOException {
        Path key = dir.resolve("oci_api_key.pem");
        Files.writeString(key, PEM);
        Path cfg = dir.resolve("oci-config");
        Files.writeString(cfg, "[" + profile + "]\n"
                + "user=ocid1.user.oc1..aaaatest\n"
                + "fingerprint=" + FINGERPRINT + "\n"
                + "key_file=" + key + "\n"
                + "tenancy=ocid1.tenancy.oc1..aaaatest\n"
                + "region=us-ashburn-1\n");
        return cfg;
    }
}
