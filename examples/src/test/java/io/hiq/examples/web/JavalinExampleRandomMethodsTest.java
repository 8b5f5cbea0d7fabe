package io.hiq.examples.web;

import org.junit.jupiter.api.Test;

/** {@link JavalinExample} after 10 000 random-method requests (issue 13's acceptance). */
class JavalinExampleRandomMethodsTest {
    @Test
    void answersEveryNormalRequestAfterwardsWithABoundedTagCount() throws Exception {
        int port = RandomMethods.freePort();
        RandomMethods.start("javalin-example", () -> JavalinExample.main(new String[] {"" + port, "0"}), port);
        RandomMethods.check("http://127.0.0.1:" + port + "/items/A-1", Catalog.lookup("A-1"));
    }
}
