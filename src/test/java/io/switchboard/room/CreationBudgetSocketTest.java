package io.switchboard.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.support.TestCluster;
import io.switchboard.support.Tokens;
import io.switchboard.support.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Each user may make limits.rate new rooms and conversations a minute on a node, with a burst of
 * twice maxRooms: one user's connections could otherwise bring the cluster to history.maxRooms
 * in minutes. Rooms and conversations that exist are joined and written as before.
 */
@ExtendWith(VertxExtension.class)
class CreationBudgetSocketTest {

  @Test
  void aUserWhoMadeTooManyRoomsLatelyMakesNoMoreAndUsesTheOnesThatExist(Vertx vertx) {
    // 5 new rooms a minute, a burst of 6; the joins' own bucket (a burst of 30) is not what refuses
    try (TestCluster cluster = TestCluster.start(1, Map.of("limits.rate", 5, "limits.burst", 30, "limits.maxRooms", 3))) {
      WsClient maker = WsClient.open(vertx, cluster.port(0), Tokens.user("maker"));
      WsClient host = WsClient.open(vertx, cluster.port(0), Tokens.user("host"));
      host.join("existing");
      for (int i = 0; i < 10; i++) { // joins of a room that exists take nothing from the budget
        assertEquals("joined", maker.join("existing").getString("type"));
        maker.request(new JsonObject().put("type", "leave").put("room", "existing"));
      }
      for (int i = 0; i < 6; i++) {
        assertEquals("joined", maker.join("fresh-" + i).getString("type"), "room " + i);
        maker.request(new JsonObject().put("type", "leave").put("room", "fresh-" + i));
      }
      JsonObject refused = maker.join("fresh-6");
      assertEquals("rate_limited", refused.getString("code"), refused.encode());
      assertTrue(refused.getLong("retryAfterMs") > 1_000, "a minute's fifth: " + refused.encode());
      assertTrue(refused.getString("message").contains("new rooms"), refused.getString("message"));
      JsonObject newConversation = maker.request(new JsonObject().put("type", "private").put("to", "stranger")
          .put("text", "hello"));
      assertEquals("rate_limited", newConversation.getString("code"), newConversation.encode());

      assertEquals("ack", host.request(new JsonObject().put("type", "private").put("to", "maker").put("text", "hi"))
          .getString("type"), "another user's budget is their own");
      assertEquals("joined", maker.join("existing").getString("type"), "a room that exists makes nothing");
      assertEquals("ack", maker.publish("existing", "still talking").getString("type"));
      assertEquals("ack", maker.request(new JsonObject().put("type", "private").put("to", "host").put("text", "hi back"))
          .getString("type"), "a conversation that exists makes nothing");
      assertFalse(maker.closed().isComplete(), "refusals of new rooms are not abuse");

      // code on the cluster's event bus is trusted: not budgeted
      var bus = cluster.node(0).vertx().eventBus();
      for (int i = 0; i < 10; i++) {
        io.switchboard.support.Await.of(bus.request(io.switchboard.Addresses.PRIVATE,
            new JsonObject().put("from", "maker").put("to", "customer" + i).put("text", "your order shipped")));
      }
      maker.close();
      host.close();
    }
  }

  /**
   * An admin may join any $ name, but only $metrics is made past the budget (and history.maxRooms):
   * every other one went past both, and was listed nowhere.
   */
  @Test
  void onlyMetricsIsMadePastTheBudget(Vertx vertx) {
    try (TestCluster cluster = TestCluster.start(1, Map.of("limits.rate", 5, "limits.burst", 30, "limits.maxRooms", 3))) {
      WsClient admin = WsClient.open(vertx, cluster.port(0), Tokens.of(new JsonObject().put("sub", "ops")
          .put("roles", new io.vertx.core.json.JsonArray().add("admin")).put("exp", Tokens.nowSeconds() + 600)));
      for (int i = 0; i < 6; i++) {
        assertEquals("joined", admin.join("$made-" + i).getString("type"), "room " + i);
        admin.request(new JsonObject().put("type", "leave").put("room", "$made-" + i));
      }
      JsonObject refused = admin.join("$made-6");
      assertEquals("rate_limited", refused.getString("code"), refused.encode());
      assertEquals("joined", admin.join("$metrics").getString("type"), "the nodes' own room is made all the same");
      admin.close();
    }
  }

