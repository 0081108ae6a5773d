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

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    Router router = Router.router(vertx);
    router.post("/api/token").handler(ctx -> ctx.json(new JsonObject()
        .put("token", Tokens.user("alice")).put("user", "alice").put("expiresAt", "2099-01-01T00:00:00.000Z")));
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

  /** Welcomes and answers join and ping, as a node would. */
  private static void serve(ServerWebSocket ws, boolean pong) {
    ws.writeTextMessage(new JsonObject().put("type", "welcome").put("session", "s-1").put("user", "alice")
        .put("name", "Alice").put("node", "n-fake").encode());
    ws.textMessageHandler(text -> {
      JsonObject frame = new JsonObject(text);
      switch (frame.getString("type")) {
        case "join" -> ws.writeTextMessage(new JsonObject().put("type", "joined").put("id", frame.getValue("id"))
            .put("room", frame.getString("room")).put("epoch", "e-1").put("seq", 0).put("history", new JsonArray())
            .put("members", new JsonArray().add(new JsonObject().put("user", "alice").put("name", "Alice")))
            .put("count", 1).encode());
        case "ping" -> {
          if (pong) {
            ws.writeTextMessage(new JsonObject().put("type", "pong").put("id", frame.getValue("id")).encode());
          }
        }
        case "publish" -> ws.writeTextMessage(new JsonObject().put("type", "error").put("id", frame.getValue("id"))
            .put("code", "rate_limited").put("message", "too fast").put("retryAfterMs", 2500).encode());
        default -> { }
      }
    });
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
      // 300, 600, 1200, then the 1400 cap, each ±25 % jitter; each gap also holds a connect and
      // a close, which vary by tens of ms (from 150 ms on, one CI run saw 285 before 259)
      assertTrue(gaps[0] < gaps[1] && gaps[1] < gaps[2], "pauses double: " + java.util.Arrays.toString(gaps));
      assertTrue(gaps[0] >= 225, "the first pause is about retryMinMs: " + gaps[0]);
      for (long gap : gaps) {
        assertTrue(gap <= 1400 * 5 / 4 + 250, "no pause above the cap: " + java.util.Arrays.toString(gaps));
      }
    }
  }

  @Test
  void tooManyConnectionsIsNotRetriedByItself() throws Exception {
    script = (n, ws) -> {
      serve(ws, true);
      vertx.setTimer(300, t -> ws.close((short) 4003, "too many connections"));
    };
    try (Browser browser = Browser.open(1000, 700)) {
      ChatPage alice = page(browser, null);
      alice.awaitNotice("Too many connections");
      alice.awaitStatus("offline");
      assertEquals(Boolean.TRUE, alice.js("return window.switchboardChat.link().stopped"));
      assertEquals(1, connects.size());
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

  @Test
  void unauthorizedSendsThePersonBackToSignIn() throws Exception {
    script = (n, ws) -> {
      serve(ws, true);
      vertx.setTimer(300, t -> ws.close((short) 1008, "token expired"));
    };
    try (Browser browser = Browser.open(1000, 700)) {
      page(browser, null);
      browser.until(d -> d.findElement(By.id("signin")).isDisplayed(), ChatPage.WAIT_SECONDS);
      assertTrue(browser.driver().findElement(By.id("signin-error")).getText().contains("token expired"));
      assertEquals("alice", browser.driver().findElement(By.id("login-user")).getAttribute("value"),
          "the user name is remembered");
      assertEquals(1, connects.size());
    }
  }
}
