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
    // 5 new rooms a minute, a burst of 6; the joins' own bucket (a burst of 10) is not what refuses
    try (TestCluster cluster = TestCluster.start(1, Map.of("limits.rate", 5, "limits.burst", 10, "limits.maxRooms", 3))) {
      WsClient maker = WsClient.open(vertx, cluster.port(0), Tokens.user("maker"));
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

      WsClient host = WsClient.open(vertx, cluster.port(0), Tokens.user("host"));
      host.join("existing");
      assertEquals("ack", host.request(new JsonObject().put("type", "private").put("to", "maker").put("text", "hi"))
          .getString("type"), "another user's budget is their own");
      assertEquals("joined", maker.join("existing").getString("type"), "a room that exists makes nothing");
      assertEquals("ack", maker.publish("existing", "still talking").getString("type"));
      assertEquals("ack", maker.request(new JsonObject().put("type", "private").put("to", "host").put("text", "hi back"))
          .getString("type"), "a conversation that exists makes nothing");
      assertFalse(maker.closed().isComplete(), "refusals of new rooms are not abuse");
      maker.close();
      host.close();
    }
  }
}
