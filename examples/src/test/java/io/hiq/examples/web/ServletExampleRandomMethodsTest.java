package io.hiq.examples.web;

import org.junit.jupiter.api.Test;

/** {@link ServletExample} after 10 000 random-method requests (issue 13's acceptance). */
class ServletExampleRandomMethodsTest {
    @Test
    void answersEveryNormalRequestAfterwardsWithABoundedTagCount() throws Exception {
        int port = RandomMethods.freePort();
        RandomMethods.start("servlet-example", () -> ServletExample.main(new String[] {"" + port, "0"}), port);
        RandomMethods.check("http://127.0.0.1:" + port + "/items/42", Catalog.lookup("42"));
    }
}
