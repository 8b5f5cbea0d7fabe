package io.hiq.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The repository's documentation stands alone: every relative link of every Markdown file (README,
 * docs/, module READMEs, examples) resolves to a file inside the repository, and every
 * {@code #anchor} to a heading of its target. Runs in {@code mvn verify} with hiq-tree, the first
 * module built.
 */
class MarkdownLinksTest {
    /** hiq-tree's tests run in hiq-tree/; the repository is its parent. */
    static final Path REPO = Path.of(System.getProperty("user.dir")).toAbsolutePath().getParent();

    @Test
    void everyRelativeLinkOfTheRepositoryResolvesInsideIt() {
        MarkdownLinks links = new MarkdownLinks(REPO);
        assertThat(links.markdownFiles()).as("Markdown files found under " + REPO)
                .contains(REPO.resolve("README.md"), REPO.resolve("docs/ARCHITECTURE.md"));
        assertThat(links.broken()).as("broken relative links (FILE:LINE: target: why)").isEmpty();
    }

    @Test
    void aMissingFileAPathOutsideTheRepositoryAndAMissingAnchorAreEachReported(@TempDir Path dir) throws Exception {
        Path repo = Files.createDirectories(dir.resolve("repo"));
        Files.createDirectories(repo.resolve("docs"));
        Files.writeString(dir.resolve("outside.md"), "# Outside\n");
        Files.writeString(repo.resolve("docs/A.md"), "# The `hiq.tree/1` format (v1)\n\n## Set-up, step 1\n");
        Files.writeString(repo.resolve("README.md"), String.join("\n",
                "# Readme",
                "[ok](docs/A.md) [ok anchor](docs/A.md#the-hiqtree1-format-v1) [ok2](docs/A.md#set-up-step-1)",
                "[own](#readme) [web](https://example.com/x.md) ![img](docs/A.md)",
                "[missing](docs/B.md)",
                "[outside](../outside.md)",
                "[bad anchor](docs/A.md#design-b4)",
                "`[in code](nowhere.md)`",
                "```",
                "[in a fence](nowhere.md)",
                "```",
                "[ref]: docs/C.md",
                ""));
        assertThat(new MarkdownLinks(repo).broken()).containsExactly(
                "README.md:4: docs/B.md: no such file docs/B.md",
                "README.md:5: ../outside.md: leaves the repository",
                "README.md:6: docs/A.md#design-b4: no heading makes the anchor #design-b4 in docs/A.md",
                "README.md:11: docs/C.md: no such file docs/C.md");
    }

    @Test
    void anchorsFollowGitHubsRule() {
        assertThat(MarkdownLinks.slug("1. The HiQ tree, `hiq.tree/1`")).isEqualTo("1-the-hiq-tree-hiqtree1");
        assertThat(MarkdownLinks.slug("6. The consumer service's HTTP API")).isEqualTo("6-the-consumer-services-http-api");
        assertThat(MarkdownLinks.slug("Tests (`mvn -B verify`, about 75 s)")).isEqualTo("tests-mvn--b-verify-about-75-s");
    }
}
