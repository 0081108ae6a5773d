package io.switchboard.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.map.IMap;
import io.switchboard.protocol.Timestamps;
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
import java.util.concurrent.TimeUnit;
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
    // every message is past a retention of 1 ms at once: only membership decides; a room goes
    // once seen idle for heartbeat.timeout + interval (2 s here)
    try (TestCluster cluster = TestCluster.start(1, Map.of("history.retention", 1, "presence.reconcileInterval", 1_000,
        "heartbeat.interval", 500, "heartbeat.timeout", 1_500))) {
      IMap<String, RoomState> map = cluster.node(0).hazelcast().getMap(RoomStore.MAP_NAME);
      WsClient ann = WsClient.open(vertx, cluster.port(0), Tokens.user("ann"));
      String epoch = ann.join("passed").getString("epoch");
      String livedIn = ann.join("lived-in").getString("epoch");
      ann.publish("passed", "old news");
      ann.publish("lived-in", "still here");
      ann.request(new JsonObject().put("type", "leave").put("room", "passed"));

      Await.of(UnusedRoomsTest.absent(vertx, map, "passed"), 15);
      // two whole sweeps, done when they answer (a round's may still be on its way to some partitions)
      var node = cluster.node(0);
      RoomStore store = new RoomStore(node.vertx(), node.hazelcast(), node.services().config().history());
      Await.of(store.sweepNow());
      Await.of(store.sweepNow());
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
   * Past history.retention a room nobody is in goes, at the second sweep that finds it so (the
   * first may follow a node's death, before its clients are back); a younger one and one
   * someone is in stay.
   */
  @Test
  void retentionRemovesOnlyRoomsNobodyIsInWrittenBeforeIt() {
    try (TestCluster cluster = TestCluster.start(1, Map.of("presence.reconcileInterval", 3_600_000))) {
      var node = cluster.node(0);
      RoomStore store = new RoomStore(node.vertx(), node.hazelcast(), node.services().config().history());
      IMap<String, RoomState> map = node.hazelcast().getMap(RoomStore.MAP_NAME);
      Await.of(store.append("ancient", message("ancient", daysAgo(31))));
      Await.of(store.append("recent", message("recent", daysAgo(29))));
      Await.of(store.join("occupied", "ann", "Ann", node.nodeId(), true, -1, null, 0));
      Await.of(store.append("occupied", message("occupied", daysAgo(40))));

      map.set("leftover", new RoomState("e-left", 10)); // empty, never written, and nobody noted it

      RoomStore patient = new RoomStore(node.vertx(), node.hazelcast(), node.services().config().history(), 3_600_000, 15_000);
      Await.of(patient.sweepNow());
      assertEquals(0, Await.of(patient.sweepNow()), "seen idle twice, but not for its grace");

      assertEquals(0, Await.of(store.sweepNow()), "first seen idle: not yet");
      assertEquals(2, Await.of(store.sweepNow()));
      assertNull(map.get("ancient"));
      assertNull(map.get("leftover"), "an empty room nobody removed goes too");
      assertEquals(1, map.get("recent").log().lastSeq(), "29 days: within the retention");
      assertEquals(1, map.get("occupied").log().lastSeq(), "someone is in it");
      assertEquals(1, store.expired());
    }
  }

  /**
   * At history.maxRooms the rooms nobody is in go, written longest ago first, down to 90 % of
   * the limit, rooms never written in (which go anyway) not counted; rooms someone is in stay
   * however old their messages, and so do those written within a day.
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
        Await.of(store.append("used" + i, message("used" + i, daysAgo(20))));
      }
      long twoDaysAgo = System.currentTimeMillis() - TimeUnit.DAYS.toMillis(2);
      for (int i = 0; i < 15; i++) { // nobody in them, written a minute apart, idle14 last
        Await.of(store.append("idle" + i, message("idle" + i, Timestamps.format(twoDaysAgo + i * 60_000L))));
      }
      Await.of(store.append("today", message("today", Timestamps.format(System.currentTimeMillis() - 3_600_000))));
      Await.of(store.join("unwritten", "ann", "Ann", n, true, -1, null, 0));
      Await.of(store.leave("unwritten", "ann", n));

      assertEquals(22, Await.of(store.countRooms()), "first seen idle: nothing removed yet");
      assertFalse(store.full(), "at the limit one round: a round to make way");
      assertEquals(19, Await.of(store.countRooms()), "22 less the unwritten one: 3 over 18, 90 % of the limit");
      assertFalse(store.full());
      for (int i = 0; i < 3; i++) {
        assertNull(map.get("idle" + i));
      }
      for (int i = 3; i < 15; i++) {
        assertEquals(1, map.get("idle" + i).log().lastSeq(), "idle" + i);
      }
      for (int i = 0; i < 5; i++) {
        assertEquals(1, map.get("used" + i).log().lastSeq(), "used" + i + ": someone is in it");
      }
      assertEquals(1, map.get("today").log().lastSeq(), "written within a day");
      assertEquals(3, store.evicted());
      Await.of(store.join("new", "ann", "Ann", n, true, -1, null, 0));
      assertEquals(1, map.get("new").memberCount(), "a new room is made");
    }
  }

  /**
   * Near the limit (90 %) every round notes the rooms that could make way, so that when the limit
   * is reached they have been seen idle long enough and make way at once: before, the cluster
   * refused every new room for the grace (85 s by default) each time it got there.
   */
  @Test
  void nearTheLimitTheRoomsThatCouldMakeWayAreNotedAhead() {
    try (TestCluster cluster = TestCluster.start(1, Map.of("history.maxRooms", 20, "presence.reconcileInterval", 3_600_000))) {
      var node = cluster.node(0);
      String n = node.nodeId();
      RoomStore store = new RoomStore(node.vertx(), node.hazelcast(), node.services().config().history());
      IMap<String, RoomState> map = node.hazelcast().getMap(RoomStore.MAP_NAME);
      for (int i = 0; i < 5; i++) {
        Await.of(store.join("used" + i, "ann", "Ann", n, true, -1, null, 0));
      }
      long twoDaysAgo = System.currentTimeMillis() - TimeUnit.DAYS.toMillis(2);
      for (int i = 0; i < 13; i++) {
        Await.of(store.append("idle" + i, message("idle" + i, Timestamps.format(twoDaysAgo + i * 60_000L))));
      }
      assertEquals(18, Await.of(store.countRooms()), "at 90 %: noted, nothing removed");
      Await.of(store.append("late0", message("late0", Timestamps.format(twoDaysAgo))));
      Await.of(store.append("late1", message("late1", Timestamps.format(twoDaysAgo))));
      assertEquals(18, Await.of(store.countRooms()), "at the limit: the two noted longest ago make way at once");
      assertNull(map.get("idle0"));
      assertNull(map.get("idle1"));
      assertEquals(1, map.get("late0").log().lastSeq(), "not noted yet, though as old");
      assertFalse(store.full());
    }
  }

  /**
   * A room a node's death emptied (its purge took the members out at once: their clients are
   * still on their way back) waits the grace from then, though the sweeper saw it idle before
   * they came. A node's departure holds back no other room: it used to start every room's
   * sightings over, and nodes leaving every two minutes kept every room from ever expiring.
   */
  @Test
  void aRoomANodesDeathEmptiedWaitsTheGraceFromThenAndNoOtherRoomDoes() {
    try (TestCluster cluster = TestCluster.start(1, Map.of("presence.reconcileInterval", 3_600_000))) {
      var node = cluster.node(0);
      RoomStore store = new RoomStore(node.vertx(), node.hazelcast(), node.services().config().history(), 1_500, 15_000);
      IMap<String, RoomState> map = node.hazelcast().getMap(RoomStore.MAP_NAME);
      Await.of(store.append("quiet", message("quiet", daysAgo(31))));
      Await.of(store.append("rejoined", message("rejoined", daysAgo(31))));
      assertEquals(0, Await.of(store.sweepNow()), "seen once");
      cluster.addNode();
      Await.of(cluster.node(1).stop(), 30);
      Await.of(until(node.vertx(), () -> node.hazelcast().getCluster().getMembers().size() == 1), 30);
      Await.of(node.vertx().timer(1_600));
      Await.of(store.join("rejoined", "ann", "Ann", "n-gone", true, -1, null, 0));
      Await.of(store.purgeNode("n-gone", removed -> { }));
      assertEquals(1, Await.of(store.sweepNow()), "a node left: the quiet room goes all the same");
      assertNull(map.get("quiet"));
      assertEquals(1, map.get("rejoined").log().lastSeq(), "emptied by the purge just now: kept");
      Await.of(node.vertx().timer(1_600));
      assertEquals(0, Await.of(store.sweepNow()), "idle since the purge, seen once");
      Await.of(node.vertx().timer(1_600));
      assertEquals(1, Await.of(store.sweepNow()), "and then it goes");
      assertNull(map.get("rejoined"));
    }
  }

  /** When no room can make way (someone is in it, or it was written today), no new room is made. */
  @Test
  void aClusterWhoseRoomsCannotMakeWayRefusesNewOnes() {
    try (TestCluster cluster = TestCluster.start(1, Map.of("history.maxRooms", 10, "presence.reconcileInterval", 3_600_000))) {
      var node = cluster.node(0);
      String n = node.nodeId();
      RoomStore store = new RoomStore(node.vertx(), node.hazelcast(), node.services().config().history());
      for (int i = 0; i < 9; i++) {
        Await.of(store.join("used" + i, "ann", "Ann", n, true, -1, null, 0));
        Await.of(store.append("used" + i, message("used" + i, daysAgo(20))));
      }
      Await.of(store.append("today", message("today", Timestamps.format(System.currentTimeMillis() - 3_600_000))));
      assertEquals(10, Await.of(store.countRooms()));
      assertFalse(store.full());
      assertEquals(10, Await.of(store.countRooms()));
      assertTrue(store.full(), "at the limit two rounds in a row");
      assertTrue(Await.of(store.join("new", "ann", "Ann", n, true, -1, null, 0)).full());
      assertEquals(10, node.hazelcast().getMap(RoomStore.MAP_NAME).size());
    }
  }

  /**
   * The sweeping member is the oldest Switchboard node, not the oldest member: a program that
   * joined as a lite member outlives a rolling restart of every node, and then nobody swept.
   */
  @Test
  void theOldestNodeSweepsNotAProgramThatOutlivedEveryNode() {
    try (TestCluster cluster = TestCluster.start(1, Map.of("presence.reconcileInterval", 3_600_000))) {
      cluster.joinProgram();
      var node = cluster.restart(0);
      var first = node.hazelcast().getCluster().getMembers().iterator().next();
      assertTrue(first.isLiteMember(), "the program is the oldest member now");
      IMap<String, RoomState> map = node.hazelcast().getMap(RoomStore.MAP_NAME);
      assertTrue(new IdleRooms(node.hazelcast(), map, node.services().config().history(), 0, 15_000).sweeps());
    }
  }

  private static String daysAgo(int days) {
    return Timestamps.format(System.currentTimeMillis() - TimeUnit.DAYS.toMillis(days));
  }

  private static io.switchboard.protocol.FrameEncoder.MessageTemplate message(String room, String ts) {
    return io.switchboard.protocol.FrameEncoder.message(room, "ann", "Ann", null, "hi", null, false, ts);
  }

  private static Future<Void> until(Vertx vertx, java.util.function.BooleanSupplier condition) {
    Promise<Void> done = Promise.promise();
    vertx.setPeriodic(20, t -> {
      if (condition.getAsBoolean()) {
        vertx.cancelTimer(t);
        done.tryComplete();
      }
    });
    return done.future();
  }
}
