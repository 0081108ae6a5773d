package io.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.switchboard.support.Await;
import io.switchboard.support.TestCluster;
import io.switchboard.support.Tokens;
import io.switchboard.support.WsClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Writing to many users must not keep a conversation stream for each of them for as long as the
 * connection lives: a quiet one is let go, and its next message starts a new one.
 */
@ExtendWith(VertxExtension.class)
class ConversationStreamsTest {

  @Test
  void quietConversationsAreLetGoAndComeBackWithTheirNextMessage(Vertx vertx) {
    System.setProperty("switchboard.conversationIdleMs", "3000"); // the five privates and the first scrape come well within it
    try (TestCluster cluster = TestCluster.start(1, Map.of())) {
      System.clearProperty("switchboard.conversationIdleMs");
      WebClient http = WebClient.create(vertx);
      WsClient ann = WsClient.open(vertx, cluster.port(0), Tokens.user("ann"));
      for (int i = 0; i < 5; i++) {
        JsonObject ack = ann.request(new JsonObject().put("type", "private").put("to", "made-up-" + i).put("text", "hi"));
        assertEquals("ack", ack.getString("type"), ack.encode());
      }
      assertEquals(5, conversations(http, cluster.port(0)));
      // polled, a timer's turn apart: the gauge has no event to await
      for (int tries = 0; tries < 75 && conversations(http, cluster.port(0)) > 0; tries++) {
        Await.of(Future.<Void>future(p -> vertx.setTimer(200, t -> p.complete())));
      }
      assertEquals(0, conversations(http, cluster.port(0)), "all five let go after 3 s of quiet");

      JsonObject again = ann.request(new JsonObject().put("type", "private").put("to", "made-up-0").put("text", "still there?"));
      assertEquals(2L, again.getLong("seq"));
      JsonObject copy = ann.await(f -> "private".equals(f.getString("type")) && "still there?".equals(f.getString("text")));
      assertEquals(2L, copy.getLong("seq"), "the sender's own copy still arrives");
      assertEquals(1, conversations(http, cluster.port(0)));
      ann.close();
      http.close();
    } finally {
      System.clearProperty("switchboard.conversationIdleMs");
    }
  }

  /** A user's last connection here closing lets go of its conversations whose other user is not here either. */
  @Test
  void aUsersConversationsGoWithItsLastConnection(Vertx vertx) {
    try (TestCluster cluster = TestCluster.start(1, Map.of())) {
      WebClient http = WebClient.create(vertx);
      WsClient ann = WsClient.open(vertx, cluster.port(0), Tokens.user("ann"));
      WsClient other = WsClient.open(vertx, cluster.port(0), Tokens.user("other"));
      for (int i = 0; i < 5; i++) {
        JsonObject ack = ann.request(new JsonObject().put("type", "private").put("to", "made-up-" + i).put("text", "hi"));
        assertEquals("ack", ack.getString("type"), ack.encode());
      }
      JsonObject ack = other.request(new JsonObject().put("type", "private").put("to", "made-up-0").put("text", "hi"));
      assertEquals("ack", ack.getString("type"), ack.encode());
      assertEquals(6, conversations(http, cluster.port(0)));
      ann.close();
      for (int tries = 0; tries < 75 && conversations(http, cluster.port(0)) > 1; tries++) {
        Await.of(Future.<Void>future(p -> vertx.setTimer(200, t -> p.complete())));
      }
      assertEquals(1, conversations(http, cluster.port(0)), "ann's five went with her; other's stays");
      other.close();
      http.close();
    }
  }

  private static int conversations(WebClient http, int port) {
    String text = Await.of(http.get(port, "127.0.0.1", "/metrics").send()).bodyAsString();
    for (String line : text.split("\n")) {
      if (line.startsWith("switchboard_conversations ")) {
        return (int) Double.parseDouble(line.substring(line.indexOf(' ') + 1));
      }
    }
    throw new AssertionError("no switchboard_conversations in /metrics");
  }
}
