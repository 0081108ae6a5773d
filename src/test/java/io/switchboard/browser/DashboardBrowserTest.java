package io.switchboard.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.support.Browser;
import io.switchboard.support.TestCluster;
import io.switchboard.support.Tokens;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * The dashboard in headless Chromium against two nodes: an operator signs in, both nodes report
 * into the charts and the table, a screenshot is saved, and when a node dies its row says so.
 */
class DashboardBrowserTest {

  private static final String ROWS = "#nodes tbody tr";

  /** Opens the dashboard of node 0 ({@code query} appended) and signs in with development login. */
  private static org.openqa.selenium.WebDriver signIn(Browser browser, TestCluster cluster, String query, String user) {
    var page = browser.driver();
    page.get("http://127.0.0.1:" + cluster.port(0) + "/dashboard.html" + query);
    page.findElement(By.id("user")).clear();
    page.findElement(By.id("user")).sendKeys(user);
    page.findElement(By.cssSelector("#signin-form button")).click();
    return page;
  }

  @Test
  void anOperatorSeesBothNodesLiveAndANodeThatDies() throws Exception {
    try (TestCluster cluster = TestCluster.start(2, Map.of()); Browser browser = Browser.open(1280, 1000)) {
      var page = signIn(browser, cluster, "", "ops");

      browser.until(d -> d.findElement(By.id("status")).getText().startsWith("connected"), 20);
      browser.until(d -> d.findElements(By.cssSelector(ROWS + ".alive")).size() == 2, 20);
      List<String> ids = page.findElements(By.cssSelector(ROWS)).stream()
          .map(r -> r.getAttribute("data-node")).toList();
      assertEquals(List.of(cluster.node(0).nodeId(), cluster.node(1).nodeId()).stream().sorted().toList(), ids);

      // each chart has a line per node once two reports came in
      browser.until(d -> (Boolean) browser.js("return Array.from(window.switchboardDashboard.nodes.values())"
          + ".every(n => n.points.length >= 3)"), 20);
      long painted = (Long) browser.js(
          "const c = document.getElementById('chart-connections');"
          + "const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;"
          + "for (let i = 0; i < d.length; i += 4) {"
          + "  const hi = Math.max(d[i], d[i + 1], d[i + 2]), lo = Math.min(d[i], d[i + 1], d[i + 2]);"
          + "  if (d[i + 3] > 200 && hi - lo > 80) n++; }"
          + "return n;");
      assertTrue(painted > 40, "the connections chart has a coloured line and dot per node: " + painted + " pixels");
      Path shot = browser.screenshot("dashboard-two-nodes");
      assertTrue(Files.size(shot) > 10_000, "screenshot saved at " + shot.toAbsolutePath());

      cluster.kill(1);
      String dead = cluster.node(1).nodeId();
      WebElement row = browser.until(d -> d.findElements(By.cssSelector(ROWS + ".gone")).stream()
          .filter(r -> dead.equals(r.getAttribute("data-node"))).findFirst().orElse(null), 20);
      assertEquals("gone", row.findElements(By.tagName("td")).get(1).getText());
      browser.screenshot("dashboard-node-gone");
    }
  }

