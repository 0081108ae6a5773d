package io.switchboard.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.support.Browser;
import io.switchboard.support.ChatPage;
import io.switchboard.support.ChatPage.Entry;
import io.switchboard.support.TestCluster;
import io.switchboard.support.Tokens;
import io.switchboard.support.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.WebElement;

/**
 * The chat page in headless Chromium against two real nodes: people on different nodes chat in
 * rooms and privately, hostile text stays text, history pages in by scrolling up, unread counts,
 * the phone layout, and an admin's kick.
 */
class ChatBrowserTest {

  private static final String TIME = "\\d\\d:\\d\\d";
  private static final String BLUE = "rgb(102, 126, 234)";
  private static final String WHITE = "rgb(255, 255, 255)";

  private static TestCluster cluster;
  private static Vertx vertx;

  @BeforeAll
  static void startCluster() {
    cluster = TestCluster.start(2, Map.of());
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stopCluster() {
    cluster.close();
    io.switchboard.support.Await.of(vertx.close());
  }

  /**
   * A sign-in form sent twice while its token is on the way (a double click on a slow network)
   * opened two links, and sign-out closed only the second: the first lived on with its token,
   * counted against the user's connections, and showed the next person in this tab the first
   * one's private messages. One link, and none after sign-out.
   */
  @Test
  void aSignInSentTwiceOpensOneLinkAndSignOutClosesIt() throws Exception {
    try (Browser browser = Browser.open(1000, 700)) {
      ChatPage page = new ChatPage(browser).open(cluster.port(0), null);
      browser.until(d -> d.findElement(org.openqa.selenium.By.id("login-user")).isDisplayed(), ChatPage.WAIT_SECONDS);
      page.js(Browser.SOCKET_STAND_INS + """
          document.getElementById('login-user').value = 'twice';
          document.getElementById('login-name').value = 'Twice';
          const form = document.getElementById('login-form');
          form.requestSubmit(); form.requestSubmit();
          """);
      page.awaitStatus("connected");
      browser.until(d -> (Long) page.js("return window.tokenFetches") == 0, ChatPage.WAIT_SECONDS);
      assertEquals(1L, page.js("return window.sockets.filter(s => s.readyState <= 1).length"), "one link");
      page.js("document.getElementById('signout').click()");
      browser.until(d -> (Long) page.js("return window.sockets.filter(s => s.readyState <= 1).length") == 0,
          ChatPage.WAIT_SECONDS);
    }
  }

  /**
   * Enter held down past the publish rate: each rate_limited refusal counts toward the node's
   * close with 4008 (20 within 10 s), and the page sent again at once after each. It now waits a
   * refusal's retryAfterMs, and a second at least, so the person stays connected.
   */
  @Test
  void enterHeldDownPastThePublishRateDoesNotGetThePageClosed() throws Exception {
    try (Browser browser = Browser.open(1000, 700)) {
      ChatPage hasty = new ChatPage(browser).open(cluster.port(0), null).signIn("hasty", "Hasty");
      hasty.awaitJoined("lobby");
      Object status = ((org.openqa.selenium.JavascriptExecutor) browser.driver()).executeAsyncScript("""
          const done = arguments[arguments.length - 1];
          const input = document.getElementById('input');
          let n = 0;
          // a key's auto-repeat, until the page is refused (on a busy host, acks come slower and
          // take longer to pass the burst) or for 15 s at most
          // then 4 s more: a page that sent again at once after each refusal was closed 4008
          const refused = () => Array.from(document.querySelectorAll('#log .msg .text'))
              .some(t => t.textContent.includes('try again in'));
          let refusedAt = -1;
          const repeat = setInterval(() => {
            if (refusedAt < 0 && refused()) {
              refusedAt = n;
            }
            if (n++ === 950 || (refusedAt >= 0 && n - refusedAt > 200)) {
              clearInterval(repeat);
              setTimeout(() => done(document.getElementById('status').className), 1500);
              return;
            }
            if (input.value === '') input.value = 'again ' + n;
            input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
          }, 20);
          """);
      assertTrue(String.valueOf(status).contains("connected"), "still connected: " + status);
      assertTrue(hasty.entries().stream().anyMatch(e -> e.text() != null && e.text().contains("try again in")),
          "the page was refused, and said so");
    }
  }

  @Test
  void twoPeopleOnTwoNodesChatInARoomAndPrivately() throws Exception {
    try (Browser a = Browser.open(1280, 900); Browser b = Browser.open(1280, 900)) {
      ChatPage alice = new ChatPage(a).open(cluster.port(0), null).signIn("alice", "Alice");
      alice.join("team");
      ChatPage bob = new ChatPage(b).open(cluster.port(1), null).signIn("bob", "Bob");
      bob.join("team");
      assertEquals(cluster.node(0).nodeId(), alice.js("return document.getElementById('node').textContent"));
      assertEquals(cluster.node(1).nodeId(), bob.js("return document.getElementById('node').textContent"));
      assertEquals("Alice", alice.js("return document.getElementById('me').textContent"));

      alice.awaitNotice("Bob joined");
      alice.write("hello bob");
      bob.await("hello bob");
      bob.write("hi alice\nhow are you?");
      Entry fromBob = alice.await("hi alice\nhow are you?");
      Entry own = alice.await("hello bob");

      assertEquals("own", own.kind());
      assertEquals("other", fromBob.kind());
      assertEquals("Bob", fromBob.from());
      assertTrue(own.time().matches(TIME) && fromBob.time().matches(TIME), own + " " + fromBob);
      assertTrue(fromBob.fullTime().matches(".*\\d{4}.*"), "the full date on hover: " + fromBob.fullTime());
      assertBubble(alice, own.seq(), BLUE, WHITE, true);
      assertBubble(alice, fromBob.seq(), WHITE, "rgb(31, 35, 48)", false);
      assertEquals("2", alice.js("return document.getElementById('room-count').textContent"));
      assertEquals(List.of("alice", "bob"), alice.js(
          "return Array.from(document.querySelectorAll('#member-list button')).map(b => b.dataset.user)"));
      a.screenshot("chat-desktop");
      assertTrue(Files.size(a.screenshot("chat-desktop")) > 10_000);

      // a private conversation, opened from the members panel
      a.driver().findElement(By.cssSelector("#member-list button[data-user='bob']")).click();
      alice.awaitJoined("dm:alice:bob");
      assertEquals("private", alice.js("return document.querySelector('#room-kind .tag').textContent"));
      alice.write("psst, bob");
      b.until(d -> "1".equals(bob.unread("dm:alice:bob")), ChatPage.WAIT_SECONDS);
      assertTrue(bob.listButton("dm:alice:bob").getText().contains("private"), "conversations are marked private");
      bob.select("dm:alice:bob");
      assertEquals("other", bob.await("psst, bob").kind());
      assertEquals("", bob.unread("dm:alice:bob"));

      assertEquals("online", alice.js("return document.querySelector('#room-kind .tag.online').textContent"));

      // bob leaves the room: alice is told, and the members panel follows
      bob.select("team");
      b.driver().findElement(By.id("leave")).click();
      alice.select("team");
      alice.awaitNotice("Bob left");
      a.until(d -> "1".equals(alice.js("return document.getElementById('room-count').textContent")), ChatPage.WAIT_SECONDS);

      // to someone who is not online: kept, said so, and read later from history
      a.driver().findElement(By.id("dm-user")).sendKeys("carol\n");
      alice.awaitJoined("dm:alice:carol");
      // its name typed in the join box opens it; joined (a conversation never is), the node's
      // refusal dropped it from the list
      alice.select("team");
      alice.join("dm:alice:carol");
      alice.write("for when you are back");
      alice.awaitNotice("carol is offline");
      assertTrue(alice.listButton("dm:alice:carol").getText().contains("offline"));
      assertTrue(alice.entries().stream().noneMatch(e -> e.text().contains("join")), "no join asked: " + alice.entries());
      b.driver().findElement(By.id("signout")).click();
      // signed out means gone: the browser coming back online must not open bob's link again
      bob.js("window.dispatchEvent(new Event('online'))");
      assertEquals(Boolean.TRUE, bob.js("return window.switchboardChat.link() === null && window.switchboardChat.session.token === null"));
      // gone from the last room she shares with him: alice can no longer tell whether bob is
      // online, and the conversation stops saying he is
      alice.select("dm:alice:bob");
      a.until(d -> ((Number) alice.js("return document.querySelectorAll('#room-kind .tag.online').length")).intValue() == 0,
          ChatPage.WAIT_SECONDS);
      alice.select("dm:alice:carol");
      ChatPage carol = bob.signIn("carol", "Carol");
      // begun while carol was away, by someone this browser never heard of: the node lists it,
      // and the page shows it unread
      b.until(d -> "1".equals(carol.unread("dm:alice:carol")), ChatPage.WAIT_SECONDS);
      assertTrue(carol.listButton("dm:alice:carol").getText().contains("Alice"), carol.listButton("dm:alice:carol").getText());
      carol.select("dm:alice:carol");
      Entry kept = carol.await("for when you are back");
      assertEquals("Alice", kept.from());
      assertEquals("", carol.unread("dm:alice:carol"));
      // closed here, it stays closed when the page comes back, until a newer message
      b.driver().findElement(By.id("leave")).click();
      b.until(d -> carol.js("return document.querySelector(\"button[data-room='dm:alice:carol']\")") == null, ChatPage.WAIT_SECONDS);
      b.driver().navigate().refresh();
      carol.awaitStatus("connected");
      b.until(d -> ((Number) carol.js("return window.switchboardChat.conversationsListed()")).intValue() >= 1, ChatPage.WAIT_SECONDS);
      assertEquals(Boolean.FALSE, carol.js("return window.switchboardChat.rooms.has('dm:alice:carol')"));
      // and opens again, unread, for a message written while carol was away
      String page = b.driver().getCurrentUrl();
      b.driver().get("about:blank");
      alice.write("are you there?");
      assertTrue(alice.await("are you there?").seq() > 1, "stored before carol is back");
      b.driver().get(page);
      carol.awaitStatus("connected");
      b.until(d -> "1".equals(carol.unread("dm:alice:carol")), ChatPage.WAIT_SECONDS);

      // a dev token is renewed on the open connection before it expires
      Object renewed = a.driver() instanceof org.openqa.selenium.JavascriptExecutor js
          ? js.executeAsyncScript("const done = arguments[arguments.length - 1];"
              + "const before = window.switchboardChat.session.token;"
              + "window.switchboardChat.refreshToken().then(ok => done(ok && window.switchboardChat.session.token !== before));")
          : null;
      assertEquals(Boolean.TRUE, renewed);
      alice.write("still here after refresh");
    }
  }

  private static void assertBubble(ChatPage page, long seq, String background, String color, boolean right) {
    @SuppressWarnings("unchecked")
    Map<String, Object> box = (Map<String, Object>) page.js(
        "const m = document.querySelector(\"#log .msg[data-seq='\" + arguments[0] + \"']\");"
        + "const log = document.getElementById('log').getBoundingClientRect(); const r = m.getBoundingClientRect();"
        + "const s = getComputedStyle(m);"
        + "return { bg: s.backgroundColor, color: s.color, left: r.left - log.left, right: log.right - r.right };", seq);
    assertEquals(background, box.get("bg"), "bubble background " + box);
    assertEquals(color, box.get("color"), "bubble text colour " + box);
    double left = ((Number) box.get("left")).doubleValue();
    double rightGap = ((Number) box.get("right")).doubleValue();
    assertTrue(right ? rightGap < left : left < rightGap, (right ? "on the right " : "on the left ") + box);
  }

  @Test
  void hostileTextIsShownAsTextAndRunsNothing() throws Exception {
    String hostileName = "<b onmouseover=\"window.__pwned=1\">Mal</b>";
    String img = "<img src=x onerror=\"window.__pwned=1;alert(1)\">";
    String script = "<script>window.__pwned=1</script>";
    String link = "see https://example.com/a?b=1)., not javascript:alert(1) nor <a href=\"javascript:alert(1)\">x</a>";
    WsClient mallory = WsClient.open(vertx, cluster.port(1), Tokens.of(new JsonObject().put("sub", "mallory")
        .put("name", hostileName).put("exp", Tokens.nowSeconds() + 600)));
    try (Browser a = Browser.open(1000, 800)) {
      ChatPage alice = new ChatPage(a).open(cluster.port(0), null).signIn("alice2", "Alice");
      alice.join("xss");
      mallory.join("xss");
      alice.awaitNotice(hostileName + " joined");
      mallory.publish("xss", img);
      mallory.publish("xss", script);
      mallory.publish("xss", link);
      assertEquals(hostileName, alice.await(img).from());
      // whatever name a user gives itself, its user id is shown beside it: names do not tell who wrote
      assertEquals("@mallory", alice.js("return document.querySelector('#log .msg.other[data-from=\"mallory\"] .uid').textContent"));
      assertEquals("@mallory", alice.js("return document.querySelector('#member-list button[data-user=\"mallory\"] .uid').textContent"));
      assertEquals(Boolean.TRUE, alice.js("return SwitchboardView.userIdEl('bob', 'bob') === null"), "no id beside a name that is the id");
      alice.await(script);
      alice.await(link);
      alice.write(img);

      assertEquals(0L, alice.js("return document.querySelectorAll('#log img, #log script, #log b, #app img').length"));
      assertEquals(null, alice.js("return window.__pwned === undefined ? null : window.__pwned"));
      List<WebElement> anchors = a.driver().findElements(By.cssSelector("#log a"));
      assertEquals(1, anchors.size(), "only the http(s) URL is a link");
      assertEquals("https://example.com/a?b=1", anchors.get(0).getAttribute("href"));
      assertEquals("noopener noreferrer nofollow", anchors.get(0).getAttribute("rel"));
      assertThrowsNoAlert(a);
    } finally {
      mallory.close();
    }
  }

  private static void assertThrowsNoAlert(Browser browser) {
    try {
      browser.driver().switchTo().alert();
      throw new AssertionError("an alert opened: user text ran as script");
    } catch (NoAlertPresentException expected) {
      // nothing ran
    }
  }

  /** A panel opened by its button takes the focus; Escape closes it and gives the focus back to the button. */
  private static void escapeClosesThePanel(Browser phone, ChatPage page, String button, String panel) {
    phone.driver().findElement(By.id(button)).click();
    assertTrue(phone.driver().findElement(By.id(panel)).isDisplayed(), panel);
    assertTrue((Boolean) page.js("return document.getElementById(arguments[0]).contains(document.activeElement)", panel),
        "the focus goes into the " + panel);
    phone.driver().switchTo().activeElement().sendKeys(org.openqa.selenium.Keys.ESCAPE);
    assertFalse(phone.driver().findElement(By.id(panel)).isDisplayed(), "Escape closes the " + panel);
    assertEquals(button, phone.driver().switchTo().activeElement().getAttribute("id"), "the focus is back on its button");
  }

  @Test
  void historyPagesInOnScrollUnreadCountsAndThePhoneLayout() throws Exception {
    WsClient writer = WsClient.open(vertx, cluster.port(1), Tokens.user("writer"));
    try (Browser phone = Browser.open(360, 740)) {
      writer.join("archive");
      writer.join("side");
      // four connections, so that 130 quick publishes stay within each one's burst allowance
      List<WsClient> writers = new java.util.ArrayList<>(List.of(writer));
      for (int i = 0; i < 3; i++) {
        writers.add(WsClient.open(vertx, cluster.port(1), Tokens.user("writer")));
        writers.get(i + 1).join("archive");
      }
      for (int i = 1; i <= 130; i++) {
        writers.get(i % 4).publish("archive", "archived " + i);
      }
      writers.subList(1, 4).forEach(WsClient::close);
      ChatPage dana = new ChatPage(phone).open(cluster.port(0), null).signIn("dana", "Dana");
      assertFalse(phone.driver().findElement(By.id("sidebar")).isDisplayed(), "the room list collapses at 360 px");
      escapeClosesThePanel(phone, dana, "menu", "sidebar");
      phone.driver().findElement(By.id("menu")).click();
      assertTrue(phone.driver().findElement(By.id("sidebar")).isDisplayed());
      dana.join("archive");
      assertFalse(phone.driver().findElement(By.id("sidebar")).isDisplayed(), "choosing a room closes the list");
      dana.await("archived 130");
      assertEquals(LongStream.rangeClosed(81, 130).boxed().toList(), dana.seqs(), "the latest page first");
      phone.until(d -> !d.findElements(By.cssSelector("#member-list button[data-user='writer']")).isEmpty(), ChatPage.WAIT_SECONDS);
      escapeClosesThePanel(phone, dana, "members-toggle", "members"); // its first button, dana's own, is disabled

      // the first two reads are refused for a moment (a reconnect in many rooms drains the
      // reads' bucket): the page waits and asks again, and says nothing of it
      dana.js("const link = window.switchboardChat.link(); const ask = link.request.bind(link); window.refusedReads = 0;"
          + " link.request = frame => frame.type === 'history' && window.refusedReads < 2"
          + " ? (window.refusedReads++, Promise.reject({ type: 'error', code: 'rate_limited', message: 'over the reads',"
          + " retryAfterMs: 200 })) : ask(frame);");
      // scroll to the top: the next page comes in above, and what was on screen stays put
      for (long oldest : new long[] {81, 31}) {
        double before = ((Number) dana.js("document.getElementById('log').scrollTop = 0;"
            + "return document.querySelector(\"#log .msg[data-seq='\" + arguments[0] + \"']\").getBoundingClientRect().top;",
            oldest)).doubleValue();
        long expected = Math.max(1, oldest - 50);
        phone.until(d -> dana.seqs().get(0) == expected, ChatPage.WAIT_SECONDS);
        double after = top(dana, oldest);
        assertEquals(before, after, 2.0, "message " + oldest + " stays where it was on screen");
      }
      assertEquals(LongStream.rangeClosed(1, 130).boxed().toList(), dana.seqs(), "every message once, in order");
      assertEquals(2L, dana.js("return window.refusedReads"));
      assertTrue(dana.entries().stream().noneMatch(e -> e.text().contains("Could not load")), dana.entries().toString());
      dana.js("document.getElementById('log').scrollTop = 0;");
      assertTrue(dana.js("return document.querySelector('#log .more').textContent").toString().startsWith("The beginning"));

      // scrolled up, a new message does not pull the view down: a marker offers to
      writer.publish("archive", "while reading old ones");
      phone.until(d -> d.findElement(By.id("new-marker")).isDisplayed(), ChatPage.WAIT_SECONDS);
      assertTrue(((Number) dana.js("return document.getElementById('log').scrollTop")).doubleValue() < 200, "still reading at the top");
      phone.driver().findElement(By.id("new-marker")).click();
      assertEquals(Boolean.TRUE, dana.js("const l = document.getElementById('log'); return l.scrollHeight - l.scrollTop - l.clientHeight < 5;"));
      assertFalse(phone.driver().findElement(By.id("new-marker")).isDisplayed());
      assertFalse("input".equals(dana.js("return document.activeElement.id")), "a tap opens no keyboard over the messages");

      // unread counts while reading another room
      writer.publish("side", "one");
      phone.driver().findElement(By.id("menu")).click();
      dana.join("side");
      var box = phone.driver().findElement(By.id("input"));
      box.sendKeys("half a thought");
      phone.driver().findElement(By.id("menu")).click();
      dana.select("archive");
      assertEquals("", box.getAttribute("value"), "a draft stays with its room");
      writer.publish("side", "two");
      writer.publish("side", "three");
      phone.until(d -> "2".equals(dana.unread("side")), ChatPage.WAIT_SECONDS);
      assertEquals(" unread", dana.js("return document.querySelector(\"button[data-room='side'] .badge + .sr-only\").textContent"),
          "a screen reader says what the number is");
      assertTrue(phone.driver().getTitle().startsWith("(2)"), phone.driver().getTitle());
      phone.driver().findElement(By.id("menu")).click();
      dana.select("side");
      assertEquals("", dana.unread("side"));
      assertEquals("half a thought", box.getAttribute("value"), "and comes back with it");
      box.clear();
      dana.write("from my phone");

      assertTrue(Files.size(phone.screenshot("chat-phone")) > 5_000);
      Object wide = dana.js("return Array.from(document.querySelectorAll('body *'))"
          + ".filter(e => e.offsetParent !== null && e.getBoundingClientRect().right > 361)"
          + ".map(e => e.tagName + '#' + e.id + '.' + e.className + ' ' + e.getBoundingClientRect().right)");
      assertEquals(List.of(), wide, "nothing wider than the phone");
      assertTrue(phone.driver().findElement(By.id("input")).isDisplayed());

      // every room left from the keyboard: with the room list closed, the focus goes to its button
      long open = (Long) dana.js("return window.switchboardChat.rooms.size");
      phone.driver().findElement(By.id("leave")).sendKeys(org.openqa.selenium.Keys.ENTER);
      for (long left = open - 1; left >= 0; left--) {
        long remaining = left;
        phone.until(d -> (Long) dana.js("return window.switchboardChat.rooms.size") == remaining, ChatPage.WAIT_SECONDS);
        if (remaining > 0) {
          phone.driver().switchTo().activeElement().sendKeys(org.openqa.selenium.Keys.ENTER); // still on Leave
        }
      }
      assertEquals("menu", dana.js("return document.activeElement.id"));
    } finally {
      writer.close();
    }
  }

  /**
   * The members list is drawn anew on every join and leave: a keyboard user's focus used to fall
   * back to the page each time. It stays on the same member, or moves to the next when that one
   * left; choosing a member opens the conversation with the focus in the message box.
   */
  @Test
  void keyboardFocusStaysInTheMembersListAsItChanges() throws Exception {
    List<WsClient> others = new java.util.ArrayList<>();
    try (Browser b = Browser.open(1280, 900)) {
      ChatPage hana = new ChatPage(b).open(cluster.port(0), null).signIn("hana", "Hana");
      hana.join("focus");
      for (String user : List.of("ivan", "kira", "jon")) {
        others.add(WsClient.open(vertx, cluster.port(1), Tokens.user(user)));
        others.get(others.size() - 1).join("focus");
        if (user.equals("kira")) {
          b.until(d -> d.findElements(By.cssSelector("#member-list button")).size() == 3, ChatPage.WAIT_SECONDS);
          hana.js("document.querySelector('#member-list button[data-user=\"ivan\"]').focus();");
        }
      }
      b.until(d -> d.findElements(By.cssSelector("#member-list button")).size() == 4, ChatPage.WAIT_SECONDS);
      assertEquals("ivan", hana.js("return document.activeElement.dataset.user"), "jon's join drew the list anew");

      others.get(0).request(new JsonObject().put("type", "leave").put("room", "focus"));
      b.until(d -> d.findElements(By.cssSelector("#member-list button")).size() == 3, ChatPage.WAIT_SECONDS);
      assertEquals("jon", hana.js("return document.activeElement.dataset.user"), "ivan left: the next member");

      hana.js("document.activeElement.click();");
      b.until(d -> "dm:hana:jon".equals(hana.js("return window.switchboardChat.current()")), ChatPage.WAIT_SECONDS);
      assertEquals("input", hana.js("return document.activeElement.id"));
    } finally {
      others.forEach(WsClient::close);
    }
  }

  /**
   * A room open for long keeps its newest messages only (here {@code maxItems=40}: past 40 the
   * oldest go, down to 30), and scrolling up reads the dropped ones again.
   */
  @Test
  void aLongRunningRoomKeepsItsNewestAndReadsTheRestAgain() throws Exception {
    List<WsClient> writers = new java.util.ArrayList<>();
    try (Browser browser = Browser.open(1000, 800)) {
      ChatPage gil = new ChatPage(browser).open(cluster.port(0), "maxItems=40").signIn("gil", "Gil");
      gil.join("marathon");
      for (int i = 0; i < 3; i++) { // 90 quick publishes within each connection's burst allowance
        writers.add(WsClient.open(vertx, cluster.port(1), Tokens.user("runner")));
        writers.get(i).join("marathon");
      }
      for (int i = 1; i <= 90; i++) {
        writers.get(i % 3).publish("marathon", "lap " + i);
      }
      gil.await("lap 90");
      List<Long> shown = gil.seqs();
      assertTrue(shown.size() <= 40 && shown.size() >= 25, shown.toString());
      assertEquals(LongStream.rangeClosed(91 - shown.size(), 90).boxed().toList(), shown, "the newest, in order");
      assertTrue(((Number) gil.js("return document.querySelectorAll('#log .msg').length")).intValue() <= 40);

      long oldest = shown.get(0);
      gil.js("document.getElementById('log').scrollTop = 0;");
      browser.until(d -> gil.seqs().get(0) < oldest, ChatPage.WAIT_SECONDS);
      List<Long> after = gil.seqs();
      assertEquals(LongStream.rangeClosed(after.get(0), 90).boxed().toList(), after, "read again, each once");

      // still scrolled up, in sight: the room kept growing for as long as the tab stayed open; it
      // now gives up its oldest at four times the cap
      for (int i = 0; i < 5; i++) {
        writers.add(WsClient.open(vertx, cluster.port(1), Tokens.user("pacer" + i)));
        writers.get(3 + i).join("marathon");
      }
      for (int i = 91; i <= 240; i++) {
        writers.get(3 + i % 5).publish("marathon", "lap " + i);
      }
      gil.await("lap 240");
      List<Long> capped = gil.seqs();
      assertTrue(capped.size() <= 4 * 40, capped.size() + " shown");
      assertEquals(LongStream.rangeClosed(241 - capped.size(), 240).boxed().toList(), capped, "the newest, in order");
      assertEquals(Boolean.TRUE, gil.js("const l = document.getElementById('log'); return l.scrollHeight - l.scrollTop - l.clientHeight > 400;"),
          "still reading up there, not pulled down to the newest");
    } finally {
      writers.forEach(WsClient::close);
    }
  }

  /** Where message {@code seq} is on screen. */
  /**
   * Reading back in a room while the link drops and comes back: the rejoin's recovered messages
   * come in below without moving what is being read (the log was kept at its distance from the
   * bottom, which pulled the reader down by all of them), and the marker tells of them. Also what
   * the page shows of a message: its day when not today, text and names laid out by their own
   * direction, one's own messages told apart for a screen reader, and Send leaving the focus in
   * the message box.
   */
  @Test
  void readingBackStaysPutWhileARejoinRecoversMessagesBelow() throws Exception {
    List<WsClient> writers = new java.util.ArrayList<>();
    try (Browser browser = Browser.open(1000, 600)) {
      for (int i = 0; i < 2; i++) { // two connections: 60 quick publishes within their bursts
        writers.add(WsClient.open(vertx, cluster.port(1), Tokens.user("scribe")));
        writers.get(i).join("reading");
      }
      for (int i = 1; i <= 60; i++) {
        writers.get(i % 2).publish("reading", "line " + i);
      }
      // the first retry after the drop at least 15 s away: the messages below are stored before
      // it, and the button below is what brings the link back
      ChatPage erin = new ChatPage(browser).open(cluster.port(0), "retryMinMs=20000").signIn("erin", "Erin");
      erin.join("reading");
      erin.await("line 60");
      Map<?, ?> anchor = (Map<?, ?>) erin.js("const log = document.getElementById('log');"
          + " log.scrollTop = (log.scrollHeight - log.clientHeight) / 2;"
          + " const top = log.getBoundingClientRect().top;"
          + " const first = Array.from(log.querySelectorAll('.msg[data-seq]')).find(m => m.getBoundingClientRect().bottom > top);"
          + " return { seq: Number(first.dataset.seq), top: first.getBoundingClientRect().top };");
      long seq = ((Number) anchor.get("seq")).longValue();
      double before = ((Number) anchor.get("top")).doubleValue();
      erin.js("window.switchboardChat.link().socket.close(4000, 'test: the link drops')");
      browser.until(d -> erin.status().startsWith("reconnecting"), ChatPage.WAIT_SECONDS);
      for (int i = 1; i <= 6; i++) {
        writers.get(i % 2).publish("reading", "while away " + i);
      }
      // the back-off's wait (up to 30 s) need not be sat out
      WebElement now = browser.driver().findElement(By.id("retry"));
      assertTrue(now.isDisplayed() && "Reconnect now".equals(now.getText()), "a button to reconnect now: " + now.getText());
      now.click();
      erin.awaitStatus("connected");
      erin.await("while away 6");
      assertEquals(before, top(erin, seq), 2.0, "message " + seq + " stays where it was on screen");
      assertTrue(browser.driver().findElement(By.id("new-marker")).isDisplayed(), "the marker tells of the recovered ones");

      Object time = erin.js("return SwitchboardView.timeEl('2020-01-02T12:00:00.000Z').textContent");
      assertTrue(time.toString().contains("2020") && time.toString().matches(".* " + TIME), "the day before the time: " + time);
      assertTrue(erin.messages().get(0).time().matches(TIME), "today's: the time alone");
      // the page left open past midnight: its clock a day on, and back in sight
      erin.js("const Real = Date;"
          + " window.Date = class extends Real {"
          + "   constructor(...a) { if (a.length) { super(...a); } else { super(Real.now() + 86400000); } }"
          + "   static now() { return Real.now() + 86400000; } };"
          + " try { document.dispatchEvent(new Event('visibilitychange')); } finally { window.Date = Real; }");
      String yesterdays = erin.messages().get(0).time();
      assertTrue(yesterdays.matches("\\S.* " + TIME), "the next day, the day before the time: " + yesterdays);
      assertEquals("auto", erin.js("return document.querySelector('#log .msg.other .text').dir"));
      assertEquals("auto", erin.js("return document.querySelector('#log .msg.other .from').dir"));

      WebElement box = browser.driver().findElement(By.id("input"));
      box.sendKeys("sent with the button");
      browser.driver().findElement(By.id("send")).click();
      erin.await("sent with the button");
      assertEquals("input", erin.js("return document.activeElement.id"), "the focus stays in the message box");
      assertEquals("You, ", erin.js("return document.querySelector('#log .msg.own .meta .sr-only').textContent"));
      browser.driver().findElement(By.id("leave")).click();
      erin.awaitNotice("You left reading.");
    } finally {
      writers.forEach(WsClient::close);
    }
  }

  /** The display name's 64 characters are code points, as the service counts: maxlength let 32 emoji in. */
  @Test
  void aDisplayNameOfSixtyFourEmojiSignsIn() throws Exception {
    try (Browser browser = Browser.open(1000, 700)) {
      ChatPage page = new ChatPage(browser).open(cluster.port(0), null);
      WebElement user = browser.until(d -> d.findElement(By.id("login-user")).isDisplayed()
          ? d.findElement(By.id("login-user")) : null, ChatPage.WAIT_SECONDS);
      user.sendKeys("smiley");
      // a browser counts maxlength in UTF-16 units and stops typing there: 32 emoji
      assertEquals(-1L, page.js("return document.getElementById('login-name').maxLength"), "no maxlength in UTF-16 units");
      String setName = "document.getElementById('login-name').value = arguments[0];"
          + " document.querySelector('#login-form button').click();"; // ChromeDriver types no emoji
      page.js(setName, "\uD83D\uDE00".repeat(65));
      browser.until(d -> d.findElement(By.id("signin-error")).getText().contains("at most 64"), ChatPage.WAIT_SECONDS);
      page.js(setName, "\uD83D\uDE00".repeat(64));
      page.awaitStatus("connected");
      assertEquals("\uD83D\uDE00".repeat(64), page.js("return document.getElementById('me').textContent"));
    }
  }

  private static double top(ChatPage page, long seq) {
    return ((Number) page.js("return document.querySelector(\"#log .msg[data-seq='\" + arguments[0] + \"']\")"
        + ".getBoundingClientRect().top;", seq)).doubleValue();
  }

  @Test
  void aKickedPersonIsToldAndDoesNotReconnect() throws Exception {
    try (Browser a = Browser.open(1000, 800)) {
      ChatPage erin = new ChatPage(a).open(cluster.port(1), null).signIn("erin", "Erin");
      String admin = Tokens.of(new JsonObject().put("sub", "ops").put("roles", new JsonArray().add("admin"))
          .put("exp", Tokens.nowSeconds() + 600));
      HttpResponse<String> kicked = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + cluster.port(0) + "/api/users/erin/kick"))
          .header("Authorization", "Bearer " + admin).POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, kicked.statusCode(), kicked.body());
      erin.awaitNotice("removed by an administrator");
      erin.awaitStatus("offline");
      assertEquals("offline — removed by an administrator", erin.status(), "why, where it stays in view");
      assertEquals(Boolean.TRUE, erin.js("return window.switchboardChat.link().stopped"));
      assertTrue(a.driver().findElement(By.id("retry")).isDisplayed(), "a Reconnect button instead");
      a.driver().findElement(By.id("retry")).click();
      erin.awaitStatus("connected");
      assertEquals("connected", erin.status());
    }
  }

  /**
   * The bell turns on desktop notifications (the browser's own is stood in for: headless Chromium
   * shows none). Out of sight, a private message and a mention ("@dana", any case) are told, with
   * the sender and the text; a message that does not mention, an e-mail address or a longer id,
   * one's own message, and anything while the page is in sight or the bell is off are not.
   */
  @Test
  void privateMessagesAndMentionsNotifyWhileThePageIsOutOfSight() throws Exception {
    try (Browser browser = Browser.open(1000, 700)) {
      ChatPage dana = new ChatPage(browser).open(cluster.port(0), null).signIn("dana", "Dana");
      dana.join("bells");
      dana.js("""
          window.notes = [];
          window.Notification = class {
            static permission = 'default';
            static requestPermission() { this.permission = 'granted'; return Promise.resolve('granted'); }
            constructor(title, options) { window.notes.push({ title, body: options.body, tag: options.tag }); }
            close() {}
          };
          document.hasFocus = () => false;
          """);
      String pressed = "return document.getElementById('notify').getAttribute('aria-pressed')";
      assertEquals("false", dana.js(pressed));
      browser.driver().findElement(By.id("notify")).click();
      browser.until(d -> "true".equals(dana.js(pressed)), ChatPage.WAIT_SECONDS);

      WsClient eve = WsClient.open(vertx, cluster.port(1), Tokens.user("eve"));
      try {
        eve.join("bells");
        for (String text : List.of("no mention here", "hello @DANA!", "write to dana@dana.example or @danabot")) {
          eve.publish("bells", text);
        }
        eve.request(new JsonObject().put("type", "private").put("to", "dana").put("text", "psst"));
        dana.await("write to dana@dana.example or @danabot");
        dana.write("@dana a note to myself");
        dana.await("@dana a note to myself");
        dana.select("dm:dana:eve");
        dana.await("psst");
        assertEquals(List.of(Map.of("title", "Eve (@eve) in #bells", "body", "hello @DANA!", "tag", "bells"),
            Map.of("title", "Private message from Eve (@eve)", "body", "psst", "tag", "dm:dana:eve")), dana.js("return window.notes"));
        dana.select("bells");
        assertEquals(List.of("hello @DANA!"), dana.js(
            "return Array.from(document.querySelectorAll('#log .msg.mention .text')).map(t => t.textContent)"));

        // in sight, nothing; nor with the bell off
        dana.js("document.hasFocus = () => true");
        eve.publish("bells", "@dana in sight");
        dana.await("@dana in sight");
        dana.js("document.hasFocus = () => false");
        browser.driver().findElement(By.id("notify")).click();
        browser.until(d -> "false".equals(dana.js(pressed)), ChatPage.WAIT_SECONDS);
        eve.publish("bells", "@dana with the bell off");
        dana.await("@dana with the bell off");
        assertEquals(2L, dana.js("return window.notes.length"));
        // turned on again in another tab: this one's toggle follows
        dana.js("localStorage.setItem('switchboard.chat.notify.dana', 'true');"
            + "window.dispatchEvent(new StorageEvent('storage', { key: 'switchboard.chat.notify.dana', newValue: 'true' }))");
        browser.until(d -> "true".equals(dana.js(pressed)), ChatPage.WAIT_SECONDS);
      } finally {
        eve.close();
      }
    }
  }
}
