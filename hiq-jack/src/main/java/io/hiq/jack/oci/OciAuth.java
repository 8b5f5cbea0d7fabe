package io.hiq.jack.oci;

import com.oracle.bmc.ConfigFileReader;
import com.oracle.bmc.auth.AbstractAuthenticationDetailsProvider;
import com.oracle.bmc.auth.ConfigFileAuthenticationDetailsProvider;
import com.oracle.bmc.auth.InstancePrincipalsAuthenticationDetailsProvider;
import io.hiq.core.runtime.Settings;
import io.hiq.jack.JackConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * How Jack authenticates to OCI Streaming: {@code HIQ_OCI_AUTH=instance_principal} uses the
 * instance's identity; otherwise the OCI config file ({@code OCI_CONFIG_FILE}, default
 * {@code ~/.oci/config}) and its profile {@code OCI_CONFIG_PROFILE} (default {@code DEFAULT}).
 * Errors name the file and the profile, never a key or a passphrase.
 */
public final class OciAuth {
    private OciAuth() {}

    /** The authentication provider the settings ask for. */
    public static AbstractAuthenticationDetailsProvider from(Settings s) throws JackConfigException {
        try {
            return factory(s).get();
        } catch (IllegalStateException e) {
            throw new JackConfigException(e.getMessage(), e);
        }
    }

    /**
     * Checks the settings now and returns what gives the provider: the config file is read at once
     * (errors at start); instance principals are fetched when the supplier is called (it talks to
     * the instance metadata service), failing with an {@link IllegalStateException}.
     */
    public static Supplier<AbstractAuthenticationDetailsProvider> factory(Settings s) throws JackConfigException {
        String mode = s.get("HIQ_OCI_AUTH", "config").toLowerCase(Locale.ROOT);
        if (mode.startsWith("instance")) {
            return () -> {
                try {
                    return InstancePrincipalsAuthenticationDetailsProvider.builder().build();
                } catch (RuntimeException e) {
                    throw new IllegalStateException("HIQ_OCI_AUTH=" + mode + ": instance principals unavailable: " + e.getMessage(), e);
                }
            };
        }
        if (!mode.equals("config")) {
            throw new JackConfigException("HIQ_OCI_AUTH: unknown value '" + mode + "' (config or instance_principal)");
        }
        String profile = s.get("OCI_CONFIG_PROFILE", "DEFAULT");
        String file = s.get("OCI_CONFIG_FILE", ConfigFileReader.DEFAULT_FILE_PATH);
        Path path = Path.of(file.startsWith("~") ? System.getProperty("user.home") + file.substring(1) : file);
        if (!Files.isReadable(path)) {
            throw new JackConfigException("OCI config file " + path + " not found or unreadable (OCI_CONFIG_FILE)");
        }
        try {
            ConfigFileReader.ConfigFile cfg = ConfigFileReader.parse(path.toString(), profile);
            AbstractAuthenticationDetailsProvider provider = new ConfigFileAuthenticationDetailsProvider(cfg);
            return () -> provider;
        } catch (IOException e) {
            throw new JackConfigException("OCI config file " + path + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException | IllegalStateException | NullPointerException e) {
            // no such profile, or a profile without user/fingerprint/key_file/tenancy
            throw new JackConfigException("OCI config file " + path + ", profile '" + profile
                    + "' (OCI_CONFIG_PROFILE): " + e.getMessage(), e);
        }
    }
}
