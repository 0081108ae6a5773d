package io.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.room.RoomStore;
import io.switchboard.support.Await;
import io.switchboard.support.TestCluster;
import io.switchboard.support.Tokens;
import io.switchboard.support.WsClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A room's log lost (both copies gone) restarts at seq 1 under a new epoch. Members still
 * connected must get the new log's messages: a member who joined at seq 5 kept 5 as its floor,
 * and the new log's first five messages never reached it. And they must be told: seq 1 right
 * after seq 5 on the live stream looked, to a client ordering by seq, like a message it already
 * had. Each member gets a {@code joined} frame without {@code id} (the new epoch and the new
 * log's messages), and live delivery goes on after it.
 */
@ExtendWith(VertxExtension.class)
class LogLossSocketTest {

  /**
   * A quiet room whose log is another one now (a split brain healed, and nobody has written
   * since): reconciliation reads where the log ends and finds the other epoch, and each member
   * is told with one {@code joined} frame without {@code id}, members included, without waiting
   * for a message that may never come.
   */
  @Test
  void membersOfAQuietRoomAreToldOfItsNewLogWithoutAMessage(Vertx vertx) {
    try (TestCluster cluster = TestCluster.start(1, Map.of("presence.reconcileInterval", 1_000))) {
      WsClient alice = WsClient.open(vertx, cluster.port(0), Tokens.user("alice"));
      alice.join("quiet");
      alice.publish("quiet", "before the split");
      WsClient bob = WsClient.open(vertx, cluster.port(0), Tokens.user("bob"));
      bob.join("quiet");
      io.switchboard.room.RoomOpsForTests.restartLog(cluster.node(0).hazelcast(), "quiet", "e-healed");
      for (WsClient member : List.of(alice, bob)) {
        JsonObject told = member.await(f -> "joined".equals(f.getString("type")) && !f.containsKey("id"));
        assertEquals("e-healed", told.getString("epoch"));
        assertEquals(2, told.getInteger("count"));
        assertEquals(1L, told.getLong("seq"));
      }
      JsonObject ack = alice.publish("quiet", "after the heal");
      assertEquals(2L, ack.getLong("seq"));
      bob.await(f -> "message".equals(f.getString("type")) && "after the heal".equals(f.getString("text"))
          && f.getLong("seq") == 2L);
    }
  }

  /**
   * A live frame of a log the room is not on (a split brain's other side, late on its way) moves
   * the node's stream to it, and the members are held and joined again for it. The room answers
   * from its own log: that fresh answer is the room's log, so the stream goes back to it and the
   * members are told of it. Before, the members were asked about the stray log three times and
   * then closed with 1011, and the room stayed on the stray log until they reconnected.
   */
  @Test
  void aStrayFrameOfAnotherLogIsUndoneByTheRoomsOwnAnswer(Vertx vertx) {
    try (TestCluster cluster = TestCluster.start(1, Map.of())) {
      WsClient alice = WsClient.open(vertx, cluster.port(0), Tokens.user("alice"));
      JsonObject joined = alice.join("stray");
      String epoch = joined.getString("epoch");
      alice.publish("stray", "one");
      alice.await(f -> "message".equals(f.getString("type")) && "one".equals(f.getString("text")));
      String stray = new JsonObject().put("type", "message").put("room", "stray").put("seq", 7).put("from", "mallory")
          .put("text", "from elsewhere").encode();
      cluster.node(0).services().router().route(io.switchboard.room.NodeRouter.Kind.MESSAGE, "stray", 7, stray, "e-stray");
      JsonObject told = alice.await(f -> "joined".equals(f.getString("type")) && !f.containsKey("id")
          && epoch.equals(f.getString("epoch")));
      assertEquals(1L, told.getLong("seq"), "told of the room's own log, where it is");
      JsonObject ack = alice.publish("stray", "two");
      assertEquals(2L, ack.getLong("seq"));
      JsonObject two = alice.await(f -> "message".equals(f.getString("type")) && "two".equals(f.getString("text")));
      assertEquals(2L, two.getLong("seq"));
      assertFalse(alice.frames().stream().anyMatch(f -> "from elsewhere".equals(f.getString("text"))),
          "the stray log's message went to nobody");
      assertFalse(alice.closed().isComplete(), "not closed");
    }
  }

  @Test
  void membersGetTheNewLogsMessagesFromItsFirst(Vertx vertx) {
    try (TestCluster cluster = TestCluster.start(1, Map.of("presence.reconcileInterval", 1_000))) {
      WsClient alice = WsClient.open(vertx, cluster.port(0), Tokens.user("alice"));
      alice.join("fragile");
      for (int i = 1; i <= 5; i++) {
        alice.publish("fragile", "old " + i);
      }
      WsClient bob = WsClient.open(vertx, cluster.port(0), Tokens.user("bob"));
      JsonObject joined = bob.join("fragile");
      assertEquals(5L, joined.getLong("seq"));

      cluster.node(0).hazelcast().getMap(RoomStore.MAP_NAME).delete("fragile");
      // reconciliation brings the room back with this node's members in it
      JsonObject members = new JsonObject();
      for (int tries = 0; tries < 75; tries++) {
        members = bob.request(new JsonObject().put("type", "members").put("room", "fragile"));
        if (members.getInteger("count") == 2) {
          break;
        }
        Await.of(Future.<Void>future(p -> vertx.setTimer(200, t -> p.complete())));
      }
      assertEquals(2, members.getInteger("count"), members.encode());

      // told of the new log when reconciliation finds it, or by its first message: whichever comes first
      JsonObject ack = alice.publish("fragile", "after the loss");
      assertEquals(1L, ack.getLong("seq"), "the new log starts again");
      JsonObject told = bob.await(f -> "joined".equals(f.getString("type")));
      assertFalse(told.containsKey("id"), "the node's own frame, not an answer");
      assertNotEquals(joined.getString("epoch"), told.getString("epoch"), "a new epoch says the log was lost");
      alice.publish("fragile", "and then");
      bob.await(f -> "message".equals(f.getString("type")) && "and then".equals(f.getString("text")));
      List<String> seen = new ArrayList<>();
      told.getJsonArray("history").forEach(m -> seen.add(((JsonObject) m).getString("text")));
      bob.frames().stream().filter(f -> "message".equals(f.getString("type"))).forEach(f -> {
        assertTrue(f.getLong("seq") > told.getLong("seq"), "live goes on after the joined: " + f.encode());
        seen.add(f.getString("text"));
      });
      assertEquals(List.of("after the loss", "and then"), seen, "each message of the new log once, nothing of the old");

      JsonObject rejoined = bob.join("fragile");
      assertEquals(told.getString("epoch"), rejoined.getString("epoch"));
      alice.close();
      bob.close();
    }
  }

  /**
   * Newcomers who join after the loss, before anyone published in the new log: their joins
   * answer the new epoch, while the gateway instance where the old log's member still is
   * followed the old one. A newcomer there was held for the old log, asked to join again three
   * times and closed with 1011, on every reconnect until someone published. Now that stream
   * follows the new log: the newcomer goes on from its own {@code joined}, and the member already
   * there is told. One newcomer per gateway instance (connections go round the instances), so
   * that one of them lands beside the member.
   */
  @Test
  void newcomersAfterTheLossFollowTheNewLogAtOnce(Vertx vertx) {
    try (TestCluster cluster = TestCluster.start(1, Map.of("presence.reconcileInterval", 1_000))) {
      WsClient alice = WsClient.open(vertx, cluster.port(0), Tokens.user("alice"));
      JsonObject before = alice.join("fragile");
      alice.publish("fragile", "old");
      cluster.node(0).hazelcast().getMap(RoomStore.MAP_NAME).delete("fragile");
      JsonObject members = new JsonObject();
      for (int tries = 0; tries < 75 && members.getInteger("count", 0) != 1; tries++) {
        Await.of(Future.<Void>future(p -> vertx.setTimer(200, t -> p.complete())));
        members = alice.request(new JsonObject().put("type", "members").put("room", "fragile"));
      }
      assertEquals(1, members.getInteger("count"), "reconciliation brought the room back: " + members.encode());

      List<WsClient> newcomers = new ArrayList<>();
      String epoch = null;
      for (int i = 0; i < io.vertx.core.VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE; i++) {
        WsClient newcomer = WsClient.open(vertx, cluster.port(0), Tokens.user("new" + i));
        JsonObject joined = newcomer.join("fragile");
        assertNotEquals(before.getString("epoch"), joined.getString("epoch"));
        epoch = joined.getString("epoch");
        newcomers.add(newcomer);
      }
      JsonObject told = alice.await(f -> "joined".equals(f.getString("type")) && !f.containsKey("id"));
      assertEquals(epoch, told.getString("epoch"), "the member already there is told");

      alice.publish("fragile", "first of the new log");
      alice.await(f -> "message".equals(f.getString("type")) && "first of the new log".equals(f.getString("text")));
      for (WsClient newcomer : newcomers) {
        newcomer.await(f -> "message".equals(f.getString("type")) && "first of the new log".equals(f.getString("text")));
        assertTrue(newcomer.frames().stream().noneMatch(f -> "joined".equals(f.getString("type")) && !f.containsKey("id")),
            "a newcomer knew the new log from its own join: " + newcomer.frames());
        assertFalse(newcomer.socket().isClosed());
        newcomer.close();
      }
      alice.close();
    }
  }
}