  /**
   * A board left open renews its development token on the open link, and gives up a link that
   * went silent (here after 4 s: it left {@code $metrics} behind the page's back, as a cut
   * network would leave it without frames) for a new one. Kicked (4009), it says so and stays
   * out: PROTOCOL.md says not to reconnect by itself.
   */
  @Test
  void aBoardLeftOpenRenewsItsTokenAndItsLinkAndAKickedOneStaysOut() throws Exception {
    try (TestCluster cluster = TestCluster.start(1, Map.of()); Browser browser = Browser.open(1280, 1000)) {
      var page = signIn(browser, cluster, "?staleMs=4000", "night-shift");
      browser.until(d -> d.findElement(By.id("status")).getText().startsWith("connected"), 20);
      browser.until(d -> (Boolean) browser.js("return window.switchboardDashboard.nodes.size === 1"), 20);

      Object renewed = ((org.openqa.selenium.JavascriptExecutor) page).executeAsyncScript("const done = arguments[arguments.length - 1];"
          + "window.switchboardDashboard.refreshToken().then(done);");
      assertEquals(Boolean.TRUE, renewed, "the node took the new token on the open link");
      assertEquals(1L, browser.js("return window.switchboardDashboard.connects()"), "on the same link");

      // metrics stop on an open link while someone keeps writing to this user: those private
      // frames are no sign of the metrics, and must not keep the link counted alive
      String pal = Tokens.of(new JsonObject().put("sub", "pal").put("roles", new JsonArray().add("publisher")));
      HttpClient http = HttpClient.newHttpClient();
      java.util.concurrent.ScheduledExecutorService writer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
      writer.scheduleAtFixedRate(() -> http.sendAsync(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + cluster.port(0) + "/api/users/night-shift/messages"))
          .header("Authorization", "Bearer " + pal).POST(HttpRequest.BodyPublishers.ofString(
              new JsonObject().put("from", "pal").put("text", "still here").encode())).build(),
          HttpResponse.BodyHandlers.discarding()), 0, 700, java.util.concurrent.TimeUnit.MILLISECONDS);
      try {
        browser.js("window.switchboardDashboard.socket().send(JSON.stringify({type: 'leave', room: '$metrics'}))");
        browser.until(d -> ((Number) browser.js("return window.switchboardDashboard.connects()")).intValue() == 2, 20);
      } finally {
        writer.shutdownNow();
      }
      long points = (Long) browser.js("return window.switchboardDashboard.nodes.values().next().value.points.length");
      browser.until(d -> (Long) browser.js("return window.switchboardDashboard.nodes.values().next().value.points.length")
          > points + 1, 20);
      browser.until(d -> d.findElement(By.id("status")).getText().startsWith("connected"), 20);

