package io.switchboard.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.support.Await;
import io.switchboard.support.Browser;
import io.switchboard.support.ChatPage;
import io.switchboard.support.Tokens;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

/**
 * The page's link against a scripted server that serves the same page: a server that stops
 * answering pings, one that keeps failing, and the close codes that must not be retried. A real
 * node cannot be made to misbehave like this on demand.
 */
class ChatLinkBrowserTest {

  private Vertx vertx;
  private HttpServer server;
  private final List<Long> connects = new CopyOnWriteArrayList<>();
  /** What the scripted server does with connection number n (from 1) once it is open. */
  private volatile BiConsumer<Integer, ServerWebSocket> script;

  /** Tokens handed out by the development login. */
  private final java.util.concurrent.atomic.AtomicInteger tokens = new java.util.concurrent.atomic.AtomicInteger();
  /** How many of the next token requests the development login refuses with 503. */
  private final java.util.concurrent.atomic.AtomicInteger refuseTokens = new java.util.concurrent.atomic.AtomicInteger();
  /** Whether the development login answers 404, as on a node with it turned off. */
  private volatile boolean devLoginOff;
  /** When the scripted server got each join; the first is refused with this retryAfterMs, if set. */
  private final List<Long> joins = new CopyOnWriteArrayList<>();
  private volatile long firstJoinWaitMs;
  /** The message of that refusal. */
  private volatile String firstJoinRefusal = "over 1 joins a second";
  private volatile String unansweredOnTheFirst = "";
  /** Whether a publish is answered unavailable and then shows up in the room after all. */
  private volatile boolean storedAfterUnavailable;
  /** Whether a ping that gets no pong gets one other frame 100 ms later (a frame in flight when the link died). */
  private volatile boolean frameAfterUnansweredPing;
  /** A room whose first join is answered 7 s late (the page waits 6 s); and the rooms of the leave frames, in order. */
  private volatile String slowFirstJoin = "";
  private final List<String> leaves = new CopyOnWriteArrayList<>();
  /** Whether the first publish is refused not_member, as by a node that lost the connection's membership. */
  private volatile boolean notMemberOnce;
  /** With storedAfterUnavailable: what shows up is the same text from the server API under the same name, then bob's. */
  private volatile boolean sameTextFromTheApi;
  /** A room whose joins are answered unavailable (the cluster moving a dead node's data). */
  private volatile String unavailableRoom = "";
  /** A room whose joins are refused forbidden (a token whose rooms claim leaves it out). */
  private volatile String forbiddenRoom = "";
  /** Joins after this many (counted over all connections) are never answered. */
  private volatile int answerJoinsUpTo = Integer.MAX_VALUE;
  /**
   * A room that, rejoined with {@code since}, has moved on to seq 100 and sends only its latest
   * 50 ({@code recovered: false}); seqs 1 to 50 are read back with {@code history}.
   */
  private volatile String gapRoom = "";
  /** The {@code after} of each history read that had one. */
  private final List<Long> gapReads = new CopyOnWriteArrayList<>();
  /** Whether every publish is answered unavailable (and never shows up). */
  private volatile boolean alwaysUnavailable;
  /** The key of each publish frame that reached the server, in order. */
  private final List<String> publishKeys = new CopyOnWriteArrayList<>();
  /**
   * Whether {@code conversations} is answered: nothing on the first connection, then eleven
   * conversations newer than anything the page saw, the newest ten for a limit of ten.
   */
  private volatile boolean elevenNewConversationsOnReconnect;
  /** The limit of each conversations read, in order. */
  private final List<Integer> conversationLimits = new CopyOnWriteArrayList<>();
  /** When each join of {@link #unavailableRoom} came. */
  private final List<Long> unavailableJoins = new CopyOnWriteArrayList<>();
  /** Publish frames that reached the server. */
  private final java.util.concurrent.atomic.AtomicInteger publishes = new java.util.concurrent.atomic.AtomicInteger();

