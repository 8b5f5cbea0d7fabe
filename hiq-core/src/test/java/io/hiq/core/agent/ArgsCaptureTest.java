package io.hiq.core.agent;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ArgsCaptureTest {
    enum Color { RED }

    @Test
    void secretLookingNamesAreRedactedAndLongValuesCut() {
        String[] names = {"user", "password", "apiKey", "sessionToken", "codes", "note", "credentials"};
        Object[] args = {"alice", "hunter2", "k-123", "t-456", new int[] {1, 2}, "x".repeat(300), new Object[] {"a", 1}};
        String s = ArgsCapture.render(names, args);
        assertThat(s).startsWith("user=alice, password=***, apiKey=***, sessionToken=***, codes=[1, 2], note=xxx")
                .contains("…(300 chars)").endsWith("credentials=***")
                .doesNotContain("hunter2").doesNotContain("k-123").doesNotContain("t-456");
    }

    @Test
    void withoutParameterNamesOnlyValuesThatCannotHoldTextAreShown() {
        Object[] args = {"maybe-a-password", 42, 2.5, true, Color.RED, new char[] {'p', 'w'}, new byte[] {1}, new long[] {7}, null};
        String s = ArgsCapture.render(new String[args.length], args);
        assertThat(s).isEqualTo("arg0=***, arg1=42, arg2=2.5, arg3=true, arg4=RED, arg5=***, arg6=***, arg7=[7], arg8=null");
    }

    @org.junit.jupiter.api.Test
    void theBroadNameListCoversTheIssuesNames() {
        for (String n : new String[] {"pass", "passphrase", "creds", "pin", "jwt", "bearer", "otp", "ssn", "userPin",
                "privateKey", "signature", "authHeader", "cookie", "sessionId", "apikey", "pwd"}) {
            assertThat(ArgsCapture.SECRET.matcher(n).matches()).as(n).isTrue();
        }
        for (String n : new String[] {"shipping", "author", "footprint", "user", "quantity", "orderId"}) {
            assertThat(ArgsCapture.SECRET.matcher(n).matches()).as(n).isFalse();
        }
    }
}
