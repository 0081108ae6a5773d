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
 * expires the node closes with 1008 and the page goes back to sign-in. A remembered token signs
 * the person in again on the next visit without asking.
 */
class ChatSignInBrowserTest {

  @Test
  void aPastedTokenSignsInIsRememberedAndItsExpirySendsThePersonBack() throws Exception {
    try (TestCluster cluster = TestCluster.start(1, Map.of("auth.devLogin", false)); Browser browser = Browser.open(1000, 700)) {
      var page = browser.driver();
      page.get("http://127.0.0.1:" + cluster.port(0) + "/");
      browser.until(d -> d.findElement(By.id("devlogin-off")).isDisplayed(), ChatPage.WAIT_SECONDS);
      assertFalse(page.findElement(By.id("login-form")).isDisplayed(), "no user-name form without dev login");

      String token = Tokens.of(new JsonObject().put("sub", "frank").put("name", "Frank")
          .put("exp", Tokens.nowSeconds() + 8));
      page.findElement(By.id("login-token")).sendKeys(token);
      page.findElement(By.cssSelector("#token-form button")).click();
      ChatPage frank = new ChatPage(browser);
      frank.awaitStatus("connected");
      frank.awaitJoined("lobby");
      assertEquals("Frank", page.findElement(By.id("me")).getText());

      // the next visit resumes with the remembered token
      page.navigate().refresh();
      frank.awaitStatus("connected");
      frank.awaitJoined("lobby");

      // the node closes at exp (1008 token expired): back to sign-in, told why
      browser.until(d -> d.findElement(By.id("signin")).isDisplayed(), 20);
      assertTrue(page.findElement(By.id("signin-error")).getText().contains("token expired"),
          page.findElement(By.id("signin-error")).getText());
    }
  }
}
