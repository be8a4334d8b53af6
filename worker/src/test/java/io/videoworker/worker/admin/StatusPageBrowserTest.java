package io.videoworker.worker.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.videoworker.worker.LionClient;
import io.videoworker.worker.Service;
import io.videoworker.worker.TestRecordings;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The status page in a real browser: Debian's headless Chromium driven by Selenium through
 * Debian's chromedriver (both named explicitly, so Selenium Manager never downloads anything)
 * against a real stand-alone worker converting a real recording. A wrong token is refused; the
 * administrator logs in, sees the task appear and its progress move without reloading (the page's
 * own refresh), reads its log, sees the publish fail while the replay folder is a file, restores
 * it, presses "Retry publishing now" and sees the task published; the page fits a phone's width,
 * deletes only after its checkbox is ticked, and the browser's console stays free of errors.
 *
 * <p>Chromium missing: fails under CI=true ({@code .ci/run} installs it), else skipped loudly.
 * With {@code -Dstatus.screenshots=DIR} it saves {@code status-overview.png} and
 * {@code status-task.png} there (docs/images holds the ones in docs/operations.md).
 */
class StatusPageBrowserTest {
    static final String TOKEN = "br0wser-Test-T0ken-5fQ2";
    static final String KEY_ID = "5e1e4a11";
    static final String SECRET = "Q8w2E6r4T1y9U3i7O5p0A2s8D4f6G1h3";

    @TempDir
    Path dir;