      String admin = Tokens.of(new JsonObject().put("sub", "root").put("roles", new JsonArray().add("admin")));
      HttpResponse<String> kicked = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + cluster.port(0) + "/api/users/night-shift/kick"))
          .header("Authorization", "Bearer " + admin).POST(HttpRequest.BodyPublishers.noBody()).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, kicked.statusCode(), kicked.body());
      // the close handler decides at once: "reconnecting in …" had it chosen to come back
      browser.until(d -> d.findElement(By.id("status")).getText().startsWith("kicked"), 20);
      assertTrue(page.findElement(By.id("status")).getAttribute("class").contains("offline"));
      // and it stays out: the watchdog of a silent link does not count a closed one
      Object links = browser.js("return window.switchboardDashboard.connects()");
      browser.js("return new Promise(done => setTimeout(() => done(true), 5000))"); // past staleMs and a tick
      assertEquals(links, browser.js("return window.switchboardDashboard.connects()"));
      assertTrue(page.findElement(By.id("status")).getText().startsWith("kicked"));

      // a token without the admin role: back to the sign-in, the token forgotten, so that a
      // reload does not meet the same refusal again with no way out
      browser.js("sessionStorage.clear()");
      page.get("http://127.0.0.1:" + cluster.port(0) + "/dashboard.html");
      page.findElement(By.id("token")).sendKeys(Tokens.user("visitor"));
      page.findElement(By.cssSelector("#token-form button")).click();
      browser.until(d -> d.findElement(By.id("signin")).isDisplayed(), 20);
      assertTrue(page.findElement(By.id("signin-error")).getText().contains("No access to $metrics"),
          page.findElement(By.id("signin-error")).getText());
      assertEquals(null, browser.js("return sessionStorage.getItem('switchboard.dashboard.token')"));
      page.navigate().refresh();
      assertTrue(page.findElement(By.id("signin")).isDisplayed(), "a reload asks for a sign-in again");
      assertEquals(0L, browser.js("return window.switchboardDashboard.connects()"));
    }
  }

  /**
   * A sign-in sent twice (a double click on a slow network) leaves one link, not a second one
   * that reconnects by itself beside it. A link that never joins $metrics is given up like one
   * gone quiet, and a node that answers the join and then fails is asked again less and less
   * often: the back-off started over at every join, so such a node was asked every second.
   */
  @Test
  void aBoardKeepsOneLinkGivesUpASilentOneAndBacksOffFromAFailingNode() throws Exception {
    try (TestCluster cluster = TestCluster.start(1, Map.of()); Browser browser = Browser.open(1280, 1000)) {
      var page = browser.driver();
      page.get("http://127.0.0.1:" + cluster.port(0) + "/dashboard.html?staleMs=3000");
      browser.js(Browser.SOCKET_STAND_INS);
      page.findElement(By.id("user")).clear();
      page.findElement(By.id("user")).sendKeys("twice");
      browser.js("const f = document.getElementById('signin-form'); f.requestSubmit(); f.requestSubmit();");
      browser.until(d -> d.findElement(By.id("status")).getText().startsWith("connected"), 20);
      browser.until(d -> (Long) browser.js("return window.tokenFetches") == 0, 20);
      assertEquals(2L, browser.js("return window.sockets.length"), "both sign-ins opened a link");
      assertEquals(1L, browser.js("return window.sockets.filter(s => s.readyState <= 1).length"), "one is left");

      browser.js("sessionStorage.clear()");
      page.navigate().refresh();
      browser.js(Browser.SOCKET_STAND_INS + "window.silent = [1]; window.failing = [2, 3];");
      page.findElement(By.id("user")).clear();
      page.findElement(By.id("user")).sendKeys("patient");
      page.findElement(By.cssSelector("#signin-form button")).click();
      // the silent first link is given up after staleMs; the next two fail after their joins
      // read once the third link has failed: until then the status still says the second wait
      String status = browser.until(d -> (String) browser.js("return window.sockets.length === 3"
          + " && window.sockets[2].readyState >= 2 ? document.getElementById('status').textContent : null"), 30);
      assertTrue(status.startsWith("reconnecting"), status);
      int seconds = Integer.parseInt(status.replaceAll("\\D+", ""));
      assertTrue(seconds >= 3, "the third wait has doubled twice (about 4 s), not started over at 1 s: " + status);
      browser.until(d -> d.findElement(By.id("status")).getText().startsWith("connected"), 20);
      assertEquals(1L, browser.js("return window.sockets.filter(s => s.readyState <= 1).length"));
    }
  }
  /**
   * Refusals that signing in again would not change: a forbidden origin keeps the board and says
   * why it is offline, where it sent the operator to a sign-in that would be refused the same way;
   * an expired token with development login turned off since goes back to the sign-in, where it
   * reconnected with the expired token for ever. The closes are played into the page's handler.
   */
  @Test
  void refusalsThatASignInCannotChangeEndTheLinkForGood() throws Exception {
    try (TestCluster cluster = TestCluster.start(1, Map.of()); Browser browser = Browser.open(1280, 1000)) {
      var page = signIn(browser, cluster, "", "ops");
      browser.until(d -> d.findElement(By.id("status")).getText().startsWith("connected"), 20);
      String closeAs = "const s = window.switchboardDashboard.socket(); const h = s.onclose; s.onclose = null;"
          + "s.close(1000); h({ code: 1008, reason: arguments[0] });";

      browser.js(closeAs, "forbidden origin");
      assertTrue(page.findElement(By.id("status")).getText().contains("not an allowed origin"),
          page.findElement(By.id("status")).getText());
      assertTrue(page.findElement(By.id("board")).isDisplayed(), "not sent to a sign-in that cannot help");
      assertTrue(!page.findElement(By.id("signin")).isDisplayed());

      page.navigate().refresh(); // the stored token comes back
      browser.until(d -> d.findElement(By.id("status")).getText().startsWith("connected"), 20);
      // refused unauthorized (every node restarted with a new key): a new token, and back
      browser.js(closeAs, "unauthorized");
      browser.until(d -> Long.valueOf(2).equals(browser.js("return window.switchboardDashboard.connects()"))
          && d.findElement(By.id("status")).getText().startsWith("connected"), 20);
      assertTrue(page.findElement(By.id("board")).isDisplayed(), "still on the board");
      browser.js("window.fetch = () => Promise.resolve(new Response('{\"code\":\"not_found\"}', { status: 404 }));");
      browser.js(closeAs, "token expired");
      browser.until(d -> d.findElement(By.id("signin")).isDisplayed(), 20);
      assertTrue(page.findElement(By.id("signin-error")).getText().contains("development login is off"),
          page.findElement(By.id("signin-error")).getText());
      assertEquals(2L, browser.js("return window.switchboardDashboard.connects()"), "no link with the expired token");
    }
  }
}
