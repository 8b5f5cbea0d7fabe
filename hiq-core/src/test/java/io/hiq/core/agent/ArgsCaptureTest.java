package io.hiq.core.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ArgsCaptureTest {
    enum Color { RED; @Override public String toString() { return "toString-of-the-app"; } }

    record Login(String user, String password) {}

    static final String JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLWJ5dGVz";

    @Test
    void secretLookingNamesAreRedactedWhateverTheType() {
        String[] names = {"user", "password", "apiKey", "sessionToken", "pin", "credentials", "passphrase"};
        Object[] args = {"alice", "hunter2", "k-123", "t-456", 1234, new Object[] {"a", 1}, new char[] {'x'}};
        String s = ArgsCapture.render(names, args);
        assertThat(s).isEqualTo("user=alice, password=***, apiKey=***, sessionToken=***, pin=***, credentials=***, passphrase=***");
    }

    @Test
    void harmlessTypesAreShownAndEverythingElseOnlyByTypeAndSize() {
        String[] names = {"qty", "ratio", "ok", "color", "id", "day", "codes", "note", "headers", "items", "login", "raw", "nothing"};
        UUID id = UUID.fromString("123e4567-e89b-12d3-a456-426614174000");
        Object[] args = {2, 2.5, true, Color.RED, id, LocalDate.of(2026, 12, 2), new int[] {1, 2}, "x".repeat(300),
                Map.of("Accept", "json", "Cookie", "c"), List.of("a", "b", "c"), new Login("bob", "hunter2"), new byte[] {1, 2}, null};
        String s = ArgsCapture.render(names, args);
        assertThat(s).isEqualTo("qty=2, ratio=2.5, ok=true, color=RED, id=" + id + ", day=2026-12-02, codes=[1, 2], note=<String len=300>,"
                + " headers=<" + Map.of("Accept", "json", "Cookie", "c").getClass().getSimpleName() + " size=2>, items=<"
                + List.of("a", "b", "c").getClass().getSimpleName() + " size=3>, login=<Login>, raw=<byte[] len=2>, nothing=null");
        assertThat(s).doesNotContain("hunter2").doesNotContain("toString-of-the-app");
    }

    @Test
    void shortTextIsShownWithSecretShapedPartsMasked() {
        Object[] args = {"https://app:hunter2@db/x", "Authorization: Bearer abcdef123", JWT.substring(0, 60),
                "a=1&password=hunter2", "AKIAIOSFODNN7EXAMPLE1234", "author=Tolkien"};
        String s = ArgsCapture.render(new String[] {"url", "header", "jwtLike", "query", "blob", "plain"}, args);
        assertThat(s).isEqualTo("url=https://***@db/x, header=Authorization: ***, jwtLike=***, query=a=1&password=***, blob=***, plain=author=Tolkien");
    }

    @Test
    void theConfAllowListShowsTextButNeverSecretNamesOrSecretShapes() {
        String[] names = {"note", "login", "password", "other"};
        Object[] args = {"y".repeat(300), new Login("bob", "hunter2"), "hunter2", Map.of("k", "v")};
        String s = ArgsCapture.render(names, Set.of("note", "login", "password"), args);
        assertThat(s).startsWith("note=" + "y".repeat(128) + "…(300 chars), login=Login[user=bob, password=***], password=***, other=<");
        String all = ArgsCapture.render(names, Set.of("*"), args);
        assertThat(all).contains("login=Login[user=bob, password=***]").contains("other={k=v}").doesNotContain("hunter2");
    }

    @Test
    void withoutParameterNamesOnlyValuesThatCannotHoldTextAreShown() {
        Object[] args = {"maybe-a-password", 42, 2.5, true, Color.RED, new char[] {'p', 'w'}, new byte[] {1}, new long[] {7}, null, List.of()};
        String s = ArgsCapture.render(new String[args.length], args);
        assertThat(s).isEqualTo("arg0=***, arg1=42, arg2=2.5, arg3=true, arg4=RED, arg5=***, arg6=***, arg7=[7], arg8=null, arg9=<"
                + List.of().getClass().getSimpleName() + " size=0>");
        assertThat(ArgsCapture.render(null, new Object[] {"x", 1})).isEqualTo("arg0=***, arg1=1");
    }

    @Test
    void aThrowingToStringOfAnAllowListedValueIsReportedNotPropagated() {
        Object bad = new Object() { @Override public String toString() { throw new IllegalStateException("boom"); } };
        assertThat(ArgsCapture.render(new String[] {"x"}, Set.of("x"), new Object[] {bad})).isEqualTo("x=<IllegalStateException in toString>");
    }
}