    @Test
    void anAdministratorWatchesAConversionReadsItsLogAndRetriesAFailedPublish() throws Exception {
        requireChromium();
        Path data = dir.resolve("data");
        Files.createDirectories(data.resolve("keys"));
        Files.writeString(data.resolve("keys/access_keys"), KEY_ID + ":" + SECRET + "\n");
        // a failed publish waits an hour for its next attempt: only "Retry publishing now" brings it on
        try (Service worker = TestRecordings.worker(data, Map.of("VIDEO_WORKER_ADMIN_TOKEN", TOKEN,
                "VIDEO_WORKER_RETRY_BASE_SECONDS", "3600"));
                Browser b = new Browser()) {
            String page = "http://127.0.0.1:" + worker.port() + "/video-worker/status/";
            LionClient lion = new LionClient(worker.port(), KEY_ID, SECRET);

            b.driver.get(page);
            b.login("not-the-token-at-all");
            assertThat(b.text("#notice")).isEqualTo("That is not the administrator token.");
            // the login form is answered 401 (docs/operations.md): the browser notes that status, nothing else
            assertThat(b.console()).as("the browser notes the 401s it was answered").hasSize(2).allSatisfy(
                    e -> assertThat(e.getMessage()).endsWith("the server responded with a status of 401 (Unauthorized)"));
            b.login(TOKEN);
            assertThat(b.text(".who")).isEqualTo("admin (session) from 127.0.0.1");
            assertThat(b.text("#count")).isEqualTo("0 matching tasks, newest first.");

            // the replay folder is a file: the publish will fail
            Path replays = data.resolve("replays");
            Files.delete(replays);
            Files.writeString(replays, "not a folder");
            String sid = UUID.randomUUID().toString();
            // long enough (4,320 full-screen frames, ≈ 15 s with the default encoder) for the page to see progress move
            Path recording = Files.write(dir.resolve(sid + ".replay.gz"), TestRecordings.steadyNoise(480, 360, 16, 270, 1_000_000, 7));
            Map<String, String> fields = new LinkedHashMap<>();
            fields.put("session_id", sid);
            fields.put("session_date", "2025-11-18");
            LionClient.Reply created = lion.single(fields, recording);
            assertThat(created.status()).as(created.body()).isEqualTo(200);
            String id = created.json().path("id").asText();

            // the overview refreshes itself: the task appears, converting, without a reload
            WebElement link = b.await("the task in the list", () -> b.find("a[href='/video-worker/status/tasks/" + id + "']"));
            b.await("the task converting in the list", () -> b.find("#tasks progress"));
            b.screenshot("status-overview.png");
            b.open(link);
            assertThat(b.text("h1")).isEqualTo("Task " + id);
            assertThat(b.text(".mono.hash")).isEqualTo(TestRecordings.sha256(Files.readAllBytes(recording)));

            TreeSet<Integer> seen = new TreeSet<>();
            b.await(() -> "the progress to move on the task page: seen " + seen + ", task " + worker.tasks().get(id).state
                    + " " + worker.tasks().get(id).history, () -> {
                WebElement p = b.find("#progress");
                if (p != null) {
                    seen.add(Integer.parseInt(p.getText().replace(" %", "")));
                }
                return seen.stream().filter(v -> v > 0 && v < 100).count() >= 2 ? seen : null;
            });
            assertThat(b.text("#eta")).matches("about .* left \\(running for .*\\)");

            b.await("the publish to fail", () -> b.text("#errors").contains("Last publish error") ? "" : null);
            assertThat(b.text("#state")).isEqualTo("publishing");
            assertThat(b.find("#action-publish-now")).isNotNull();
            b.screenshot("status-task.png");
            b.driver.findElement(By.cssSelector("a[href='#log']")).click();
            assertThat(b.js("return document.getElementById('log').getBoundingClientRect().top < window.innerHeight"))
                    .as("the log in view").isEqualTo(true);
            assertThat(b.text("#log-text")).contains("converting: video-worker convert").containsPattern("conversion [1-9][0-9]%")
                    .contains("publish attempt 1 failed: ").contains("Not a directory");

            Files.delete(replays);
            Files.createDirectory(replays, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            b.open(b.driver.findElement(By.id("action-publish-now")));
            assertThat(b.text("#notice")).isEqualTo("Publishing now, as asked.");
            b.await("the task to be published", () -> "done".equals(b.text("#state")) ? "" : null);
            assertThat(b.text("#published")).contains("2025-11-18/" + sid + ".replay.mp4");
            assertThat(b.text("#log-text")).contains("publish now, asked by admin (session) from 127.0.0.1");
            assertThat(Files.size(replays.resolve("2025-11-18").resolve(sid + ".replay.mp4"))).isPositive();

            // a phone: nothing wider than the screen
            b.driver.manage().window().setSize(new Dimension(390, 844));
            assertThat(b.js("return document.documentElement.scrollWidth <= window.innerWidth")).as("task page on a phone")
                    .isEqualTo(true);

            // delete asks first: without the tick the browser does not send the form
            String before = b.driver.getCurrentUrl();
            b.driver.findElement(By.id("action-delete")).click();
            assertThat(b.driver.getCurrentUrl()).isEqualTo(before);
            assertThat(worker.tasks().get(id)).as("not deleted yet").isNotNull();
            b.driver.findElement(By.cssSelector("input[name=confirm]")).click();
            b.open(b.driver.findElement(By.id("action-delete")));
            assertThat(b.text("#notice")).isEqualTo("Task " + id + " deleted.");
            assertThat(b.js("return document.documentElement.scrollWidth <= window.innerWidth")).as("overview on a phone")
                    .isEqualTo(true);
            assertThat(worker.tasks().get(id)).isNull();

            assertThat(b.console()).as("console errors or warnings while logged in (scripts, the policy, resources)").isEmpty();
            b.open(b.driver.findElement(By.id("logout")));
            assertThat(b.find("#login")).isNotNull();
            assertThat(b.console()).as("only the browser's note of the login form's 401").singleElement()
                    .satisfies(e -> assertThat(e.getMessage()).isEqualTo(page
                            + " - Failed to load resource: the server responded with a status of 401 (Unauthorized)"));
        }
    }

    static void requireChromium() {
        io.videoworker.worker.Chromium.require("STATUS PAGE BROWSER TEST");
    }

    /** Headless Chromium through chromedriver, with its console kept for the test to read. */
    static final class Browser implements AutoCloseable {
        final WebDriver driver;

        Browser() {
            driver = io.videoworker.worker.Chromium.start();
        }

        void login(String token) {
            WebElement field = driver.findElement(By.id("token"));
            field.clear();
            field.sendKeys(token);
            open(driver.findElement(By.cssSelector("#login button")));
        }

        /** Clicks something that loads another page, and waits until it has. */
        void open(WebElement e) {
            WebElement old = driver.findElement(By.tagName("html"));
            e.click();
            new WebDriverWait(driver, Duration.ofSeconds(30)).until(d -> gone(old));
        }

        /**
         * Whether the old page's root is gone. Selenium's stalenessOf asks the element whether it
         * is enabled; caught in the middle of the navigation, chromedriver answers "Node with given
         * id does not belong to the document" rather than a stale reference: gone as well.
         */
        static boolean gone(WebElement old) {
            try {
                old.isEnabled();
                return false;
            } catch (org.openqa.selenium.StaleElementReferenceException | org.openqa.selenium.NoSuchElementException e) {
                return true;
            } catch (org.openqa.selenium.WebDriverException e) {
                if (String.valueOf(e.getMessage()).contains("does not belong to the document")) {
                    return true;
                }
                throw e;
            }
        }

        /** The first element matching, or null. */
        WebElement find(String css) {
            List<WebElement> found = driver.findElements(By.cssSelector(css));
            return found.isEmpty() ? null : found.get(0);
        }

        String text(String css) {
            WebElement e = find(css);
            return e == null ? "" : e.getText();
        }

        Object js(String script) {
            return ((JavascriptExecutor) driver).executeScript(script);
        }

        /** Waits (60 s at most) until {@code condition} is non-null, as the page refreshes itself. */
        <T> T await(String what, java.util.function.Supplier<T> condition) {
            return await(() -> what, condition);
        }

        <T> T await(java.util.function.Supplier<String> what, java.util.function.Supplier<T> condition) {
            return new WebDriverWait(driver, Duration.ofSeconds(60), Duration.ofMillis(200)).withMessage(what)
                    .ignoring(org.openqa.selenium.StaleElementReferenceException.class).until(d -> condition.get());
        }

        /** Console entries at warning level or worse since the last call. */
        List<LogEntry> console() {
            List<LogEntry> bad = new ArrayList<>();
            for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
                if (e.getLevel().intValue() >= Level.WARNING.intValue()) {
                    bad.add(e);
                }
            }
            return bad;
        }

        /** The whole page (the window made as tall as the page for the moment), when screenshots are asked for. */
        void screenshot(String name) throws Exception {
            String to = System.getProperty("status.screenshots");
            if (to == null) {
                return;
            }
            Dimension size = driver.manage().window().getSize();
            long height = (Long) js("return document.documentElement.scrollHeight");
            driver.manage().window().setSize(new Dimension(size.getWidth(), (int) Math.min(4000, height + 100)));
            try {
                File png = ((org.openqa.selenium.TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
                Files.copy(png.toPath(), Path.of(to).resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } finally {
                driver.manage().window().setSize(size);
            }
        }

        @Override
        public void close() {
            driver.quit();
        }
    }
}
