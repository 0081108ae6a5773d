package io.switchboard.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.map.IMap;
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
 * {@code history.maxRooms}: once the cluster holds that many rooms and conversations, rooms
 * nobody is in make way; where none can, no new one is made, and the rooms that exist go on as
 * before. Before, every join of a new name and every
 * private message to a new user made an entry that stayed, and one client could fill the heap.
 */
@ExtendWith(VertxExtension.class)
class RoomCapSocketTest {

  @Test
  void aFullClusterMakesNoNewRoomAndKeepsTheOnesItHas(Vertx vertx) {
    try (TestCluster cluster = TestCluster.start(1, Map.of("history.maxRooms", 10, "presence.reconcileInterval", 1_000))) {
      WsClient alice = WsClient.open(vertx, cluster.port(0), Tokens.user("alice"));
      for (int i = 0; i < 10; i++) {
        alice.join("r" + i);
      }
      awaitCounted(cluster, n -> n >= 10);

      // every room has someone in it: none can make way
      JsonObject refused = alice.request(new JsonObject().put("type", "join").put("room", "r10"));
      assertEquals("limit", refused.getString("code"), refused.encode());
      assertTrue(refused.getString("message").contains("history.maxRooms"), refused.getString("message"));
      JsonObject newConversation = privateTo(alice, "dave");
      assertEquals("unavailable", newConversation.getString("code"), "not stored, retry later: " + newConversation.encode());

      WsClient carol = WsClient.open(vertx, cluster.port(0), Tokens.user("carol"));
      assertEquals("joined", carol.join("r0").getString("type"), "a room that exists is joined as before");
      assertEquals("ack", carol.publish("r0", "still here").getString("type"));
      WsClient admin = WsClient.open(vertx, cluster.port(0), Tokens.of(new JsonObject().put("sub", "ops")
          .put("roles", new io.vertx.core.json.JsonArray().add("admin"))));
      assertEquals("joined", admin.join("$metrics").getString("type"), "the dashboard's room is made whatever the count");

      // a room nobody is in any more makes way, history and all, though far from history.retention
      assertEquals("ack", alice.publish("r1", "soon gone").getString("type"));
      alice.request(new JsonObject().put("type", "leave").put("room", "r1"));
      IMap<String, RoomState> map = cluster.node(0).hazelcast().getMap(RoomStore.MAP_NAME);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      while (map.get("r1") != null) {
        assertTrue(System.nanoTime() < deadline, "r1 was never removed");
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
      }
      assertEquals(1.0, cluster.node(0).services().metrics().registry().get("switchboard.rooms.evicted")
          .functionCounter().count(), "counted");
      assertEquals("still here", carol.request(new JsonObject().put("type", "history").put("room", "r0"))
          .getJsonArray("messages").getJsonObject(0).getString("text"), "a room someone is in keeps its history");

      // rooms nobody is in and nobody wrote in are removed, and the limit lifts
      for (int i = 2; i < 10; i++) {
        alice.request(new JsonObject().put("type", "leave").put("room", "r" + i));
      }
      awaitCounted(cluster, n -> n < 10);
      assertEquals("joined", alice.join("r10").getString("type"), "under the limit again");
      admin.close();
      carol.close();
      alice.close();
    }
  }

  private static JsonObject privateTo(WsClient from, String to) {
    return from.request(new JsonObject().put("type", "private").put("to", to).put("text", "hi " + to));
  }

  /** The count is taken each reconciliation round (a second here): its gauge says when. */
  private static void awaitCounted(TestCluster cluster, java.util.function.IntPredicate rooms) {
    var registry = cluster.node(0).services().metrics().registry();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (!rooms.test((int) registry.get("switchboard.rooms.stored").gauge().value())) {
      assertTrue(System.nanoTime() < deadline, "the count never came: " + registry.get("switchboard.rooms.stored").gauge().value());
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
    }
  }
}
