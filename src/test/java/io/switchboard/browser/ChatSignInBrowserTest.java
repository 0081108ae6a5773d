package io.switchboard.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.support.Browser;
import io.switchboard.support.ChatPage;
import io.switchboard.support.TestCluster;
import io.switchboard.support.Tokens;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

/**
 * With development login off, a person pastes a token from their identity provider; when it
 * expires the node closes with 1008 and the page asks for a new one, keeping its rooms and what
 * was typed. A remembered token signs the person in again on the next visit without asking.
 */
class ChatSignInBrowserTest {

  @Test
  void aPastedTokenSignsInIsRememberedAndItsExpirySendsThePersonBack() throws Exception {
    try (TestCluster cluster = TestCluster.start(1, Map.of("auth.devLogin", false)); Browser browser = Browser.open(1000, 700)) {
      var page = openAtTheTokenForm(browser, cluster);
      assertFalse(page.findElement(By.id("login-form")).isDisplayed(), "no user-name form without dev login");

      String token = Tokens.of(new JsonObject().put("sub", "frank").put("name", "Frank")
          .put("exp", Tokens.nowSeconds() + 8));
      ChatPage frank = pasteToken(browser, token);
      frank.awaitStatus("connected");
      frank.awaitJoined("lobby");
      assertEquals("Frank", page.findElement(By.id("me")).getText());

      // the next visit resumes with the remembered token
      page.navigate().refresh();
      frank.awaitStatus("connected");
      frank.awaitJoined("lobby");

      // the node closes at exp (1008 token expired): the page stays, with what was typed, and
      // asks for a new token, which connects again
      var input = page.findElement(By.id("input"));
      input.sendKeys("half a thought");
      browser.until(d -> d.findElement(By.id("renew")).isDisplayed()
          && d.findElement(By.id("renew-label")).getText().contains("has expired"), 20);
      frank.awaitStatus("offline");
      assertTrue(page.findElement(By.id("app")).isDisplayed(), "not signed out");
      assertEquals("renew-token", page.switchTo().activeElement().getAttribute("id"), "the new token is asked for");
      assertEquals("half a thought", input.getAttribute("value"), "what was typed stays");
      page.findElement(By.id("renew-token")).sendKeys(Tokens.of(new JsonObject().put("sub", "frank").put("name", "Frank")
          .put("exp", Tokens.nowSeconds() + 3600)));
      page.findElement(By.cssSelector("#renew button")).click();
      frank.awaitStatus("connected");
      frank.awaitJoined("lobby");
      assertFalse(page.findElement(By.id("renew")).isDisplayed());
      assertEquals("half a thought", input.getAttribute("value"));
    }
  }

  /** A token already expired at sign-in, by the node's clock: back to sign-in, told why. */
  @Test
  void aTokenExpiredAtSignInSendsThePersonBackToSignIn() throws Exception {
    try (TestCluster cluster = TestCluster.start(1, Map.of("auth.devLogin", false)); Browser browser = Browser.open(1000, 700)) {
      var page = openAtTheTokenForm(browser, cluster);
      // expired by the node's clock, not judged by the browser's: the node refuses it
      pasteToken(browser, Tokens.of(new JsonObject().put("sub", "olga").put("exp", Tokens.nowSeconds() - 5)));
      browser.until(d -> d.findElement(By.id("signin")).isDisplayed()
          && d.findElement(By.id("signin-error")).getText().contains("token expired"), ChatPage.WAIT_SECONDS);
    }
  }

