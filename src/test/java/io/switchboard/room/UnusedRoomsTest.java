package io.switchboard.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.hazelcast.map.IMap;
import io.switchboard.protocol.FrameEncoder;
import io.switchboard.support.Await;
import io.switchboard.support.TestCluster;
import io.switchboard.support.Tokens;
import io.switchboard.support.WsClient;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Joining and leaving rooms under fresh names must not grow the rooms map for ever: a room that
 * nobody wrote in is removed once empty, a whole reconciliation round after its last leave, and
 * only if it is still empty then.
 */
@ExtendWith(VertxExtension.class)
class UnusedRoomsTest {

  @Test
  void aRoomNobodyWroteInGoesARoundAfterItsLastLeaveAndTheOthersStay() {
    // the node's own rounds out of the way: this store's rounds are the test's calls
    try (TestCluster cluster = TestCluster.start(1, Map.of("presence.reconcileInterval", 3_600_000))) {
      var node = cluster.node(0);
      String n = node.nodeId();
      RoomStore store = new RoomStore(node.vertx(), node.hazelcast(), node.services().config().history());
      IMap<String, RoomState> map = node.hazelcast().getMap(RoomStore.MAP_NAME);
      for (String room : List.of("passing", "written", "back")) {
        Await.of(store.join(room, "ann", "Ann", n, true, -1, null, 0));
      }
      Await.of(store.append("written", FrameEncoder.message("written", "ann", "Ann", null, "hi", null, false,
          "2026-12-04T12:00:00.000Z")));
      for (String room : List.of("passing", "written", "back")) {
        Await.of(store.leave(room, "ann", n));
      }
      assertEquals(0, Await.of(store.dropUnused()), "not in the round that noted them");
      assertNotNull(map.get("passing"));
      Await.of(store.join("back", "bob", "Bob", n, true, -1, null, 0)); // someone came back meanwhile
      assertEquals(0, Await.of(store.dropUnused()), "the leaves' stamps are still in them: the node's round has yet"
          + " to see the leaves");

      // the node's round takes the stamps its truth has seen; the rooms are tried again after it
      io.switchboard.presence.LocalPresence truth = new io.switchboard.presence.LocalPresence();
      truth.addJoined("back", "bob", "Bob");
      Await.of(store.reconcile(n, truth, Await.of(store.onNode(n)), io.switchboard.presence.PresenceClock.now()));
      assertEquals(1, Await.of(store.dropUnused()));
      assertNull(map.get("passing"));
      assertNotNull(map.get("written"), "a room with messages keeps its seq and epoch");
      assertNotNull(map.get("back"), "a room with a member stays");
      assertEquals(0, Await.of(store.dropUnused()));
    }
  }

  /**
   * A removal that fails (a partition moving, the cluster stalled) keeps its rooms for the next
   * call: forgotten, they stayed in the map until their names were used again. The failure here
   * is the room's entry, for one call, a value the processor cannot read.
   */
  @Test
  @SuppressWarnings({"unchecked", "rawtypes"})
  void roomsWhoseRemovalFailedAreTriedAgain() {
    try (TestCluster cluster = TestCluster.start(1, Map.of("presence.reconcileInterval", 3_600_000))) {
      var node = cluster.node(0);
      String n = node.nodeId();
      RoomStore store = new RoomStore(node.vertx(), node.hazelcast(), node.services().config().history());
      IMap<String, RoomState> map = node.hazelcast().getMap(RoomStore.MAP_NAME);
      Await.of(store.join("passing", "ann", "Ann", n, true, -1, null, 0));
      Await.of(store.leave("passing", "ann", n));
      Await.of(store.reconcile(n, new io.switchboard.presence.LocalPresence(), Await.of(store.onNode(n)),
          io.switchboard.presence.PresenceClock.now())); // the leave's stamp taken
      assertEquals(0, Await.of(store.dropUnused()), "not in the round that noted it");
      RoomState state = map.get("passing");
      ((IMap) map).set("passing", "not a room");
      assertThrows(Exception.class, () -> Await.of(store.dropUnused()));
      map.set("passing", state);
      assertEquals(1, Await.of(store.dropUnused()), "tried again after the failure");
      assertNull(map.get("passing"));
    }
  }

  /** The node's own reconciliation rounds do it for the rooms its connections left. */
  @Test
  void theNodesRoundsRemoveTheRoomsItsConnectionsLeftEmpty(Vertx vertx) {
    try (TestCluster cluster = TestCluster.start(1, Map.of("presence.reconcileInterval", 1_000))) {
      IMap<String, RoomState> map = cluster.node(0).hazelcast().getMap(RoomStore.MAP_NAME);
      WsClient ann = WsClient.open(vertx, cluster.port(0), Tokens.user("ann"));
      ann.join("fleeting");
      ann.request(new JsonObject().put("type", "leave").put("room", "fleeting"));
      assertNotNull(map.get("fleeting"));
      Await.of(absent(vertx, map, "fleeting"), 15);
      ann.close();
    }
  }

  /** Completes once {@code room}'s entry is gone (read without blocking the test's loop). */
  static Future<Void> absent(Vertx vertx, IMap<String, RoomState> map, String room) {
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
