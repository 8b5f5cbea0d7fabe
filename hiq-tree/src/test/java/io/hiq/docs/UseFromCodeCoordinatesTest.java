package io.hiq.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * README's "Use from code" coordinates and the examples/use-from-code project follow the build's
 * version, so that a release bump cannot leave a snippet that resolves nothing. (.ci/run builds and
 * runs that project against the installed hiq-core.)
 */
class UseFromCodeCoordinatesTest {
    static final Path REPO = MarkdownLinksTest.REPO;

    private static String projectVersion() throws Exception {
        String pom = Files.readString(REPO.resolve("pom.xml"));
        Matcher m = Pattern.compile("<artifactId>hiq-parent</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);
        assertThat(m.find()).as("the root pom.xml's version after <artifactId>hiq-parent</artifactId>").isTrue();
        return m.group(1);
    }

    @Test
    void readmeSnippetsNameTheBuildsVersion() throws Exception {
        String version = projectVersion();
        String readme = Files.readString(REPO.resolve("README.md"));
        assertThat(readme).contains("## Use from code")
                .contains("<artifactId>hiq-core</artifactId>\n  <version>" + version + "</version>")
                .contains("implementation(\"io.hiq:hiq-core:" + version + "\")")
                .contains("-XX:+EnableDynamicAgentLoading");
    }

    @Test
    void theExampleProjectDependsOnTheBuildsVersionAndIsNotAModule() throws Exception {
        String version = projectVersion();
        String pom = Files.readString(REPO.resolve("examples/use-from-code/pom.xml"));
        assertThat(pom).contains("<hiq.version>" + version + "</hiq.version>")
                .contains("<groupId>io.hiq</groupId>").contains("<artifactId>hiq-core</artifactId>")
                .doesNotContain("<parent>");
        assertThat(Files.readString(REPO.resolve("pom.xml"))).doesNotContain("use-from-code");
        assertThat(Files.readString(REPO.resolve("examples/pom.xml"))).doesNotContain("<modules>");
    }
}