  /**
   * A pasted token near its end: the page asks for a new one, refuses one for another user, and
   * hands a good one to the open link with {@code refresh}, so that the node does not close it at
   * the old token's expiry. Before, the page could only say "sign out and sign in again".
   */
  @Test
  void aPastedTokenNearItsEndIsRenewedOnTheOpenLink() throws Exception {
    try (TestCluster cluster = TestCluster.start(1, Map.of("auth.devLogin", false)); Browser browser = Browser.open(1000, 700)) {
      var page = openAtTheTokenForm(browser, cluster);
      long oldExp = Tokens.nowSeconds() + 6;
      ChatPage gina = pasteToken(browser, Tokens.of(new JsonObject().put("sub", "gina").put("exp", oldExp)));
      gina.awaitJoined("lobby");
      browser.until(d -> d.findElement(By.id("renew")).isDisplayed(), ChatPage.WAIT_SECONDS);

      page.findElement(By.id("renew-token")).sendKeys(Tokens.of(new JsonObject().put("sub", "hank")
          .put("exp", Tokens.nowSeconds() + 3600)));
      page.findElement(By.cssSelector("#renew button")).click();
      browser.until(d -> d.findElement(By.id("renew-error")).getText().contains("is for hank"), ChatPage.WAIT_SECONDS);

      page.findElement(By.id("renew-token")).clear();
      page.findElement(By.id("renew-token")).sendKeys(Tokens.of(new JsonObject().put("sub", "gina")
          .put("exp", Tokens.nowSeconds() + 3600)));
      page.findElement(By.cssSelector("#renew button")).click();
      gina.awaitNotice("Token renewed");
      assertFalse(page.findElement(By.id("renew")).isDisplayed());
      assertEquals("input", gina.js("return document.activeElement.id"), "the form's focus went with it");
      gina.js("window.switchboardChat.link().socket.renewedOn = true");
      // past the old token's expiry (and the node's sweep of a second): the same link, still open
      gina.js("return new Promise(done => setTimeout(() => done(true), arguments[0]))",
          Math.max(0, oldExp * 1000 + 2_000 - System.currentTimeMillis()));
      gina.awaitStatus("connected");
      assertEquals(Boolean.TRUE, gina.js("return window.switchboardChat.link().socket.renewedOn === true"),
          "not closed at the old token's expiry");
      assertTrue(page.findElement(By.id("app")).isDisplayed());
    }
  }

  /**
   * A token renewed on the open link that no longer grants a joined room: the node leaves the
   * room and says so with a {@code left} frame without id. The page ignored that frame, and kept
   * the room as joined while nothing came and every send was refused.
   */
  @Test
  void aRenewedTokenThatNoLongerGrantsARoomTakesItOffThePage() throws Exception {
    try (TestCluster cluster = TestCluster.start(1, Map.of("auth.devLogin", false)); Browser browser = Browser.open(1000, 700)) {
      var page = openAtTheTokenForm(browser, cluster);
      ChatPage ivy = pasteToken(browser, Tokens.of(new JsonObject().put("sub", "ivy")
          .put("rooms", new io.vertx.core.json.JsonArray().add("lobby").add("support")).put("exp", Tokens.nowSeconds() + 3600)));
      ivy.awaitJoined("lobby");
      assertEquals("input", ivy.js("return document.activeElement.id"), "the keyboard starts where one writes, not at the top");
      ivy.join("support");

      Object refused = ivy.js("return window.switchboardChat.useToken(arguments[0])", Tokens.of(new JsonObject()
          .put("sub", "ivy").put("rooms", new io.vertx.core.json.JsonArray().add("lobby")).put("exp", Tokens.nowSeconds() + 3600)));
      assertEquals(null, refused, "the renewed token is taken");
      ivy.awaitNotice("no longer have access to support");
      assertFalse((Boolean) ivy.js("return window.switchboardChat.rooms.has('support')"));
      assertEquals("lobby", ivy.js("return window.switchboardChat.current()"));

      // the last room left from the keyboard: its button and the message box go, the focus with them
      page.findElement(By.id("leave")).sendKeys(org.openqa.selenium.Keys.ENTER);
      browser.until(d -> !d.findElement(By.id("composer")).isDisplayed(), ChatPage.WAIT_SECONDS);
      assertEquals("join-room", ivy.js("return document.activeElement.id"));
    }
  }

  /** The page of a node without development login, showing its token form. */
  private static org.openqa.selenium.WebDriver openAtTheTokenForm(Browser browser, TestCluster cluster) {
    var page = browser.driver();
    page.get("http://127.0.0.1:" + cluster.port(0) + "/");
    browser.until(d -> d.findElement(By.id("devlogin-off")).isDisplayed(), ChatPage.WAIT_SECONDS);
    return page;
  }

  private static ChatPage pasteToken(Browser browser, String token) {
    browser.driver().findElement(By.id("login-token")).sendKeys(token);
    browser.driver().findElement(By.cssSelector("#token-form button")).click();
    return new ChatPage(browser);
  }
}
