package io.videoworker.worker;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.logging.Level;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * Debian's Chromium, headless, driven through Debian's chromedriver (both named explicitly, so
 * Selenium Manager never downloads anything). Missing: a test fails under CI=true ({@code .ci/run}
 * installs them), else it is skipped with a loud line.
 */
public final class Chromium {
    public static final Path BINARY = Path.of("/usr/bin/chromium");
    public static final Path DRIVER = Path.of("/usr/bin/chromedriver");

    private Chromium() {
    }

    /** Fails (CI) or skips (elsewhere) the test when Chromium or chromedriver is missing. */
    public static void require(String what) {
        if (Files.isExecutable(BINARY) && Files.isExecutable(DRIVER)) {
            return;
        }
        String msg = "\n*** " + what + " NOT RUN: " + BINARY + " or " + DRIVER
                + " is missing; install them with: apt-get install -y chromium chromium-driver (as .ci/run does) ***\n";
        System.out.println(msg);
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(msg);
        }
        Assumptions.abort(msg);
    }

    /** A headless Chromium with its console kept for the test to read; {@code extra} arguments added. */
    public static WebDriver start(String... extra) {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(BINARY.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280,1000", "--no-first-run", "--disable-extensions", "--lang=en-US");
        options.addArguments(extra);
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort().build();
        WebDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().implicitlyWait(Duration.ZERO);
        return driver;
    }
}