  /** How long the development tokens it issues live (0: an hour); and what each waits for before it is answered. */
  private volatile long tokenLifeSeconds;
  private volatile io.vertx.core.Future<Void> tokenGate = io.vertx.core.Future.succeededFuture();
  private final java.util.concurrent.atomic.AtomicInteger tokenAsks = new java.util.concurrent.atomic.AtomicInteger();

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    Router router = Router.router(vertx);
    router.post("/api/token").handler(ctx -> {
      if (devLoginOff) {
        ctx.response().setStatusCode(404).end("{\"code\":\"not_found\",\"message\":\"not found\"}");
        return;
      }
      if (refuseTokens.getAndDecrement() > 0) {
        ctx.response().setStatusCode(503).end("{\"code\":\"unavailable\",\"message\":\"starting\"}");
        return;
      }
      tokenAsks.incrementAndGet();
      io.vertx.core.Future<Void> gate = tokenGate;
      gate.onComplete(v -> ctx.json(new JsonObject().put("n", tokens.incrementAndGet())
        .put("token", tokenLifeSeconds == 0 ? Tokens.user("alice") : Tokens.of(new JsonObject().put("sub", "alice")
            .put("name", "Alice").put("exp", System.currentTimeMillis() / 1000 + tokenLifeSeconds)))
        .put("user", "alice").put("expiresAt", "2099-01-01T00:00:00.000Z")));
    });
    router.route().handler(StaticHandler.create("webroot"));
    server = Await.of(vertx.createHttpServer().webSocketHandler(ws -> {
      connects.add(System.nanoTime());
      script.accept(connects.size(), ws);
    }).requestHandler(router).listen(0, "127.0.0.1"));
  }

  @AfterEach
  void stop() {
    Await.of(vertx.close());
  }

  /** Welcomes (with small limits) and answers join and ping, as a node would. */
  private void serve(ServerWebSocket ws, boolean pong) {
    welcome(ws);
    ws.textMessageHandler(text -> {
      JsonObject frame = new JsonObject(text);
      switch (frame.getString("type")) {
        case "join" -> {
          joins.add(System.nanoTime());
          if (connects.size() == 1 && frame.getString("room").equals(unansweredOnTheFirst)) {
            return; // the first connection never answers this room's join
          }
          if (joins.size() > answerJoinsUpTo) {
            return;
          }
          if (frame.getString("room").equals(slowFirstJoin)) {
            slowFirstJoin = "";
            JsonObject late = new JsonObject().put("type", "joined").put("id", frame.getValue("id"))
                .put("room", frame.getString("room")).put("epoch", "e-1").put("seq", 0).put("history", new JsonArray())
                .put("members", new JsonArray().add(new JsonObject().put("user", "alice").put("name", "Alice")))
                .put("count", 1);
            vertx.setTimer(7_000, t -> ws.writeTextMessage(late.encode()));
            return;
          }
          if (frame.getString("room").equals(unavailableRoom)) {
            unavailableJoins.add(System.nanoTime());
            ws.writeTextMessage(new JsonObject().put("type", "error").put("id", frame.getValue("id"))
                .put("code", "unavailable").put("message", "the cluster did not answer in time").encode());
            return;
          }
          if (frame.getString("room").equals(forbiddenRoom)) {
            ws.writeTextMessage(new JsonObject().put("type", "error").put("id", frame.getValue("id"))
                .put("code", "forbidden").put("message", "your token does not grant room '" + forbiddenRoom + "'").encode());
            return;
          }
          if (frame.getString("room").equals(gapRoom) && frame.containsKey("since")) {
            ws.writeTextMessage(new JsonObject().put("type", "joined").put("id", frame.getValue("id"))
                .put("room", gapRoom).put("epoch", "e-1").put("seq", 100).put("recovered", false)
                .put("history", messages(gapRoom, 51, 100))
                .put("members", new JsonArray().add(new JsonObject().put("user", "alice").put("name", "Alice")))
                .put("count", 1).encode());
            return;
          }
          if (joins.size() == 1 && firstJoinWaitMs > 0) {
            ws.writeTextMessage(new JsonObject().put("type", "error").put("id", frame.getValue("id"))
                .put("code", "rate_limited").put("message", firstJoinRefusal)
                .put("retryAfterMs", firstJoinWaitMs).encode());
            return;
          }
          ws.writeTextMessage(new JsonObject().put("type", "joined").put("id", frame.getValue("id"))
              .put("room", frame.getString("room")).put("epoch", "e-1").put("seq", 0).put("history", new JsonArray())
              .put("members", new JsonArray().add(new JsonObject().put("user", "alice").put("name", "Alice")))
              .put("count", 1).encode());
        }
        case "history" -> {
          long after = frame.getLong("after", 0L);
          if (frame.containsKey("after")) {
            gapReads.add(after);
          }
          ws.writeTextMessage(new JsonObject().put("type", "history").put("id", frame.getValue("id"))
              .put("room", frame.getString("room")).put("messages", messages(frame.getString("room"), after + 1, Math.min(after + 100, 50)))
              .put("more", false).encode());
        }
        case "conversations" -> {
          if (!elevenNewConversationsOnReconnect) {
            return;
          }
          int limit = frame.getInteger("limit");
          conversationLimits.add(limit);
          JsonArray list = new JsonArray();
          for (int i = 0; connects.size() > 1 && i < 11 && i < limit; i++) {
            String peer = String.format("p%02d", i);
            list.add(new JsonObject().put("room", "dm:alice:" + peer).put("with", peer).put("last", new JsonObject()
                .put("type", "message").put("room", "dm:alice:" + peer).put("seq", 1).put("from", peer).put("name", peer)
                .put("to", "alice").put("text", "hello").put("ts", String.format("2099-01-01T00:00:%02d.000Z", 59 - i))));
          }
          ws.writeTextMessage(new JsonObject().put("type", "conversations").put("id", frame.getValue("id"))
              .put("conversations", list).put("more", connects.size() > 1 && limit < 11).encode());
        }
        case "refresh" -> ws.writeTextMessage(new JsonObject().put("type", "refreshed").put("id", frame.getValue("id"))
            .put("expiresAt", "2099-01-01T00:00:00.000Z").encode());
        case "leave" -> {
          leaves.add(frame.getString("room"));
          ws.writeTextMessage(new JsonObject().put("type", "left").put("id", frame.getValue("id"))
              .put("room", frame.getString("room")).encode());
        }
        case "ping" -> {
          if (pong) {
            ws.writeTextMessage(new JsonObject().put("type", "pong").put("id", frame.getValue("id")).encode());
          } else if (frameAfterUnansweredPing) {
            vertx.setTimer(100, t -> ws.writeTextMessage("{\"type\":\"x-filler\"}"));
          }
        }
        case "publish" -> {
          publishes.incrementAndGet();
          publishKeys.add(frame.getString("key"));
          if (notMemberOnce) {
            notMemberOnce = false;
            ws.writeTextMessage(new JsonObject().put("type", "error").put("id", frame.getValue("id"))
                .put("code", "not_member").put("message", "join room '" + frame.getString("room") + "' before publishing to it").encode());
            return;
          }
          if (alwaysUnavailable) {
            ws.writeTextMessage(new JsonObject().put("type", "error").put("id", frame.getValue("id"))
                .put("code", "unavailable").put("message", "the cluster did not store this within 5000 ms").encode());
            return;
          }
          if (storedAfterUnavailable) {
            // the room's owner stored it and died before answering: unavailable at 5 s, and the
            // message delivered once the cluster re-ran the append on the new owner
            ws.writeTextMessage(new JsonObject().put("type", "error").put("id", frame.getValue("id"))
                .put("code", "unavailable").put("message", "the cluster did not store this within 5000 ms").encode());
            JsonObject shown = new JsonObject().put("type", "message")
                .put("room", frame.getString("room")).put("seq", 1).put("from", "alice").put("name", "Alice")
                .put("text", frame.getString("text")).put("ts", "2026-12-05T00:00:00.000Z");
            if (sameTextFromTheApi) {
              shown.put("via", "api");
            }
            vertx.setTimer(300, t -> {
              ws.writeTextMessage(shown.encode());
              if (sameTextFromTheApi) {
                JsonObject after = shown.copy().put("seq", 2).put("from", "bob").put("name", "Bob").put("text", "after");
                after.remove("via");
                ws.writeTextMessage(after.encode());
              }
            });
            return;
          }
          ws.writeTextMessage(new JsonObject().put("type", "error").put("id", frame.getValue("id"))
              .put("code", "rate_limited").put("message", "too fast").put("retryAfterMs", 2500).encode());
        }
        default -> { }
      }
    });
  }

  private static void welcome(ServerWebSocket ws) {
    ws.writeTextMessage(new JsonObject().put("type", "welcome").put("session", "s-1").put("user", "alice")
        .put("name", "Alice").put("node", "n-fake")
        .put("limits", new JsonObject().put("maxFrameBytes", 1000).put("maxTextChars", 500)).encode());
  }

  /** Messages from bob, seqs {@code first} to {@code last}. */
  private static JsonArray messages(String room, long first, long last) {
    JsonArray out = new JsonArray();
    for (long seq = first; seq <= last; seq++) {
      out.add(new JsonObject().put("type", "message").put("room", room).put("seq", seq).put("from", "bob")
          .put("name", "Bob").put("text", "m" + seq).put("ts", "2026-12-05T00:00:00.000Z"));
    }
    return out;
  }

  /**
   * A send whose outcome is unsure, sent again, carries the same key (the node stores it once),
   * also after an unsure send in another room meanwhile; another text gets another key.
   */
  @Test
  void aSendAgainAfterAnUnsureOutcomeKeepsItsKey() throws Exception {
    alwaysUnavailable = true;
    script = (n, ws) -> serve(ws, true);
    try (Browser browser = Browser.open(1000, 700)) {
      ChatPage alice = page(browser, null);
      alice.awaitJoined("lobby");
      var input = browser.driver().findElement(By.id("input"));
      input.sendKeys("maybe stored\n");
      browser.until(d -> publishKeys.size() == 1, ChatPage.WAIT_SECONDS);
      alice.awaitNotice("It stays in the box");
      browser.until(d -> Boolean.FALSE.equals(browser.js("return document.getElementById('send').disabled;")), ChatPage.WAIT_SECONDS);
      // an unsure send in another room does not make lobby's resend a new message
      alice.join("dev");
      input.sendKeys("elsewhere\n");
      browser.until(d -> publishKeys.size() == 2, ChatPage.WAIT_SECONDS);
      browser.until(d -> Boolean.FALSE.equals(browser.js("return document.getElementById('send').disabled;")), ChatPage.WAIT_SECONDS);
      alice.select("lobby");
      assertEquals("maybe stored", input.getAttribute("value"), "lobby's text is back in the box");
      input.sendKeys("\n");
      browser.until(d -> publishKeys.size() == 3, ChatPage.WAIT_SECONDS);
      assertTrue(publishKeys.get(0) != null && publishKeys.get(0).length() == 32, "a key: " + publishKeys);
      assertEquals(publishKeys.get(0), publishKeys.get(2), "the same message, the same key: " + publishKeys);
      assertTrue(!publishKeys.get(1).equals(publishKeys.get(0)), "another room's message, another key: " + publishKeys);
      browser.until(d -> Boolean.FALSE.equals(browser.js("return document.getElementById('send').disabled;")), ChatPage.WAIT_SECONDS);
      input.sendKeys(" and more\n");
      browser.until(d -> publishKeys.size() == 4, ChatPage.WAIT_SECONDS);
      assertTrue(!publishKeys.get(3).equals(publishKeys.get(0)), "another text, another key: " + publishKeys);
    }
  }

  /**
   * The room's log restarts (a split brain healed, carrying the unsure message into the new log
   * under its append id) between an unsure send and its resend: the resend keeps the key, so the
   * node finds the message instead of storing it twice.
   */
  @Test
  void aSendAgainAfterTheLogRestartedKeepsItsKey() throws Exception {
    alwaysUnavailable = true;
    java.util.concurrent.atomic.AtomicReference<ServerWebSocket> socket = serveKeepingTheLast();
    try (Browser browser = Browser.open(1000, 700)) {
      ChatPage alice = page(browser, null);
      alice.awaitJoined("lobby");
      var input = browser.driver().findElement(By.id("input"));
      input.sendKeys("maybe stored\n");
      alice.awaitNotice("It stays in the box");
      browser.until(d -> Boolean.FALSE.equals(browser.js("return document.getElementById('send').disabled;")), ChatPage.WAIT_SECONDS);
      socket.get().writeTextMessage(new JsonObject().put("type", "joined").put("room", "lobby").put("epoch", "e-2")
          .put("seq", 1).put("history", new JsonArray()).put("members", new JsonArray()).put("count", 1).encode());
      socket.get().writeTextMessage(message(2, "new log 2").encode());
      alice.await("new log 2"); // after the restart: frames are handled in order
      assertEquals("maybe stored", input.getAttribute("value"), "the text stays in the box");
      input.sendKeys("\n");
      browser.until(d -> publishKeys.size() == 2, ChatPage.WAIT_SECONDS);
      assertEquals(publishKeys.get(0), publishKeys.get(1), "the same message, the same key: " + publishKeys);
    }
  }

  /**
   * Messages in a background room update its badge in place: the room button a keyboard user is
   * on stays the same element and keeps the focus, instead of being drawn anew and focused again
   * (which a screen reader reads out on every message).
   */
  @Test
  void messagesElsewhereLeaveTheFocusedRoomButtonAlone() throws Exception {
    java.util.concurrent.atomic.AtomicReference<ServerWebSocket> socket = serveKeepingTheLast();
    try (Browser browser = Browser.open(1000, 700)) {
      ChatPage alice = page(browser, null);
      alice.awaitJoined("lobby");
      alice.join("side");
      alice.select("lobby");
      alice.js("const b = document.querySelector(\"button[data-room='lobby']\"); b.focus(); b.marked = true;");
      for (long seq = 1; seq <= 3; seq++) {
        socket.get().writeTextMessage(new JsonObject().put("type", "message").put("room", "side").put("seq", seq)
            .put("from", "bob").put("name", "Bob").put("text", "m" + seq).put("ts", "2026-12-05T00:00:00.000Z").encode());
      }
      browser.until(d -> "3".equals(alice.unread("side")), ChatPage.WAIT_SECONDS);
      assertEquals(Boolean.TRUE, alice.js("return document.activeElement.marked === true"),
          "the same button, still focused: " + alice.js("return document.activeElement.outerHTML"));
    }
  }

  /**
   * A join the cluster keeps refusing for a moment is tried again further apart each time: after
   * a node dies, all its users' pages retry at once, and fixed pauses would keep them in step.
   */
  @Test
  void aJoinRefusedUnavailableIsTriedAgainFurtherApart() throws Exception {
    unavailableRoom = "busy";
    script = (n, ws) -> serve(ws, true);
    try (Browser browser = Browser.open(1000, 700)) {
      ChatPage alice = page(browser, null);
      alice.awaitJoined("lobby");
      alice.js("document.getElementById('join-room').value = 'busy'; document.getElementById('join-form').requestSubmit();");
      browser.until(d -> unavailableJoins.size() >= 3, 30);
      long first = unavailableJoins.get(1) - unavailableJoins.get(0);
      long second = unavailableJoins.get(2) - unavailableJoins.get(1);
      assertTrue(first >= 2_000_000_000L && second > first, "pauses of " + first / 1_000_000 + " and " + second / 1_000_000 + " ms");
    }
  }

  /** Signing out in one tab signs the others out too: on a shared computer no tab stays signed in. */
  @Test
  void signingOutInOneTabSignsOutTheOthers() throws Exception {
    script = (n, ws) -> serve(ws, true);
    try (Browser browser = Browser.open(1000, 700)) {
      ChatPage one = page(browser, null);
      one.awaitJoined("lobby");
      String first = browser.driver().getWindowHandle();
      browser.driver().switchTo().newWindow(org.openqa.selenium.WindowType.TAB);
      ChatPage two = new ChatPage(browser).open(server.actualPort(), null);
      two.awaitStatus("connected");
      browser.driver().findElement(By.id("signout")).click();
      browser.driver().switchTo().window(first);
      browser.until(d -> d.findElement(By.id("signin")).isDisplayed()
          && d.findElement(By.id("signin-error")).getText().contains("Signed out in another tab"), ChatPage.WAIT_SECONDS);
      assertEquals(Boolean.TRUE, one.js("return window.switchboardChat.link() === null"), "its link closed");
      assertEquals(null, one.js("return JSON.parse(localStorage.getItem('switchboard.chat.login')).token || null"),
          "no token written back");
    }
  }

  /**
   * A development token near its end is renewed on the way to a node. Signed out while that
   * renewal is under way, the page must not keep the token it brings: written back, it signed
   * the person in again at the next visit, or went to whoever signed in on the tab meanwhile.
   */
  @Test
  void aTokenRenewedWhileThePersonSignsOutIsNotKept() throws Exception {
    tokenLifeSeconds = 50; // under a minute left: renewed before the next connection
    io.vertx.core.Promise<ServerWebSocket> first = serveHoldingTheFirst();
    try (Browser browser = Browser.open(1000, 700)) {
      ChatPage alice = page(browser, "retryMinMs=200");
      alice.awaitJoined("lobby");
      io.vertx.core.Promise<Void> held = io.vertx.core.Promise.promise();
      tokenGate = held.future();
      int before = tokens.get();
      int asked = tokenAsks.get();
      Await.of(Await.of(first.future()).close((short) 1011, "internal error"));
      browser.until(d -> tokenAsks.get() > asked, ChatPage.WAIT_SECONDS); // the way back renews the token
      browser.driver().findElement(By.id("signout")).click(); // while the renewal waits
      browser.until(d -> d.findElement(By.id("signin")).isDisplayed(), ChatPage.WAIT_SECONDS);
      held.complete();
      browser.until(d -> tokens.get() > before, ChatPage.WAIT_SECONDS); // the renewal was answered
      Await.of(vertx.timer(500)); // and the page has had its answer
      assertEquals(null, alice.js("return (JSON.parse(localStorage.getItem('switchboard.chat.login')) || {}).token || null"),
          "no token written back");
      assertEquals(1, connects.size(), "and no connection made with it");
    }
  }

  /**
   * Tokens that look about to expire as soon as they come (here they live 20 s; the same happens
   * where the browser's clock runs hours ahead of the server's) are renewed once a minute at most.
   * Before, each renewal asked for the next one at once, for as long as the page was open.
   */
  @Test
  void tokensThatLookAboutToExpireAreNotRenewedInALoop() throws Exception {
    tokenLifeSeconds = 20;
    script = (n, ws) -> serve(ws, true);
    try (Browser browser = Browser.open(1000, 700)) {
      ChatPage alice = page(browser, null);
      alice.awaitJoined("lobby");
      int asked = tokenAsks.get();
      Await.of(vertx.timer(2_000)); // nothing to await: what must not happen is more renewals
      assertTrue(tokenAsks.get() - asked <= 1, "renewals in 2 s: " + (tokenAsks.get() - asked));
    }
  }

  /**
   * Two tabs of one user follow each other's rooms (each saved its whole list, the last one's
   * overwriting the other's), and one who left every room is not put back into lobby on reload.
   */
  @Test
  void tabsOfOneUserFollowEachOthersRoomsAndALeftLobbyStaysLeft() throws Exception {
    script = (n, ws) -> serve(ws, true);
    try (Browser browser = Browser.open(1000, 700)) {
      ChatPage one = page(browser, null);
      one.awaitJoined("lobby");
      String first = browser.driver().getWindowHandle();
      browser.driver().switchTo().newWindow(org.openqa.selenium.WindowType.TAB);
      ChatPage two = new ChatPage(browser).open(server.actualPort(), null);
      two.awaitStatus("connected");
      two.awaitJoined("lobby");
      two.join("dev");
      String second = browser.driver().getWindowHandle();

      browser.driver().switchTo().window(first);
      browser.until(d -> d.findElements(By.cssSelector("button[data-room='dev']")).size() == 1, ChatPage.WAIT_SECONDS);
      one.select("lobby");
      browser.driver().findElement(By.id("leave")).click();
      browser.until(d -> d.findElements(By.cssSelector("button[data-room='lobby']")).isEmpty(), ChatPage.WAIT_SECONDS);

      browser.driver().switchTo().window(second);
      browser.until(d -> d.findElements(By.cssSelector("button[data-room='lobby']")).isEmpty(), ChatPage.WAIT_SECONDS);
      two.select("dev");
      browser.driver().findElement(By.id("leave")).click();
      browser.until(d -> d.findElements(By.cssSelector("button[data-room='dev']")).isEmpty(), ChatPage.WAIT_SECONDS);

      browser.driver().switchTo().window(first);
      browser.until(d -> d.findElements(By.cssSelector("button[data-room='dev']")).isEmpty(), ChatPage.WAIT_SECONDS);
      one.awaitNotice("dev was left in another tab");
      browser.driver().navigate().refresh();
      one.awaitStatus("connected");
      assertEquals(null, one.js("return window.switchboardChat.current();"), "no room after reload");
      assertEquals(0L, one.js("return window.switchboardChat.rooms.size;"), "lobby not put back");
    }
  }

  /** A socket that opens and is never welcomed (a hung proxy): the page gives up on it and comes back. */
  @Test
  void aConnectionNeverWelcomedIsGivenUpAndTriedAgain() throws Exception {
    script = (n, ws) -> {
      if (n > 1) {
        serve(ws, true);
      }
    };
    try (Browser browser = Browser.open(1000, 700)) {
      ChatPage alice = page(browser, "retryMinMs=200&welcomeMs=1000");
      alice.awaitJoined("lobby");
      alice.awaitStatus("connected");
      assertEquals(2, connects.size(), "one more connection after the silent one");
    }
  }

  /**
   * The only room is refused (a token whose rooms claim leaves lobby out): no room is left to
   * show the reason in, and it is shown all the same, where the log would be.
   */
  @Test
  void whyTheOnlyRoomWasRefusedIsShownWithNoRoomOpen() throws Exception {
    forbiddenRoom = "lobby";
    script = (n, ws) -> serve(ws, true);
    try (Browser browser = Browser.open(1000, 700)) {
      ChatPage alice = page(browser, null);
      alice.awaitNotice("Could not join lobby");
      assertEquals(null, alice.js("return window.switchboardChat.current();"));
    }
  }

  /**
   * Back on a new link whose rejoin has not been answered yet, the room is not joined: a send is
   * kept rather than refused not_member, and the room shows no member count it cannot know.
   */
  @Test
  void aSendBeforeTheRejoinIsAnsweredIsKeptNotSent() throws Exception {
    answerJoinsUpTo = 1;
    script = (n, ws) -> {
      serve(ws, true);
      if (n == 1) {
        vertx.setTimer(1_000, t -> ws.close((short) 1001, "going away"));
      }
    };
    try (Browser browser = Browser.open(1000, 700)) {
      ChatPage alice = page(browser, "retryMinMs=200");
      alice.awaitJoined("lobby");
      assertEquals("1", browser.driver().findElement(By.id("room-count")).getText());
      browser.until(d -> connects.size() == 2 && joins.size() == 2, ChatPage.WAIT_SECONDS);
      alice.awaitStatus("connected");
      browser.driver().findElement(By.id("input")).sendKeys("too soon\n");
      alice.awaitNotice("your message is kept");
      assertEquals("too soon", browser.driver().findElement(By.id("input")).getAttribute("value"));
      assertEquals(0, publishes.get(), "nothing sent into a room not joined");
      assertEquals("–", browser.driver().findElement(By.id("room-count")).getText(), "no count while not joined");
    }
  }

  /**
   * After a long absence the newest ten conversations are all newer than the last message the
   * page saw: a new one may be further down, and the page reads as far as a read goes.
   */
  @Test
  void afterALongAbsenceConversationsPastTheNewestTenAreFound() throws Exception {
    elevenNewConversationsOnReconnect = true;
    script = (n, ws) -> {
      serve(ws, true);
      if (n == 1) {
        vertx.setTimer(1_000, t -> ws.close((short) 1001, "going away"));
      }
    };
    try (Browser browser = Browser.open(1000, 700)) {
      ChatPage alice = page(browser, "retryMinMs=200");
      alice.awaitJoined("lobby");
      browser.until(d -> connects.size() == 2, ChatPage.WAIT_SECONDS);
      browser.until(d -> Boolean.TRUE.equals(alice.js("return window.switchboardChat.rooms.has('dm:alice:p10')")),
          ChatPage.WAIT_SECONDS);
      assertEquals(List.of(50, 10, 100), conversationLimits, "the whole list, then the newest, then further");
    }
  }

  /**
   * A background room whose rejoin could not recover (100 missed, 50 in the reply, 50 read
   * back page by page): its unread badge and the title count all 100, not only the reply's.
   */
  @Test
  void theUnreadCountIncludesTheMessagesReadBackAfterARejoin() throws Exception {
    gapRoom = "side";
    io.vertx.core.Promise<ServerWebSocket> first = serveHoldingTheFirst();
    try (Browser browser = Browser.open(1000, 700)) {
      ChatPage alice = page(browser, "retryMinMs=200");
      alice.awaitJoined("lobby");
      alice.join("side");
      alice.select("lobby");
      Await.of(first.future()).close((short) 1001, "going away");
      browser.until(d -> "100".equals(alice.unread("side")), ChatPage.WAIT_SECONDS);
      assertTrue(browser.driver().getTitle().startsWith("(100)"), browser.driver().getTitle());
    }
  }

  /**
   * More was missed than the page keeps (maxItems 20: it keeps 15): the newest 15 of the gap are
   * read, not the whole gap page by page to be trimmed away after, and the rest is older history,
   * read by scrolling up.
   */
  @Test
  void aGapLargerThanThePageKeepsIsReadFromItsNewestEnd() throws Exception {
    gapRoom = "side";
    io.vertx.core.Promise<ServerWebSocket> first = serveHoldingTheFirst();
    try (Browser browser = Browser.open(1000, 700)) {
      ChatPage alice = page(browser, "retryMinMs=200&maxItems=20");
      alice.awaitJoined("lobby");
      alice.join("side");
      Await.of(first.future()).close((short) 1001, "going away");
      alice.awaitNotice("35 earlier messages came while you were away: scroll up to read them.");
      String seqs = "return window.switchboardChat.rooms.get('side').items.filter(i => i.kind === 'message').map(i => i.seq)";
      browser.until(d -> ((List<?>) alice.js(seqs)).size() == 65, ChatPage.WAIT_SECONDS);
      assertEquals(36L, ((List<?>) alice.js(seqs)).get(0), "from the newest 15 of the gap on");
      assertEquals(List.of(35L), gapReads, "one read, from there");
      assertEquals(Boolean.TRUE, alice.js("return window.switchboardChat.rooms.get('side').more"), "older to scroll up to");
    }
  }

  /**
   * Live messages that came on a link lost before its rejoin was answered belong to that link:
   * the next link's rejoin finds the room's log begun again (a new epoch, seqs 1 to 3), and the
   * old link's seqs 60 and 61 must not be laid over it, nor its last seq taken from them.
   */
  @Test
  void liveMessagesOfALostLinksRejoinAreNotReplayedIntoTheNextOne() throws Exception {
    java.util.concurrent.atomic.AtomicReference<ServerWebSocket> first = new java.util.concurrent.atomic.AtomicReference<>();
    script = (n, ws) -> {
      if (n == 1) {
        first.set(ws);
        serve(ws, true);
        return;
      }
      welcome(ws);
      ws.textMessageHandler(text -> {
        JsonObject frame = new JsonObject(text);
        if (!"join".equals(frame.getString("type"))) {
          return;
        }
        if (n == 2) {
          // the rejoin stays unanswered; two live messages come before the link is lost
          JsonArray live = messages("lobby", 60, 61);
          live.forEach(m -> ws.writeTextMessage(((JsonObject) m).encode()));
          vertx.setTimer(300, t -> ws.close((short) 1001, "going away"));
        } else {
          ws.writeTextMessage(new JsonObject().put("type", "joined").put("id", frame.getValue("id"))
              .put("room", "lobby").put("epoch", "e-2").put("seq", 3).put("recovered", false)
              .put("history", messages("lobby", 1, 3))
              .put("members", new JsonArray().add(new JsonObject().put("user", "alice").put("name", "Alice")))
              .put("count", 1).encode());
        }
      });
    };
    try (Browser browser = Browser.open(1000, 700)) {
      ChatPage alice = page(browser, "retryMinMs=200");
      alice.awaitJoined("lobby");
      first.get().close((short) 1001, "going away");
      browser.until(d -> connects.size() == 3, ChatPage.WAIT_SECONDS);
      browser.until(d -> "e-2".equals(alice.js("return window.switchboardChat.rooms.get('lobby').epoch")),
          ChatPage.WAIT_SECONDS);
      assertEquals(List.of(1L, 2L, 3L), alice.js("return window.switchboardChat.rooms.get('lobby').items"
          + ".filter(i => i.kind === 'message').map(i => i.seq)"));
      assertEquals(3L, alice.js("return window.switchboardChat.rooms.get('lobby').lastSeq"));
    }
  }

  private ChatPage page(Browser browser, String query) {
    return new ChatPage(browser).open(server.actualPort(), query).signIn("alice", "Alice");
  }

  @Test
  void aServerThatStopsAnsweringPingsIsLeftAndTheLinkComesBack() throws Exception {
    script = (n, ws) -> serve(ws, n > 1);
    try (Browser browser = Browser.open(1000, 700)) {
      ChatPage alice = page(browser, "pingMs=300&pongTimeoutMs=600&retryMinMs=200");
      alice.awaitNotice("no answer to ping");
      alice.awaitNotice("Reconnected to node n-fake");
      alice.awaitStatus("connected");
      assertEquals(2, connects.size(), "one reconnection after the dead link");
    }
  }

  /**
   * A link that gets no pong but goes on receiving other frames (a slow link, its pong queued
   * behind large replies) is alive: it is left only once nothing at all comes.
   */
  @Test
  void aLinkStillReceivingFramesIsNotTakenForDeadForWantOfAPong() throws Exception {
    java.util.concurrent.atomic.AtomicBoolean filling = new java.util.concurrent.atomic.AtomicBoolean(true);
    script = (n, ws) -> {
      serve(ws, n > 1);
      if (n == 1) {
        long filler = vertx.setPeriodic(100, t -> {
          if (filling.get() && !ws.isClosed()) {
            ws.writeTextMessage("{\"type\":\"x-filler\"}");
          }
        });
        ws.closeHandler(v -> vertx.cancelTimer(filler));
      }
    };
    try (Browser browser = Browser.open(1000, 700)) {
      ChatPage alice = page(browser, "pingMs=300&pongTimeoutMs=600&retryMinMs=200");
      alice.awaitStatus("connected");
      Await.of(vertx.timer(2_000)); // three pong timeouts and more, with frames coming all along
      assertEquals(1, connects.size(), "no reconnection while frames came");
      filling.set(false);
      alice.awaitNotice("no answer to ping");
      alice.awaitNotice("Reconnected to node n-fake");
      assertEquals(2, connects.size(), "left once nothing came");
    }
  }

  /**
   * A frame that came just after the ping (in flight when the link died) puts the verdict off by
   * no more than a pong timeout from it, not to the next timed ping (a minute away here).
   */
  @Test
  void aFrameJustAfterThePingDoesNotPutOffTheVerdictToTheNextPing() throws Exception {
    frameAfterUnansweredPing = true;
    backOnlineADeadLinkIsLeftAndComesBack();
  }

  /**
   * Back online after a network change, the socket may still say open with nothing under it: the
   * page asks for a pong at once rather than at its next timed ping, here a minute away.
   */
  @Test
  void backOnlineTheLinkIsAskedForAPongAtOnce() throws Exception {
    backOnlineADeadLinkIsLeftAndComesBack();
  }

  /** The first link answers no ping and the page is told it is back online: it leaves that link and comes back. */
  private void backOnlineADeadLinkIsLeftAndComesBack() throws Exception {
    script = (n, ws) -> serve(ws, n > 1);
    try (Browser browser = Browser.open(1000, 700)) {
      ChatPage alice = page(browser, "pingMs=60000&pongTimeoutMs=600&retryMinMs=200");
      alice.awaitStatus("connected");
      browser.js("window.dispatchEvent(new Event('online'))");
      alice.awaitNotice("no answer to ping");
      alice.awaitNotice("Reconnected to node n-fake");
      assertEquals(2, connects.size(), "one reconnection after the dead link");
    }
  }

  /**
   * A pasted token that the service took, refused on the way back (its signing key changed
   * meanwhile): the page asks for a new token and keeps the rooms and what was typed. Before, it
   * signed out, which took both.
   */
  @Test
  void aPastedTokenRefusedOnTheWayBackAsksForANewOneAndKeepsTheDraft() throws Exception {
    devLoginOff = true;
    io.vertx.core.Promise<ServerWebSocket> first = io.vertx.core.Promise.promise();
    script = (n, ws) -> {
      if (n == 2) {
        ws.close((short) 1008, "unauthorized");
        return;
      }
      serve(ws, true);
      first.tryComplete(ws);
    };
    try (Browser browser = Browser.open(1000, 700)) {
      var driver = browser.driver();
      driver.get("http://127.0.0.1:" + server.actualPort() + "/?retryMinMs=200");
      browser.until(d -> d.findElement(By.id("devlogin-off")).isDisplayed(), ChatPage.WAIT_SECONDS);
      driver.findElement(By.id("login-token")).sendKeys(Tokens.user("alice"));
      driver.findElement(By.cssSelector("#token-form button")).click();
      ChatPage alice = new ChatPage(browser);
      alice.awaitJoined("lobby");
      driver.findElement(By.id("input")).sendKeys("half a thought");
      Await.of(Await.of(first.future()).close((short) 1001, "going away"));
      browser.until(d -> d.findElement(By.id("renew")).isDisplayed()
          && d.findElement(By.id("renew-label")).getText().contains("no longer accepts your token"), ChatPage.WAIT_SECONDS);
      assertTrue(driver.findElement(By.id("app")).isDisplayed(), "not signed out");
      assertEquals("half a thought", driver.findElement(By.id("input")).getAttribute("value"), "what was typed stays");
      driver.findElement(By.id("renew-token")).sendKeys(Tokens.user("alice"));
      driver.findElement(By.cssSelector("#renew button")).click();
      alice.awaitStatus("connected");
      alice.awaitJoined("lobby");
      assertEquals(3, connects.size());
      assertEquals("half a thought", driver.findElement(By.id("input")).getAttribute("value"));
    }
  }

  @Test
  void failuresAreRetriedWithGrowingPausesUpToTheCap() throws Exception {
    script = (n, ws) -> {
      if (n <= 5) {
        ws.close((short) 1011, "internal error");
      } else {
        serve(ws, true);
      }
    };
    try (Browser browser = Browser.open(1000, 700)) {
      page(browser, "retryMinMs=300&retryMaxMs=1400");
      assertEquals(6, connects.size());
      long[] gaps = new long[5];
      for (int i = 0; i < 5; i++) {
        gaps[i] = (connects.get(i + 1) - connects.get(i)) / 1_000_000;
      }
      // 300, 600, 1200, then the 1400 cap, each ±25 % jitter. A gap also holds a close and a
      // connect, which only add to the pause, by tens of ms that vary: so each gap is held to its
      // own band, never compared with its neighbour (with jitter, 375 + 40 against 450 + 10
      // failed such a comparison; one CI run saw 285 before 259)
      long[] pauses = {300, 600, 1200, 1400, 1400};
      for (int i = 0; i < 5; i++) {
        assertTrue(gaps[i] >= pauses[i] * 3 / 4 && gaps[i] <= pauses[i] * 5 / 4 + 250,
            "pause " + i + " is about " + pauses[i] + " ms: " + java.util.Arrays.toString(gaps));
      }
    }
  }

  /**
   * Refused with 4003 on the way back after a lost link: a node that died may still count the
   * old connection until the cluster declares it dead, so the page asks again by itself, after a
   * while (here shortened), instead of staying offline until a reload.
   */
  @Test
  void tooManyConnectionsOnTheWayBackIsAskedAgainAfterAWhile() throws Exception {
    script = (n, ws) -> {
      if (n == 2) {
        ws.close((short) 4003, "too many connections");
        return;
      }
      serve(ws, true);
      if (n == 1) {
        vertx.setTimer(300, t -> ws.close((short) 1011, "internal error"));
      }
    };
    try (Browser browser = Browser.open(1000, 700)) {
      ChatPage alice = page(browser, "retryMinMs=200&tooManyRetryMs=1000");
      alice.awaitNotice("trying again in");
      browser.until(d -> connects.size() == 3, ChatPage.WAIT_SECONDS);
      alice.awaitStatus("connected");
      alice.awaitJoined("lobby");
    }
  }

  /**
   * A kicked connection stays down (PROTOCOL.md: not reconnect by itself), even when a page that
   * embeds the chat hands in a new token: only a link that ended at its token's expiry is
   * started again by one.
   */
  @Test
  void aNewTokenDoesNotBringBackAKickedLink() throws Exception {
    script = (n, ws) -> {
      serve(ws, true);
      vertx.setTimer(300, t -> ws.close((short) 4009, "kicked"));
    };
    try (Browser browser = Browser.open(1000, 700)) {
      ChatPage alice = page(browser, "retryMinMs=200");
      alice.awaitNotice("removed by an administrator");
      assertEquals(null, alice.js("return window.switchboardChat.useToken(arguments[0])", Tokens.user("alice")),
          "the token is taken, for later");
      io.switchboard.support.Await.of(vertx.timer(1_000));
      assertEquals(1, connects.size(), "no reconnection by itself");
    }
  }

  /**
   * A retry planned after a 4003 on the way back is dropped once the link is back by other means
   * (the Reconnect button): a kick that follows (4009, not to reconnect by itself) stays down.
   */
  @Test
  void aRetryPlannedAfterARefusalDoesNotBringBackALinkKickedSince() throws Exception {
    script = (n, ws) -> {
      if (n == 2) {
        ws.close((short) 4003, "too many connections");
        return;
      }
      serve(ws, true);
      vertx.setTimer(300, t -> ws.close(n == 1 ? (short) 1011 : (short) 4009, n == 1 ? "internal error" : "kicked"));
    };
    try (Browser browser = Browser.open(1000, 700)) {
      ChatPage alice = page(browser, "retryMinMs=200&tooManyRetryMs=1500");
      alice.awaitNotice("trying again in");
      alice.js("document.getElementById('retry').click()");
      alice.awaitNotice("removed by an administrator");
      assertEquals(3, connects.size());
      io.switchboard.support.Await.of(vertx.timer(2_500)); // past the planned retry, jitter included
      assertEquals(3, connects.size(), "the kicked link stays down");
    }
  }

  @Test
  void tooManyConnectionsIsNotRetriedByItself() throws Exception {
    script = (n, ws) -> {
      serve(ws, true);
      vertx.setTimer(300, t -> ws.close((short) 4003, "too many connections"));
    };
    try (Browser browser = Browser.open(1000, 700)) {
      // a short back-off, so that a wrong retry would have come within the wait below
      ChatPage alice = page(browser, "retryMinMs=200");
      alice.awaitNotice("Too many connections");
      alice.awaitStatus("offline");
      assertEquals(Boolean.TRUE, alice.js("return window.switchboardChat.link().stopped"));
      io.switchboard.support.Await.of(vertx.timer(1_000));
      assertEquals(1, connects.size(), "no reconnection by itself");
    }
  }

  @Test
  void rateLimitedSaysWhenToRetryAndKeepsTheText() throws Exception {
    script = (n, ws) -> serve(ws, true);
    try (Browser browser = Browser.open(1000, 700)) {
      ChatPage alice = page(browser, null);
      alice.awaitJoined("lobby");
      browser.driver().findElement(By.id("input")).sendKeys("not yet\n");
      alice.awaitNotice("try again in 3 s");
      assertEquals("not yet", browser.driver().findElement(By.id("input")).getAttribute("value"));
    }
  }

  /**
   * Signed in by the development login, a 1008 unauthorized (every node restarted with a new
   * key) gets one new token and one more try; refused again, the person is back at sign-in.
   */
  @Test
  void unauthorizedSendsThePersonBackToSignIn() throws Exception {
    script = (n, ws) -> {
      serve(ws, true);
      vertx.setTimer(300, t -> ws.close((short) 1008, "unauthorized"));
    };
    try (Browser browser = Browser.open(1000, 700)) {
      page(browser, "retryMinMs=200");
      browser.until(d -> d.findElement(By.id("signin")).isDisplayed(), ChatPage.WAIT_SECONDS);
      assertTrue(browser.driver().findElement(By.id("signin-error")).getText().contains("unauthorized"));
      assertEquals("alice", browser.driver().findElement(By.id("login-user")).getAttribute("value"),
          "the user name is remembered");
      // with a 200 ms back-off, a wrong retry would have come by now
      io.switchboard.support.Await.of(vertx.timer(1_000));
      assertEquals(2, connects.size(), "one more try, with a new token, and no more");
      assertTrue(tokens.get() >= 2, "a new token for it: " + tokens.get());
    }
  }

  /** A development token that expired while the page slept: a new one, and the link comes back. */
  @Test
  void anExpiredDevelopmentTokenIsRenewedAndTheLinkComesBack() throws Exception {
    // closed when the test says so: a close on a timer could come before the test read the count
    io.vertx.core.Promise<ServerWebSocket> first = serveHoldingTheFirst();
    try (Browser browser = Browser.open(1000, 700)) {
      ChatPage alice = page(browser, null);
      int signedIn = tokens.get(); // the page's probe of the development login, and the sign-in
      closeExpired(first);
      browser.until(d -> connects.size() == 2, ChatPage.WAIT_SECONDS);
      alice.awaitStatus("connected");
      assertEquals(signedIn + 1, tokens.get(), "a renewed token");
      assertTrue(browser.driver().findElement(By.id("app")).isDisplayed(), "still signed in");
    }
  }

  /**
   * The renewal after an expiry close fails once (the service is restarting): the page used to
   * sign the person out, and take the message being written with it. It now asks again.
   */
  @Test
  void aRenewalThatFailsOnceIsAskedAgainAndKeepsTheDraft() throws Exception {
    io.vertx.core.Promise<ServerWebSocket> first = serveHoldingTheFirst();
    try (Browser browser = Browser.open(1000, 700)) {
      ChatPage alice = page(browser, "retryMinMs=200");
      refuseTokens.set(1);
      alice.js("document.getElementById('input').value = 'half-written';");
      closeExpired(first);
      alice.awaitNotice("could not be renewed yet");
      browser.until(d -> connects.size() == 2, ChatPage.WAIT_SECONDS);
      alice.awaitStatus("connected");
      assertTrue(browser.driver().findElement(By.id("app")).isDisplayed(), "still signed in");
      assertEquals("half-written", alice.js("return document.getElementById('input').value"));
    }
  }

  /**
   * Development login was turned off while the person was signed in with one of its tokens: at
   * the expiry close no new token can come, so the page signs out and says why, instead of
   * asking again forever.
   */
  @Test
  void anExpiryAfterDevelopmentLoginWasTurnedOffSignsOut() throws Exception {
    io.vertx.core.Promise<ServerWebSocket> first = serveHoldingTheFirst();
    try (Browser browser = Browser.open(1000, 700)) {
      page(browser, "retryMinMs=200");
      devLoginOff = true;
      closeExpired(first);
      browser.until(d -> d.findElement(By.id("signin")).isDisplayed(), ChatPage.WAIT_SECONDS);
      String said = browser.driver().findElement(By.id("signin-error")).getText();
      assertTrue(said.contains("token expired") && said.contains("development login is off"), said);
      assertEquals(1, connects.size(), "no connection with the expired token");
    }
  }

  /**
   * The log restarts while the page reads a gap of the old one after a reconnect: the page of
   * the old log that answers later belongs to no log the page shows, and must not be added to
   * the new one.
   */
  @Test
  void aGapReadOfALogThatRestartedMeanwhileIsDropped() throws Exception {
    io.vertx.core.Promise<ServerWebSocket> first = serveHoldingTheFirst();
    io.vertx.core.Promise<ServerWebSocket> second = io.vertx.core.Promise.promise();
    io.vertx.core.Promise<JsonObject> gapRead = io.vertx.core.Promise.promise();
    try (Browser browser = Browser.open(1000, 700)) {
      ChatPage alice = page(browser, "retryMinMs=200");
      alice.awaitJoined("lobby");
      ServerWebSocket ws = Await.of(first.future());
      for (int seq = 1; seq <= 3; seq++) {
        ws.writeTextMessage(message(seq, "seen " + seq).encode());
      }
      alice.await("seen 3");
      // the second node answers the rejoin with the latest messages only: 4 to 297 are a gap to read
      script = (n, next) -> {
        serve(next, true);
        next.textMessageHandler(text -> {
          JsonObject frame = new JsonObject(text);
          switch (frame.getString("type")) {
            case "join" -> next.writeTextMessage(new JsonObject().put("type", "joined").put("id", frame.getValue("id"))
                .put("room", "lobby").put("epoch", "e-1").put("seq", 300).put("recovered", false)
                .put("history", new JsonArray().add(message(298, "latest 298")).add(message(299, "latest 299"))
                    .add(message(300, "latest 300")))
                .put("members", new JsonArray()).put("count", 1).encode());
            case "history" -> gapRead.tryComplete(frame); // held: answered after the log restarts
            case "ping" -> next.writeTextMessage(new JsonObject().put("type", "pong").put("id", frame.getValue("id")).encode());
            default -> { }
          }
        });
        second.tryComplete(next);
      };
      Await.of(ws.close((short) 1001, "going away"));
      ServerWebSocket rejoined = Await.of(second.future());
      JsonObject read = Await.of(gapRead.future());
      assertEquals(3, read.getInteger("after"));
      // the log restarts (a new epoch, empty), and then the old log's page arrives
      rejoined.writeTextMessage(new JsonObject().put("type", "joined").put("room", "lobby").put("epoch", "e-2")
          .put("seq", 0).put("history", new JsonArray()).put("members", new JsonArray()).put("count", 1).encode());
      JsonArray old = new JsonArray();
      for (int seq = 4; seq <= 103; seq++) {
        old.add(message(seq, "gap " + seq));
      }
      rejoined.writeTextMessage(new JsonObject().put("type", "history").put("id", read.getValue("id"))
          .put("room", "lobby").put("messages", old).put("more", true).encode());
      rejoined.writeTextMessage(message(1, "new log 1").encode());
      alice.await("new log 1"); // after the page's answer: frames are handled in order
      assertEquals(List.of("new log 1"), alice.messages().stream().map(ChatPage.Entry::text).toList());
    }
  }

  private static JsonObject message(long seq, String text) {
    return new JsonObject().put("type", "message").put("room", "lobby").put("seq", seq).put("from", "bob")
        .put("name", "Bob").put("text", text).put("ts", "2026-12-05T00:00:00.000Z");
  }

  /** A link that sets the page's knobs to nothing gets their floors, not a page that drops and reopens its link without pause. */
  @Test
  void theTuningKnobsOfALinkHaveFloors() throws Exception {
    script = (n, ws) -> serve(ws, true);
    try (Browser browser = Browser.open(1000, 700)) {
      ChatPage alice = page(browser, "pingMs=1&pongTimeoutMs=1&retryMinMs=1&retryMaxMs=1&healthyMs=1&maxItems=1");
      alice.awaitJoined("lobby");
      assertEquals(List.of(250L, 500L, 200L, 1000L, 1000L, 20L), alice.js("const t = window.switchboardChat.tuning;"
          + " return [t.pingMs, t.pongTimeoutMs, t.retryMinMs, t.retryMaxMs, t.healthyMs, t.maxItems];"));
    }
  }

  /** Serves every connection, and hands the first to the test, for {@link #closeExpired}. */
  /** Serves every connection, and keeps the latest one for the test to write to. */
  private java.util.concurrent.atomic.AtomicReference<ServerWebSocket> serveKeepingTheLast() {
    java.util.concurrent.atomic.AtomicReference<ServerWebSocket> socket = new java.util.concurrent.atomic.AtomicReference<>();
    script = (n, ws) -> {
      socket.set(ws);
      serve(ws, true);
    };
    return socket;
  }

  private io.vertx.core.Promise<ServerWebSocket> serveHoldingTheFirst() {
    io.vertx.core.Promise<ServerWebSocket> first = io.vertx.core.Promise.promise();
    script = (n, ws) -> {
      serve(ws, true);
      if (n == 1) {
        first.complete(ws);
      }
    };
    return first;
  }

  /** Closes the first connection as a node does at its token's expiry. */
  private void closeExpired(io.vertx.core.Promise<ServerWebSocket> first) {
    ServerWebSocket ws = Await.of(first.future());
    Await.of(ws.close((short) 1008, "token expired"));
  }

  /**
   * A node that welcomes and then closes at once (failing, or at its limits) is asked again after
   * growing pauses. Before, the welcome reset the back-off, and every retry came after retryMinMs.
   */
  @Test
  void closesRightAfterTheWelcomeStillGrowThePauses() throws Exception {
    script = (n, ws) -> {
      serve(ws, true);
      if (n <= 4) {
        vertx.setTimer(50, t -> ws.close((short) 1011, "internal error"));
      }
    };
    try (Browser browser = Browser.open(1000, 700)) {
      ChatPage alice = page(browser, "retryMinMs=200&retryMaxMs=5000");
      browser.until(d -> connects.size() == 5, ChatPage.WAIT_SECONDS);
      alice.awaitStatus("connected");
      long[] gaps = new long[4];
      for (int i = 0; i < 4; i++) {
        gaps[i] = (connects.get(i + 1) - connects.get(i)) / 1_000_000;
      }
      // 200, 400, 800, 1600 ms, each ±25 %, plus the 50 ms each link lived
      assertTrue(gaps[0] < gaps[2] && gaps[1] < gaps[3], "pauses grow: " + java.util.Arrays.toString(gaps));
      assertTrue(gaps[3] >= 1200, "the fourth pause is about 8 × retryMinMs: " + java.util.Arrays.toString(gaps));
    }
  }

  /**
   * After a close with 4008 the page waits the whole pause, as PROTOCOL.md asks, also when the
   * browser says it is back online meanwhile. Before, the online event opened a new link at once.
   */
  @Test
  void aCloseForAbuseIsWaitedOutWhenTheBrowserComesBackOnline() throws Exception {
    java.util.concurrent.atomic.AtomicLong closedAt = new java.util.concurrent.atomic.AtomicLong();
    script = (n, ws) -> {
      serve(ws, true);
      if (n == 1) {
        vertx.setTimer(300, t -> {
          closedAt.set(System.nanoTime());
          ws.close((short) 4008, "rate limit abuse");
        });
      }
    };
    try (Browser browser = Browser.open(1000, 700)) {
      ChatPage alice = page(browser, "retryMinMs=200&retryMaxMs=3000");
      alice.awaitNotice("rate limit abuse");
      browser.js("window.dispatchEvent(new Event('online'))");
      browser.until(d -> connects.size() == 2, ChatPage.WAIT_SECONDS);
      long waitedMs = (connects.get(1) - closedAt.get()) / 1_000_000;
      assertTrue(waitedMs >= 3_000, "came back after " + waitedMs + " ms");
      alice.awaitStatus("connected");
    }
  }

  /**
   * The page times its waits on the monotonic clock: a computer's clock set back ten minutes
   * while a send waited out its {@code rate_limited} (NTP stepping a fast clock, a VM moved) held
   * every send for those ten minutes, the button enabled and nothing sent.
   */
  @Test
  void aClockSetBackDuringARateLimitDoesNotHoldTheSends() throws Exception {
    script = (n, ws) -> serve(ws, true); // every publish: rate_limited, retryAfterMs 2500
    try (Browser browser = Browser.open(1000, 700)) {
      ChatPage alice = page(browser, null);
      alice.awaitJoined("lobby");
      var input = browser.driver().findElement(By.id("input"));
      input.sendKeys("first\n");
      alice.awaitNotice("too fast");
      browser.js("const real = Date.now.bind(Date); Date.now = () => real() - 600000;");
      // the button comes back once the refusal's retryAfterMs has passed: then the send must go
      browser.until(d -> Boolean.FALSE.equals(alice.js("return document.getElementById('send').disabled")),
          ChatPage.WAIT_SECONDS);
      input.sendKeys("\n");
      browser.until(d -> publishes.get() == 2, ChatPage.WAIT_SECONDS);
    }
  }

  /**
   * Opening while an open waits for its URL (a token being renewed), as the browser's "online"
   * event does, leaves one socket. Before, each open made its own, and the forgotten ones stayed
   * open, counted against the user's connections.
   */
  @Test
  void opensThatOvertakeOneAnotherLeaveOneSocket() throws Exception {
    script = (n, ws) -> serve(ws, true);
    try (Browser browser = Browser.open(1000, 700)) {
      ChatPage alice = page(browser, null);
      alice.awaitJoined("lobby");
      alice.js("const W = window.WebSocket; window.sockets = 0;"
          + "window.WebSocket = function (url) { window.sockets++; return new W(url); };"
          + "window.WebSocket.OPEN = W.OPEN;"
          + "const l = window.switchboardChat.link(); const url = l.hooks.url;"
          + "l.hooks.url = () => new Promise(r => setTimeout(() => r(url()), 300));"
          + "const s = l.socket; l.detach(); s.close();"
          + "l.open(); l.now(); l.now();");
      browser.until(d -> Boolean.TRUE.equals(alice.js("return window.switchboardChat.link().connected")),
          ChatPage.WAIT_SECONDS);
      // every open's URL came at the same time, so the others are past their wait by now
      assertEquals(1L, alice.js("return window.sockets"));
      assertEquals(2, connects.size());
    }
  }

  /**
   * A join refused {@code rate_limited} is asked again after the refusal's {@code retryAfterMs}
   * when that is longer than the page's own 3 s: sooner, it would only be refused again.
   */
  @Test
  void aRefusedJoinWaitsTheRefusalsRetryAfter() throws Exception {
    firstJoinWaitMs = 4_500;
    script = (n, ws) -> serve(ws, true);
    try (Browser browser = Browser.open(1000, 700)) {
      ChatPage alice = page(browser, null);
      alice.awaitNotice("Could not join yet");
      browser.until(d -> joins.size() == 2, ChatPage.WAIT_SECONDS);
      alice.awaitJoined("lobby");
      long waitedMs = (joins.get(1) - joins.get(0)) / 1_000_000;
      assertTrue(waitedMs >= 4_500, "asked again after " + waitedMs + " ms");
    }
  }

  /**
   * A join refused because the node's budget for history replies is spent (all its users' reads
   * together) says the server is busy, not that the person sends too fast, and is asked again.
   */
  @Test
  void aJoinRefusedByTheNodesReadBudgetSaysTheServerIsBusy() throws Exception {
    firstJoinWaitMs = 300;
    firstJoinRefusal = "this node is sending as many history, members and conversations replies as it may"
        + " (16777216 bytes a second, for all its connections)";
    script = (n, ws) -> serve(ws, true);
    try (Browser browser = Browser.open(1000, 700)) {
      ChatPage alice = page(browser, null);
      alice.awaitNotice("Could not join yet (The server is busy: try again in 1 s.)");
      alice.awaitJoined("lobby");
      assertEquals(2, joins.size());
    }
  }

  /**
   * An {@code unavailable} that was not true (the owner stored the message and died before
   * answering): the text stays in the box, and goes from it when the message shows up, so that
   * the person does not send it twice.
   */
  @Test
  void aSendAnsweredUnavailableThatShowsUpAfterAllLeavesTheBox() throws Exception {
    storedAfterUnavailable = true;
    script = (n, ws) -> serve(ws, true);
    try (Browser browser = Browser.open(1000, 700)) {
      ChatPage alice = page(browser, null);
      alice.awaitJoined("lobby");
      var input = browser.driver().findElement(By.id("input"));
      input.sendKeys("did it go?\n");
      alice.awaitNotice("did not store this");
      alice.awaitNotice("stored after all");
      assertEquals("", input.getAttribute("value"));
      assertEquals(1, publishes.get());
    }
  }

  /**
   * A join answered after the page gave up waiting, for a room left meanwhile: the node made the
   * connection a member all the same, so the page leaves it again. Before, the late answer was
   * dropped, and the node went on sending the room and counting it against maxRooms.
   */
  @Test
  void aRoomLeftBeforeItsLateJoinedIsLeftAgain() throws Exception {
    slowFirstJoin = "slow";
    script = (n, ws) -> serve(ws, true);
    try (Browser browser = Browser.open(1000, 700)) {
      ChatPage alice = page(browser, "requestTimeoutMs=6000"); // its floor, above the node's 5 s
      alice.awaitJoined("lobby");
      var field = browser.driver().findElement(By.id("join-room"));
      field.sendKeys("slow");
      field.sendKeys(org.openqa.selenium.Keys.ENTER);
      alice.awaitNotice("Could not join yet");
      alice.select("slow");
      browser.driver().findElement(By.id("leave")).click();
      browser.until(d -> leaves.equals(List.of("slow", "slow")), ChatPage.WAIT_SECONDS);
      assertEquals(1, connects.size());
    }
  }

  /** Refused not_member (the node lost the membership without a left): the page joins again and keeps the text. */
  @Test
  void aPublishRefusedNotMemberJoinsTheRoomAgain() throws Exception {
    notMemberOnce = true;
    script = (n, ws) -> serve(ws, true);
    try (Browser browser = Browser.open(1000, 700)) {
      ChatPage alice = page(browser, null);
      alice.awaitJoined("lobby");
      int joinsBefore = joins.size();
      var input = browser.driver().findElement(By.id("input"));
      input.sendKeys("still here?\n");
      alice.awaitNotice("before publishing");
      browser.until(d -> joins.size() == joinsBefore + 1
          && Boolean.TRUE.equals(alice.js("return window.switchboardChat.rooms.get('lobby').joined")), ChatPage.WAIT_SECONDS);
      assertEquals("still here?", input.getAttribute("value"), "the text stays in the box");
      assertEquals(1, connects.size(), "joined again on the same link");
    }
  }

  /**
   * The same text under the same name from the server API (a program may name any sender) is
   * another message: the box keeps the text that may not have been stored.
   */
  @Test
  void theSameTextFromTheServerApiDoesNotTakeAnUnsureSendFromTheBox() throws Exception {
    storedAfterUnavailable = true;
    sameTextFromTheApi = true;
    script = (n, ws) -> serve(ws, true);
    try (Browser browser = Browser.open(1000, 700)) {
      ChatPage alice = page(browser, null);
      alice.awaitJoined("lobby");
      var input = browser.driver().findElement(By.id("input"));
      input.sendKeys("did it go?\n");
      alice.awaitNotice("did not store this");
      alice.await("after");
      assertEquals("did it go?", input.getAttribute("value"));
    }
  }

  /** A text over the welcome's limits is not sent: it would be refused, or close the connection (1009). */
  @Test
  void aTextOverTheLimitsIsKeptAndNotSent() throws Exception {
    script = (n, ws) -> serve(ws, true);
    try (Browser browser = Browser.open(1000, 700)) {
      ChatPage alice = page(browser, null);
      alice.awaitJoined("lobby");
      var input = browser.driver().findElement(By.id("input"));
      String longText = "x".repeat(501);
      alice.js("const i = document.getElementById('input'); i.value = arguments[0];"
          + "i.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true}));", longText);
      alice.awaitNotice("Not sent: 501 characters");
      // 400 characters that JSON writes as six bytes each: over the 1000 bytes of a frame
      alice.js("const i = document.getElementById('input'); i.value = arguments[0];"
          + "i.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true}));", "\u0001".repeat(400));
      alice.awaitNotice("bytes long once encoded");
      assertEquals("\u0001".repeat(400), input.getAttribute("value"), "kept, to be shortened");
      input.clear();
      input.sendKeys("short\n");
      alice.awaitNotice("try again in 3 s");
      assertEquals(1, publishes.get(), "only the short one was sent");
      assertEquals(1, connects.size());
    }
  }

  /**
   * An open while a link is up (the Reconnect button during a token's renewal, then the renewal's
   * own start) replaces the link and closes the old socket. Before, the old one stayed open,
   * forgotten, and counted against the user's connections.
   */
  @Test
  void anOpenOverALiveLinkClosesTheOldSocket() throws Exception {
    script = (n, ws) -> serve(ws, true);
    unansweredOnTheFirst = "slow";
    try (Browser browser = Browser.open(1000, 700)) {
      ChatPage alice = page(browser, null);
      alice.awaitJoined("lobby");
      var field = browser.driver().findElement(By.id("join-room"));
      field.sendKeys("slow\n");
      browser.until(d -> joins.size() == 2, ChatPage.WAIT_SECONDS); // on its way, and never answered there
      alice.js("window.oldSocket = window.switchboardChat.link().socket; window.switchboardChat.link().open();");
      browser.until(d -> connects.size() == 2
          && Boolean.TRUE.equals(alice.js("return window.switchboardChat.link().connected")), ChatPage.WAIT_SECONDS);
      browser.until(d -> ((Number) alice.js("return window.oldSocket.readyState")).intValue() >= 2, ChatPage.WAIT_SECONDS);
      // the join the old socket never answered fails at once, and the new link joins the room:
      // left waiting, it kept the room from the rejoin for the request's 15 s and 3 s more
      browser.until(d -> Boolean.TRUE.equals(alice.js("const r = window.switchboardChat.rooms.get('slow');"
          + " return !!r && r.joined === true")), 6);
    }
  }
}
