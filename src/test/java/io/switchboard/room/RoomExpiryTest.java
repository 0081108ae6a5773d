package io.switchboard.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.map.IMap;
import io.switchboard.support.Await;
import io.switchboard.support.TestCluster;
import io.switchboard.support.Tokens;
import io.switchboard.support.WsClient;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code history.retention}: the node's rounds remove a room nobody is in once its newest
 * message is older than the retention, and keep every room someone is in, however old its
 * messages. A client that comes back with {@code since} is told its history is gone.
 */
@ExtendWith(VertxExtension.class)
class RoomExpiryTest {

  @Test
  void aRoomNobodyIsInGoesWithItsHistoryAndARoomWithAMemberStays(Vertx vertx) {
    // every message is past a retention of 1 ms at once: only membership decides
    try (TestCluster cluster = TestCluster.start(1, Map.of("history.retention", 1, "presence.reconcileInterval", 1_000))) {
      IMap<String, RoomState> map = cluster.node(0).hazelcast().getMap(RoomStore.MAP_NAME);
      WsClient ann = WsClient.open(vertx, cluster.port(0), Tokens.user("ann"));
      String epoch = ann.join("passed").getString("epoch");
      String livedIn = ann.join("lived-in").getString("epoch");
      ann.publish("passed", "old news");
      ann.publish("lived-in", "still here");
      ann.request(new JsonObject().put("type", "leave").put("room", "passed"));

      Await.of(absent(vertx, map, "passed"), 15);
      // a whole sweep, done when it answers (the round's may still be on its way to some partitions)
      var node = cluster.node(0);
      RoomStore store = new RoomStore(node.vertx(), node.hazelcast(), node.services().config().history());
      Await.of(store.expireBefore(Long.MAX_VALUE));
      JsonObject kept = ann.request(new JsonObject().put("type", "history").put("room", "lived-in").put("limit", 10));
      assertEquals("still here", kept.getJsonArray("messages").getJsonObject(0).getString("text"),
          "ann is in it: kept with its history, however old its messages");
      assertEquals(livedIn, map.get("lived-in").epoch(), "the same log, not one made again");

      JsonObject back = ann.request(new JsonObject().put("type", "join").put("room", "passed").put("history", 10)
          .put("since", new JsonObject().put("seq", 1).put("epoch", epoch)));
      assertFalse(back.getBoolean("recovered"), back.encode());
      assertNotEquals(epoch, back.getString("epoch"), "a new log");
      assertEquals(0, back.getJsonArray("history").size());
      ann.close();
    }
  }

  /**
   * At history.maxRooms the rooms nobody is in go, written longest ago first, down to 90 % of
   * the limit; a room someone is in stays however old its messages, and new rooms are made again.
   */
  @Test
  void aFullClusterRemovesTheRoomsNobodyIsInThatWereWrittenLongestAgo() {
    try (TestCluster cluster = TestCluster.start(1, Map.of("history.maxRooms", 20, "presence.reconcileInterval", 3_600_000))) {
      var node = cluster.node(0);
      String n = node.nodeId();
      RoomStore store = new RoomStore(node.vertx(), node.hazelcast(), node.services().config().history());
      IMap<String, RoomState> map = node.hazelcast().getMap(RoomStore.MAP_NAME);
      for (int i = 0; i < 5; i++) { // in use, and written before everything else
        Await.of(store.join("used" + i, "ann", "Ann", n, true, -1, null, 0));
        Await.of(store.append("used" + i, message("used" + i, "2026-01-01T00:00:00.000Z")));
      }
      for (int i = 0; i < 15; i++) { // nobody in them, written a minute apart, idle14 last
        Await.of(store.append("idle" + i, message("idle" + i, String.format("2026-06-01T00:%02d:00.000Z", i))));
      }
      assertEquals(18, Await.of(store.countRooms()), "20 rooms: down to 18, 90 % of the limit");
      assertNull(map.get("idle0"));
      assertNull(map.get("idle1"));
      for (int i = 2; i < 15; i++) {
        assertEquals(1, map.get("idle" + i).log().lastSeq(), "idle" + i);
      }
      for (int i = 0; i < 5; i++) {
        assertEquals(1, map.get("used" + i).log().lastSeq(), "used" + i + ": someone is in it");
      }
      Await.of(store.join("new", "ann", "Ann", n, true, -1, null, 0));
      assertEquals(1, map.get("new").memberCount(), "a new room is made again");
    }
  }

  /** When every room has someone in it, nothing is removed and no new room is made. */
  @Test
  void aClusterFullOfRoomsInUseRefusesNewOnes() {
    try (TestCluster cluster = TestCluster.start(1, Map.of("history.maxRooms", 10, "presence.reconcileInterval", 3_600_000))) {
      var node = cluster.node(0);
      String n = node.nodeId();
      RoomStore store = new RoomStore(node.vertx(), node.hazelcast(), node.services().config().history());
      for (int i = 0; i < 10; i++) {
        Await.of(store.join("used" + i, "ann", "Ann", n, true, -1, null, 0));
        Await.of(store.append("used" + i, message("used" + i, "2026-01-01T00:00:00.000Z")));
      }
      assertEquals(10, Await.of(store.countRooms()));
      assertTrue(Await.of(store.join("new", "ann", "Ann", n, true, -1, null, 0)).full());
      assertEquals(10, node.hazelcast().getMap(RoomStore.MAP_NAME).size());
    }
  }

  private static io.switchboard.protocol.FrameEncoder.MessageTemplate message(String room, String ts) {
    return io.switchboard.protocol.FrameEncoder.message(room, "ann", "Ann", null, "hi", null, false, ts);
  }

  private static Future<Void> absent(Vertx vertx, IMap<String, RoomState> map, String room) {
    Promise<Void> gone = Promise.promise();
    vertx.setPeriodic(100, t -> map.getAsync(room).thenAccept(state -> {
      if (state == null) {
        vertx.cancelTimer(t);
        gone.tryComplete();
      }
    }));
    return gone.future();
  }
}
