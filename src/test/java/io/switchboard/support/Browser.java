package io.switchboard.support;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Function;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Headless Chromium from Debian's packages, driven through its own chromedriver, so that
 * nothing is downloaded at run time (.ci/run installs both). Screenshots go to
 * target/screenshots for a reviewer to look at.
 */
public final class Browser implements AutoCloseable {

  public static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  public static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  private static final int MIN_WINDOW_WIDTH = 500;

  private final WebDriver driver;
  private final Path profile;

  private Browser(WebDriver driver, Path profile) {
    this.driver = driver;
    this.profile = profile;
  }

  /** A new browser window of the given size; the test is skipped where Chromium is not installed. */
  public static Browser open(int width, int height) throws IOException {
    Assumptions.assumeTrue(Files.isExecutable(CHROMEDRIVER) && Files.isExecutable(CHROMIUM),
        "Debian's chromium and chromium-driver are not installed (apt-get install -y chromium chromium-driver)");
    Path profile = Files.createTempDirectory("switchboard-chromium");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--window-size=" + width + "," + height, "--user-data-dir=" + profile);
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File(CHROMEDRIVER.toString())).usingAnyFreePort().build();
    ChromeDriver driver = new ChromeDriver(service, options);
    Browser browser = new Browser(driver, profile);
    if (width < MIN_WINDOW_WIDTH) {
      // headless Chromium will not make a window narrower than 500 px: a phone is emulated
      try {
        driver.executeCdpCommand("Emulation.setDeviceMetricsOverride", java.util.Map.of(
            "width", width, "height", height, "deviceScaleFactor", 1, "mobile", true));
      } catch (RuntimeException e) { // the caller gets no browser to close: its processes go now
        browser.close();
        throw e;
      }
    }
    return browser;
  }

  public WebDriver driver() {
    return driver;
  }

  /** Waits (Selenium polls the page) until {@code condition} is true or not null. */
  public <T> T until(Function<WebDriver, T> condition, long seconds) {
    return new WebDriverWait(driver, Duration.ofSeconds(seconds), Duration.ofMillis(100)).until(condition::apply);
  }

  /**
   * Run in a page before it opens sockets: stand-ins for a node gone wrong, put between the page
   * and its sockets. The sockets numbered in {@code window.silent} deliver nothing (a node that
   * upgrades and then says nothing), those in {@code window.failing} close with 1011 right after
   * a {@code joined} frame. Every socket made is kept in
   * {@code window.sockets}, and {@code window.tokenFetches} counts the token requests under way: one counts
   * until the page has read its answer and run the promise callbacks that follow (a task later),
   * so that a test waiting for 0 sees the sockets the answers opened.
   */
  public static final String SOCKET_STAND_INS = """
      window.sockets = []; window.tokenFetches = 0;
      const realFetch = window.fetch;
      window.fetch = (...args) => { window.tokenFetches++;
        const done = () => setTimeout(() => window.tokenFetches--, 0);
        return realFetch(...args).then(res => {
          if (res.status === 404) { done(); return res; }
          const json = res.json.bind(res);
          res.json = () => { const body = json(); body.then(done, done); return body; };
          return res;
        }, e => { done(); throw e; }); };
      const Real = window.WebSocket;
      window.WebSocket = function (url) {
        const ws = new Real(url);
        const n = window.sockets.push(ws);
        let onmessage = null, onclose = null, faked = false;
        Object.defineProperty(ws, 'onmessage', { set(h) { onmessage = h; }, get() { return onmessage; } });
        Object.defineProperty(ws, 'onclose', { set(h) { onclose = h; }, get() { return onclose; } });
        ws.addEventListener('message', e => {
          if ((window.silent || []).includes(n)) return;
          if (onmessage) onmessage(e);
          if ((window.failing || []).includes(n) && JSON.parse(e.data).type === 'joined' && onclose) {
            faked = true; const h = onclose; ws.close(1000); h({ code: 1011, reason: 'failing' });
          }
        });
        ws.addEventListener('close', e => { if (!faked && onclose) onclose(e); });
        return ws;
      };
      Object.assign(window.WebSocket, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });
      """;

  public Object js(String script, Object... args) {
    return ((org.openqa.selenium.JavascriptExecutor) driver).executeScript(script, args);
  }

  public Path screenshot(String name) throws IOException {
    Path dir = Path.of("target", "screenshots");
    Files.createDirectories(dir);
    Path file = dir.resolve(name + ".png");
    Files.write(file, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
    return file;
  }

  @Override
  public void close() {
    driver.quit();
    try (var files = Files.walk(profile)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temp folder left behind is harmless
    }
  }
}
