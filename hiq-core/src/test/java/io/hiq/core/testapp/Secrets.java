package io.hiq.core.testapp;

import java.util.Map;

/** A traced method that receives secrets under innocent and under secret-looking names. */
public class Secrets {
    /** A DTO whose toString shows its password, as generated records do. */
    public record Login(String user, String password) {}

    public static int call(String user, String password, String url, String header, Map<String, String> headers,
                           Login login, String jwt, String query, String pem, String apiKey, int count, String shown) {
        return count + 1;
    }

    public static void fail(String why) {
        throw new IllegalStateException(why);
    }
}
