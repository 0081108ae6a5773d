package io.switchboard.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.support.TestCluster;
import io.switchboard.support.Tokens;
import io.switchboard.support.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code history.maxRooms}: once the cluster holds that many rooms and conversations and none
 * can make way (see RoomExpiryTest), no new one is made, and the rooms that exist go on as before. Before, every join of a new name and every
 * private message to a new user made an entry that stayed, and one client could fill the heap.
 */
@ExtendWith(VertxExtension.class)
class RoomCapSocketTest {

  @Test
  void aFullClusterMakesNoNewRoomAndKeepsTheOnesItHas(Vertx vertx) {
    try (TestCluster cluster = TestCluster.start(1, Map.of("history.maxRooms", 10, "presence.reconcileInterval", 1_000))) {
      WsClient alice = WsClient.open(vertx, cluster.port(0), Tokens.user("alice"));
      for (int i = 0; i < 9; i++) {
        alice.join("r" + i);
      }
      assertEquals("ack", privateTo(alice, "bob").getString("type")); // the tenth: a conversation
      // nobody is ever in a conversation, but this one was written today: it does not make way
      awaitGauge(cluster, "switchboard.rooms.refusing", v -> v == 1);

      JsonObject refused = alice.request(new JsonObject().put("type", "join").put("room", "r9"));
      assertEquals("limit", refused.getString("code"), refused.encode());
      assertTrue(refused.getString("message").contains("history.maxRooms"), refused.getString("message"));
      JsonObject newConversation = privateTo(alice, "dave");
      assertEquals("unavailable", newConversation.getString("code"), "not stored, retry later: " + newConversation.encode());
      // a node that joins the full cluster refuses new rooms from the start, not after its rounds
      cluster.addNode();
      WsClient late = WsClient.open(vertx, cluster.port(1), Tokens.user("late"));
      JsonObject lateJoin = late.request(new JsonObject().put("type", "join").put("room", "r-late"));
      assertEquals("limit", lateJoin.getString("code"), "a new node at once: " + lateJoin.encode());
      late.close();

      WsClient carol = WsClient.open(vertx, cluster.port(0), Tokens.user("carol"));
      assertEquals("joined", carol.join("r0").getString("type"), "a room that exists is joined as before");
      assertEquals("ack", carol.publish("r0", "still here").getString("type"));
      assertEquals("ack", privateTo(alice, "bob").getString("type"), "a conversation that exists goes on");
      WsClient admin = WsClient.open(vertx, cluster.port(0), Tokens.of(new JsonObject().put("sub", "ops")
          .put("roles", new io.vertx.core.json.JsonArray().add("admin"))));
      assertEquals("joined", admin.join("$metrics").getString("type"), "the dashboard's room is made whatever the count");

      // rooms nobody is in and nobody wrote in are removed, and the limit lifts
      for (int i = 1; i < 9; i++) {
        alice.request(new JsonObject().put("type", "leave").put("room", "r" + i));
      }
      awaitGauge(cluster, "switchboard.rooms.refusing", v -> v == 0);
      assertEquals("joined", alice.join("r9").getString("type"), "under the limit again");
      JsonObject kept = alice.request(new JsonObject().put("type", "history").put("room", "dm:alice:bob"));
      assertEquals(2, kept.getJsonArray("messages").size(), "the conversation kept its history: " + kept.encode());
      admin.close();
      carol.close();
      alice.close();
    }
  }

  private static JsonObject privateTo(WsClient from, String to) {
    return from.request(new JsonObject().put("type", "private").put("to", to).put("text", "hi " + to));
  }

  /** The count is taken each reconciliation round (a second here): its gauges say when. */
  private static void awaitGauge(TestCluster cluster, String gauge, java.util.function.DoublePredicate value) {
    var registry = cluster.node(0).services().metrics().registry();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (!value.test(registry.get(gauge).gauge().value())) {
      assertTrue(System.nanoTime() < deadline, gauge + " never came: " + registry.get(gauge).gauge().value());
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
    }
  }
}
