package io.hiq.export.testapp;

/** A traced method with a secret-named parameter, for the redaction check. */
public final class Accounts {
    private Accounts() {}

    public static boolean login(String user, String password) {
        return user.length() + password.length() > 3;
    }
}