  /**
   * Private frames refused {@code rate_limited} because they would start conversations past the
   * user's budget count towards rate-limit abuse like any other refused private frame (PROTOCOL.md
   * section 6): the twentieth within 10 s closes the connection with 4008.
   */
  @Test
  void refusedNewConversationsCountTowardsRateLimitAbuse(Vertx vertx) {
    try (TestCluster cluster = TestCluster.start(1, Map.of("limits.rate", 5, "limits.burst", 30, "limits.maxRooms", 3))) {
      WsClient spammer = WsClient.open(vertx, cluster.port(0), Tokens.user("spammer"));
      for (int i = 0; i < 6; i++) { // the budget's burst: twice maxRooms
        assertEquals("ack", spammer.request(new JsonObject().put("type", "private").put("to", "lead" + i)
            .put("text", "buy now")).getString("type"), "conversation " + i);
      }
      for (int i = 6; i < 25; i++) {
        JsonObject refused = spammer.request(new JsonObject().put("type", "private").put("to", "lead" + i)
            .put("text", "buy now"));
        assertEquals("rate_limited", refused.getString("code"), refused.encode());
      }
      assertFalse(spammer.closed().isComplete(), "19 refusals");
      spammer.send(new JsonObject().put("type", "private").put("to", "lead25").put("text", "buy now").encode());
      assertEquals(new WsClient.Close(4008, "rate limit abuse"), spammer.awaitClose());
    }
  }

  /**
   * A program on the server API names any sender, so its new rooms and conversations come out of
   * the budget of its token's subject: otherwise one publisher could fill history.maxRooms.
   */
  @Test
  void aServerApiCallerPaysForItsNewRoomsAsAUserDoes(Vertx vertx) {
    try (TestCluster cluster = TestCluster.start(1, Map.of("limits.rate", 5, "limits.burst", 30, "limits.maxRooms", 3))) {
      io.vertx.ext.web.client.WebClient http = io.vertx.ext.web.client.WebClient.create(vertx);
      java.util.function.BiFunction<String, String, io.vertx.ext.web.client.HttpResponse<io.vertx.core.buffer.Buffer>> post =
          (caller, path) -> io.switchboard.support.Await.of(http.post(cluster.port(0), "127.0.0.1", path)
              .putHeader("Authorization", "Bearer " + Tokens.of(new JsonObject().put("sub", caller)
                  .put("roles", new io.vertx.core.json.JsonArray().add("publisher")).put("exp", Tokens.nowSeconds() + 600)))
              .sendJsonObject(new JsonObject().put("from", "shop").put("text", "your order shipped")));
      WsClient host = WsClient.open(vertx, cluster.port(0), Tokens.user("host"));
      host.join("existing");
      assertEquals("ack", host.request(new JsonObject().put("type", "private").put("to", "shop").put("text", "hi"))
          .getString("type"));
      for (int i = 0; i < 6; i++) {
        var made = post.apply("shop-bot", "/api/rooms/news-" + i + "/messages");
        assertEquals(200, made.statusCode(), "room " + i + ": " + made.bodyAsString());
      }
      var refused = post.apply("shop-bot", "/api/rooms/news-6/messages");
      assertEquals(429, refused.statusCode(), refused.bodyAsString());
      assertEquals("rate_limited", refused.bodyAsJsonObject().getString("code"));
      assertTrue(Integer.parseInt(refused.getHeader("Retry-After")) >= 2, "a minute's fifth: " + refused.getHeader("Retry-After"));
      assertTrue(refused.bodyAsJsonObject().getLong("retryAfterMs") > 1_000, refused.bodyAsString());
      assertEquals(429, post.apply("shop-bot", "/api/users/stranger/messages").statusCode(), "a new conversation too");

      assertEquals(200, post.apply("shop-bot", "/api/rooms/existing/messages").statusCode(), "a room that exists makes nothing");
      assertEquals("your order shipped", host.awaitMessages("existing", 1).get(0).getString("text"));
      assertEquals(200, post.apply("shop-bot", "/api/users/host/messages").statusCode(), "nor a conversation that exists");
      assertEquals(200, post.apply("other-bot", "/api/rooms/news-6/messages").statusCode(), "another caller's budget is its own");
      host.close();
    }
  }

  /** A room is counted as made only by the call that made it. */
  @Test
  void onlyTheCallThatMadeARoomSaysSo() {
    try (TestCluster cluster = TestCluster.start(1, Map.of("presence.reconcileInterval", 3_600_000))) {
      var node = cluster.node(0);
      String n = node.nodeId();
      RoomStore store = new RoomStore(node.vertx(), node.hazelcast(), node.services().config().history());
      assertTrue(io.switchboard.support.Await.of(store.join("new", "ann", "Ann", n, true, -1, null, 0, 0, 0, true)).created());
      assertFalse(io.switchboard.support.Await.of(store.join("new", "bob", "Bob", n, true, -1, null, 0, 0, 0, true)).created());
      assertFalse(io.switchboard.support.Await.of(store.join("ghost", "ann", "Ann", n, false, -1, null, 0, 0, 0, true))
          .created(), "a join that counts nothing answers from a room it does not store");
      assertFalse(io.switchboard.support.Await.of(store.join("refused", "ann", "Ann", n, true, -1, null, 0, 0, 0, false))
          .created());
      var message = io.switchboard.protocol.FrameEncoder.message("dm:a:b", "a", "A", "b", "hi", null, false,
          io.switchboard.protocol.Timestamps.now());
      assertTrue(io.switchboard.support.Await.of(store.append("dm:a:b", java.util.List.of(message), true)).created());
      assertFalse(io.switchboard.support.Await.of(store.append("dm:a:b", java.util.List.of(message), true)).created());
    }
  }
}
