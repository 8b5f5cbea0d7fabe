package io.hiq.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.hiq.consumer.support.TestBroker;
import io.hiq.consumer.support.Kafka;
import io.hiq.consumer.support.Kafka.Rec;
import io.hiq.tree.HiQNode;
import io.hiq.tree.HiQTree;
import io.hiq.tree.TreeCodec;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * The web UI in a real headless Chromium driven by Selenium (skipped when Debian's {@code chromium}
 * and {@code chromium-driver} are not installed): the requests table lists the trees, a click shows
 * the tree (text, collapsible tree, waterfall with the slowest node marked), the chart draws, and a tag
 * containing {@code <script>alert(1)</script>} is shown as text, never run.
 */
class WebUiTest {
    private static final String CHROMIUM = "/usr/bin/chromium";
    private static final String DRIVER = "/usr/bin/chromedriver";
    private static final String EVIL = "<script>alert(1)</script>";
    private static final String EVIL_IMG = "<img src=x onerror=\"window.pwned=1\">";
    private static final String EVIL_THREAD = "<b onclick=\"window.pwned=2\">worker</b>";
    private static EmbeddedKafkaKraftBroker broker;
    private static ConsumerService svc;
    private static WebDriver driver;

    @BeforeAll
    static void start(@TempDir Path home) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of(CHROMIUM)) && Files.isExecutable(Path.of(DRIVER)),
                "needs Debian chromium and chromium-driver");
        broker = TestBroker.start(new NewTopic("ui", 1, (short) 1));
        long base = System.currentTimeMillis() * 1000 - 180_000_000L;
        List<Rec> recs = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            long start = base + i * 20_000_000L; // one tree every 20 s: several minutes in the chart
            long span = (i + 1) * 3_000_000L;
            HiQNode root = HiQNode.of("handle", start, start + span / 1000, 0, span);
            root.addChild(HiQNode.of("parse", start + 1, start + 1 + span / 10_000, 1_000, 1_000 + span / 10));
            root.addChild(HiQNode.of("query", start + span / 5000, start + span / 1250, span / 5, span * 4 / 5));
            if (i == 5) {
                root.addChild(HiQNode.of(EVIL, start + span / 1000 - 10, start + span / 1000 - 5, span - 10_000, span - 5_000));
                // hostile extras: would run if the UI ever put data into the page as HTML
                root.putExtra("exception", "java.lang.IllegalStateException: " + EVIL_IMG);
                root.putExtra("note", EVIL_IMG);
            }
            HiQTree t = HiQTree.builder().id("ui-" + i).service(i % 2 == 0 ? "shop" : "admin").host("h").pid(1)
                    .thread(i == 5 ? EVIL_THREAD : "main").overheadNs(1000).root(root).build();
            recs.add(new Rec(null, t.id().getBytes(StandardCharsets.UTF_8), TreeCodec.encode(t)));
        }
        Kafka.send(broker.getBrokersAsString(), "ui", recs);
        svc = new ConsumerService(new ConsumerSettings(broker.getBrokersAsString(), "ui", "g-ui", "127.0.0.1", 0,
                ConsumerSettings.defaultStoreUrl(home), home, null, Map.of())).start();
        await().atMost(Duration.ofSeconds(30)).until(() -> svc.store().treeCount() == 12);

        System.setProperty("webdriver.chrome.driver", DRIVER);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--no-first-run", "--window-size=1280,1600");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(DRIVER)).build();
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
    }

    @AfterAll
    static void stop() throws Exception {
        if (driver != null) driver.quit();
        if (svc != null) svc.close();
        if (broker != null) broker.destroy();
    }

    /** Opens the UI and turns its auto-refresh off, so that elements are not replaced under the test. */
    private static void open() {
        driver.get(svc.baseUrl() + "/");
        WebElement auto = driver.findElement(By.id("f-auto"));
        assertThat(auto.isSelected()).as("auto-refresh on by default").isTrue();
        auto.click();
    }

    private static List<WebElement> rows(String tableId) {
        return driver.findElements(By.cssSelector("#" + tableId + " tbody tr"));
    }

    @Test
    void tableTreeChartAndEscaping() {
        open();
        await().atMost(Duration.ofSeconds(15)).until(() -> rows("requests").size() == 12);
        assertThat(driver.findElement(By.id("total")).getText()).isEqualTo("12 matching");
        // newest first: ui-11 on top
        assertThat(rows("requests").get(0).findElement(By.cssSelector("td")).getText()).isEqualTo("ui-11");
        await().atMost(Duration.ofSeconds(10)).until(() -> driver.findElement(By.id("health")).getText().equals("UP"));

        // per-service statistics: one row per service, never mixed; the chart defaults to the busiest root tag
        await().atMost(Duration.ofSeconds(10)).until(() -> rows("services").size() == 2);
        assertThat(rows("services").stream().map(r -> r.findElement(By.cssSelector("td")).getText()).toList()).containsExactly("admin", "shop");
        assertThat(rows("services").get(0).findElements(By.tagName("td")).get(1).getText()).isEqualTo("6");
        assertThat(rows("services").get(0).findElements(By.tagName("td")).get(2).getText()).isEqualTo("handle");
        assertThat(rows("services").get(0).findElements(By.tagName("td")).get(3).getText()).isEqualTo("6");
        assertThat(driver.findElement(By.id("chart-tag")).getAttribute("value")).isEqualTo("handle");

        // per-tag statistics, the evil tag shown as text
        await().atMost(Duration.ofSeconds(10)).until(() -> rows("stats").size() == 4);
        List<String> tags = rows("stats").stream().map(r -> r.findElement(By.cssSelector("td")).getText()).toList();
        assertThat(tags).contains(EVIL, "handle", "parse", "query");

        // the chart draws the chosen tag's minutes (a click on a stats row chooses the tag)
        rows("stats").stream().filter(r -> r.findElement(By.cssSelector("td")).getText().equals("handle")).findFirst().orElseThrow().click();
        await().atMost(Duration.ofSeconds(10)).until(() ->
                Integer.parseInt(driver.findElement(By.id("chart")).getAttribute("data-points")) >= 3);
        Number inked = (Number) ((JavascriptExecutor) driver).executeScript(
                "const c = document.getElementById('chart'); const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
                        + " let n = 0; for (let i = 0; i < d.length; i += 4) if (d[i] < 200 || d[i+1] < 200 || d[i+2] < 200) n++; return n;");
        assertThat(inked.intValue()).as("coloured pixels on the chart").isGreaterThan(500);

        // a click shows the tree whose child is the evil tag
        driver.findElements(By.cssSelector("button.tree-link")).stream().filter(b -> b.getText().equals("ui-5"))
                .findFirst().orElseThrow().click();
        await().atMost(Duration.ofSeconds(10)).until(() -> driver.findElement(By.id("tree-section")).isDisplayed()
                && driver.findElement(By.id("tree-text")).getText().contains("[query]"));
        String text = driver.findElement(By.id("tree-text")).getText();
        assertThat(text).contains("_root_time").contains("[handle]").contains("[" + EVIL + "]");
        List<WebElement> summaries = driver.findElements(By.cssSelector("#tree-collapsible summary"));
        assertThat(summaries).hasSize(4);
        assertThat(summaries.get(3).getText()).startsWith(EVIL);
        assertThat(driver.findElements(By.cssSelector("#waterfall svg rect.wf-bar"))).hasSize(4);
        List<WebElement> slowest = driver.findElements(By.cssSelector("#waterfall svg rect.wf-bar.slowest"));
        assertThat(slowest).hasSize(1);
        assertThat(driver.findElement(By.cssSelector("#waterfall text.wf-label.slowest")).getText()).contains("query");
        // collapsing works (native <details>)
        summaries.get(0).click();
        assertThat(driver.findElement(By.cssSelector("#tree-collapsible details")).getAttribute("open")).isNull();

        // nothing from the data was ever run as script
        assertThatThrownBy(() -> driver.switchTo().alert()).isInstanceOf(NoAlertPresentException.class);
        assertThat(driver.findElements(By.tagName("script"))).hasSize(1);
    }

    private static Object js(String script) { return ((JavascriptExecutor) driver).executeScript(script); }

    /** Saves a screenshot under {@code -Dhiq.ui.screenshots=DIR} (the docs' pictures), else under target/. */
    private static void screenshot(String name) throws Exception {
        Path dir = Path.of(System.getProperty("hiq.ui.screenshots", "target/ui-screenshots"));
        Files.createDirectories(dir);
        byte[] png = ((org.openqa.selenium.TakesScreenshot) driver).getScreenshotAs(org.openqa.selenium.OutputType.BYTES);
        Files.write(dir.resolve(name + ".png"), png);
    }

    @Test
    void deepLinkBackForwardDetailsAndHostileStrings() throws Exception {
        open();
        await().atMost(Duration.ofSeconds(15)).until(() -> rows("requests").size() == 12);
        screenshot("list");
        // thread and error columns: ui-5 ran on the hostile thread and its root threw
        WebElement r5 = rows("requests").stream().filter(r -> r.findElement(By.cssSelector("td")).getText().equals("ui-5")).findFirst().orElseThrow();
        List<WebElement> cells = r5.findElements(By.tagName("td"));
        assertThat(cells.get(3).getText()).isEqualTo(EVIL_THREAD);
        assertThat(cells.get(6).getText()).isEqualTo("1");
        assertThat(rows("requests").get(0).findElements(By.tagName("td")).get(6).getText()).isEmpty();
        // a deep link opens the tree by itself
        driver.get(svc.baseUrl() + "/#/trees/ui-5");
        await().atMost(Duration.ofSeconds(10)).alias("the deep-linked tree is shown")
                .until(() -> driver.findElement(By.id("tree-section")).isDisplayed()
                        && driver.findElement(By.id("tree-id")).getText().startsWith("ui-5"));
        assertThat(driver.findElement(By.id("requests-section")).isDisplayed()).isFalse();
        // time axis: ticks from 0 across the root's span (18 ms → steps of 5 ms)
        List<String> ticks = driver.findElements(By.cssSelector("#waterfall text.wf-tick")).stream().map(WebElement::getText).toList();
        assertThat(ticks).startsWith("0", "5 ms", "10 ms").hasSizeBetween(3, 12);
        // the root threw: one exception marker whose tooltip is the message, as text
        List<WebElement> exc = driver.findElements(By.cssSelector("#waterfall polygon.wf-exc"));
        assertThat(exc).hasSize(1);
        assertThat(exc.get(0).findElement(By.tagName("title")).getAttribute("textContent")).endsWith(EVIL_IMG);
        // the root marker is a CSS dot, not an emoji glyph a font may lack
        WebElement dot = driver.findElement(By.cssSelector("#tree-text span.root-dot"));
        assertThat(dot.getCssValue("background-color")).isEqualTo("rgba(46, 125, 50, 1)");
        assertThat(dot.getSize().getWidth()).isGreaterThan(4);
        assertThat(driver.findElement(By.id("tree-text")).getText()).doesNotContain("\uD83D\uDFE2").contains("_root_time");
        // span details on click: thread, values and extras shown as text
        driver.findElements(By.cssSelector("#waterfall rect.wf-bar")).get(0).click();
        await().atMost(Duration.ofSeconds(5)).until(() -> driver.findElement(By.id("span-details")).isDisplayed());
        String details = driver.findElement(By.id("span-details")).getText();
        assertThat(details).contains("handle").contains(EVIL_THREAD).contains("extra.note").contains(EVIL_IMG)
                .contains("IllegalStateException: " + EVIL_IMG);
        screenshot("tree");
        // nothing hostile became markup or ran
        assertThat(driver.findElements(By.cssSelector("img"))).isEmpty();
        assertThat(driver.findElements(By.cssSelector("#span-details b, #tree-section b"))).isEmpty();
        assertThat(js("return window.pwned === undefined")).isEqualTo(true);
        assertThatThrownBy(() -> driver.switchTo().alert()).isInstanceOf(NoAlertPresentException.class);

        // back returns to the list, forward to the tree
        driver.navigate().back();
        await().atMost(Duration.ofSeconds(10)).alias("back shows the list")
                .until(() -> driver.findElement(By.id("requests-section")).isDisplayed() && !driver.findElement(By.id("tree-section")).isDisplayed());
        driver.navigate().forward();
        await().atMost(Duration.ofSeconds(10)).alias("forward shows the tree again")
                .until(() -> driver.findElement(By.id("tree-section")).isDisplayed());
        // a click on a list link changes the URL
        driver.findElement(By.id("back")).click();
        await().atMost(Duration.ofSeconds(10)).until(() -> rows("requests").size() == 12);
        driver.findElements(By.cssSelector("button.tree-link")).stream().filter(b -> b.getText().equals("ui-3"))
                .findFirst().orElseThrow().click();
        await().atMost(Duration.ofSeconds(10)).until(() -> driver.getCurrentUrl().endsWith("#/trees/ui-3")
                && driver.findElement(By.id("tree-id")).getText().startsWith("ui-3"));

        // an unknown id says so, as text
        driver.get(svc.baseUrl() + "/#/trees/" + java.net.URLEncoder.encode("<i>nope", StandardCharsets.UTF_8).replace("+", "%20"));
        await().atMost(Duration.ofSeconds(10)).until(() -> driver.findElement(By.id("error")).isDisplayed());
        assertThat(driver.findElement(By.id("error")).getText()).isEqualTo("no tree with id <i>nope");
        assertThat(driver.findElements(By.cssSelector("#error i"))).isEmpty();
    }

    @Test
    void filtersByServiceMinimumLatencyAndOrder() {
        open();
        await().atMost(Duration.ofSeconds(15)).until(() -> rows("requests").size() == 12);
        driver.findElement(By.id("f-service")).sendKeys("admin");
        driver.findElement(By.id("f-min")).sendKeys("20");
        driver.findElement(By.cssSelector("#f-order option[value=slowest]")).click();
        driver.findElement(By.id("f-apply")).click();
        // admin = odd i, latency (i+1)*3 ms >= 20 → i in {7, 9, 11}, slowest first
        await().atMost(Duration.ofSeconds(10)).until(() -> rows("requests").size() == 3);
        assertThat(rows("requests").stream().map(r -> r.findElement(By.cssSelector("td")).getText()).toList())
                .containsExactly("ui-11", "ui-9", "ui-7");
        // a duration range (server-side maxLatencyMs) and the root tag narrow further
        driver.findElement(By.id("f-max")).sendKeys("30");
        driver.findElement(By.id("f-apply")).click();
        await().atMost(Duration.ofSeconds(10)).until(() -> rows("requests").size() == 2);
        assertThat(driver.findElement(By.id("total")).getText()).isEqualTo("2 matching");
        driver.findElement(By.id("f-tag")).sendKeys("nosuchroot");
        driver.findElement(By.id("f-apply")).click();
        await().atMost(Duration.ofSeconds(10)).until(() -> rows("requests").isEmpty());
        driver.findElement(By.id("f-tag")).clear();
        driver.findElement(By.id("f-tag")).sendKeys("handle");
        driver.findElement(By.id("f-apply")).click();
        await().atMost(Duration.ofSeconds(10)).until(() -> rows("requests").size() == 2);
    }
}
