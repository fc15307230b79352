package io.tcpwatch.dashboard.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Real headless Chromium (Debian's chromium and chromium-driver, which .ci/run installs) for the
 * tests of the pages: no network of its own, a profile under target/, the time zone given.
 */
public final class HeadlessChromium {

    static final String CHROMIUM = "/usr/bin/chromium";
    static final String CHROMEDRIVER = "/usr/bin/chromedriver";

    private HeadlessChromium() {}

    /** A browser whose local time is {@code timeZone} (an IANA name). */
    public static ChromeDriver start(String timeZone) throws IOException {
        assertThat(new File(CHROMEDRIVER)).as("chromium-driver is installed (.ci/run installs it)").exists();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--window-size=1400,1000",
                "--user-data-dir=" + Files.createTempDirectory(Path.of("target"), "chromium").toAbsolutePath());
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(CHROMEDRIVER))
                .usingAnyFreePort().withEnvironment(Map.of("TZ", timeZone)).build();
        return new ChromeDriver(service, options);
    }

    /** Saves what the page looks like ({@code base}.png) and its source ({@code base}.html). */
    public static void save(ChromeDriver browser, Path base) throws IOException {
        Files.copy(browser.getScreenshotAs(OutputType.FILE).toPath(), Path.of(base + ".png"), StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(Path.of(base + ".html"), browser.getPageSource());
    }
}
