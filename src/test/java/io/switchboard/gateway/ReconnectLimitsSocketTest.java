package io.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.support.Await;
import io.switchboard.support.TestCluster;
import io.switchboard.support.Tokens;
import io.switchboard.support.WsClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The rate limits are a connection's, and reconnecting does not reset them: the user's next
 * connection on the node goes on from what the last one spent. Before, each connection started
 * with a full burst and no refusals, so a client that reconnected after every burst published
 * as fast as it could reconnect and was never closed with 4008.
 */
@ExtendWith(VertxExtension.class)
class ReconnectLimitsSocketTest {

  private static final int BURST = 20;
  static TestCluster cluster;

  @BeforeAll
  static void start() {
    // a token a second: the spent burst is still spent when the next connection comes
    // one connection a user: a reconnection takes the place of the closed one (with ten, the
    // first ten reconnections would each have a fresh place)
    cluster = TestCluster.start(1, Map.of("limits.rate", 1, "limits.burst", BURST, "limits.maxConnectionsPerUser", 1));
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void aReconnectionGoesOnFromTheBurstItsUserSpent(Vertx vertx) {
    WsClient first = WsClient.open(vertx, cluster.port(0), Tokens.user("cycler"));
    first.join("cycle");
    for (int i = 0; i < BURST; i++) {
      assertEquals("ack", first.publish("cycle", "m" + i).getString("type"));
    }
    closeAndAwaitCleanup(vertx, first);

    // a fresh burst would ack all of these; what was spent has refilled by a token a second since
    WsClient again = reopen(vertx, "cycler");
    again.join("cycle");
    JsonObject refused = null;
    for (int i = 0; i < BURST && refused == null; i++) {
      JsonObject reply = again.publish("cycle", "again " + i);
      refused = "rate_limited".equals(reply.getString("code")) ? reply : null;
    }
    assertTrue(refused != null, "the reconnection was refused within the burst it did not get back");
    assertTrue(refused.getLong("retryAfterMs") > 0, refused.encode());

    // another user's first connection has its whole burst
    WsClient other = WsClient.open(vertx, cluster.port(0), Tokens.user("bystander"));
    other.join("cycle");
    for (int i = 0; i < BURST; i++) {
      assertEquals("ack", other.publish("cycle", "b" + i).getString("type"));
    }
    again.close();
    other.close();
  }

  @Test
  void refusalsCountTowards4008AcrossReconnections(Vertx vertx) {
    WsClient first = WsClient.open(vertx, cluster.port(0), Tokens.user("persistent"));
    first.join("refusals");
    int refused = publishUntilRefused(first, "refusals", 12);
    assertEquals(12, refused, "not closed before 20 refusals");
    closeAndAwaitCleanup(vertx, first);

    WsClient again = reopen(vertx, "persistent");
    again.join("refusals");
    int more = publishUntilRefused(again, "refusals", SessionCommands.ABUSE_REFUSALS);
    assertEquals(new WsClient.Close(4008, "rate limit abuse"), again.awaitClose());
    assertEquals(SessionCommands.ABUSE_REFUSALS - refused, more, "closed at the 20th refusal of the two connections");
  }

  /** Publishes to {@code room} until {@code refusals} were refused or the node closed {@code c}; how many were refused. */
  private static int publishUntilRefused(WsClient c, String room, int refusals) {
    int refused = 0;
    for (int i = 0; refused < refusals && !c.closed().isComplete(); i++) {
      String id = "p" + i;
      var reply = c.next(f -> id.equals(f.getValue("id")));
      c.socket().writeTextMessage(new JsonObject().put("type", "publish").put("id", id).put("room", room)
          .put("text", "x").encode());
      Await.of(io.vertx.core.Future.any(reply, c.closed()));
      if (reply.succeeded() && "rate_limited".equals(reply.result().getString("code"))) {
        refused++;
      }
    }
    return refused;
  }

  /**
   * Opens a connection of {@code user} again, as a client would after a 4003 (or a 1013, at five
   * connects a second): the cluster may still count the closed one for a moment after this node
   * cleaned it up.
   */
  private static WsClient reopen(Vertx vertx, String user) {
    for (int attempt = 0; ; attempt++) {
      WsClient c = Await.of(WsClient.connect(vertx, cluster.port(0), Tokens.user(user)));
      Future<JsonObject> first = c.next(f -> true);
      Await.of(Future.any(first, c.closed()));
      if (first.succeeded() && "welcome".equals(first.result().getString("type"))) {
        return c;
      }
      int code = c.awaitClose().code();
      assertTrue(code == 4003 || code == 1013, "refused only while the old one was still counted (or too often): " + code);
      assertTrue(attempt < 50, "the cluster still counts the closed connection");
      Await.of(vertx.timer(100));
    }
  }

  /** Closes {@code c} and waits until the node has cleaned its connection up (and kept what it spent). */
  private static void closeAndAwaitCleanup(Vertx vertx, WsClient c) {
    c.close();
    assertTrue(Await.until(vertx, () -> cluster.node(0).services().connections().get() == 0, 20, 250),
        "the node cleaned the connection up");
  }
}
