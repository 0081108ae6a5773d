package io.switchboard.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

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
