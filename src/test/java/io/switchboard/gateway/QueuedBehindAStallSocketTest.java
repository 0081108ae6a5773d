package io.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.room.RoomStore;
import io.switchboard.support.Await;
import io.switchboard.support.PartitionStall;
import io.switchboard.support.TestCluster;
import io.switchboard.support.Tokens;
import io.switchboard.support.WsClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A connection's frames run one after the other, so a publish that waits out a stalled
 * partition holds back the frames read after it. Those frames are judged as of when they were
 * read: a client that kept to its rate is not refused (and then closed for abuse) when they all
 * run at once, and its ping is answered at once, not taken for a dead link.
 */
@ExtendWith(VertxExtension.class)
class QueuedBehindAStallSocketTest {

  private static final int PUBLISHES = 8;

  @Test
  void framesQueuedBehindAStalledPublishAreJudgedAsReadAndPingsAreAnsweredAtOnce(Vertx vertx) {
    // five a second, a burst of five: eight at four a second keep to it, but not all at once
    try (TestCluster cluster = TestCluster.start(1, Map.of("limits.rate", 5, "limits.burst", 5))) {
      WsClient c = WsClient.open(vertx, cluster.port(0), Tokens.user("steady"));
      c.join("stalled");
      // the room's partition is held for 2 s: the first publish waits behind it, the rest behind that one
      cluster.node(0).hazelcast().<String, Object>getMap(RoomStore.MAP_NAME).submitToKey("stalled", new PartitionStall(2_000));
      Future<List<JsonObject>> answers = c.collect(f -> f.getValue("id") instanceof Integer n && n <= PUBLISHES, PUBLISHES);
      Future<JsonObject> pong = null;
      for (int i = 1; i <= PUBLISHES; i++) {
        c.send(new JsonObject().put("type", "publish").put("id", i).put("room", "stalled").put("text", "m" + i).encode());
        if (i == 3) {
          pong = c.next(f -> "pong".equals(f.getString("type")));
          c.send(new JsonObject().put("type", "ping").put("id", "p").encode());
        }
        Await.of(vertx.timer(250)); // the client's own pace: four a second
      }
      Await.of(pong);
      for (JsonObject answer : Await.of(answers, 30)) {
        assertEquals("ack", answer.getString("type"), "kept to its rate: " + answer.encode());
      }
      List<String> types = c.frames().stream().map(f -> f.getString("type")).toList();
      assertTrue(types.indexOf("pong") < types.indexOf("ack"), "the pong came while the publishes still waited: " + types);
      assertTrue(!c.closed().isComplete(), "not closed for abuse");
      c.close();
    }
  }

  /** A refresh sent in time is answered in time: the session closes 1008 at expiry whatever waits before it. */
  @Test
  void aRefreshSentBehindAStalledPublishIsAnsweredAtOnce(Vertx vertx) {
    try (TestCluster cluster = TestCluster.start(1, Map.of())) {
      WsClient c = WsClient.open(vertx, cluster.port(0), Tokens.user("steady"));
      c.join("stalled");
      // the room's partition held until the refresh is answered: at most 2 s (the store's window is 2.5 s)
      var release = new java.util.concurrent.CompletableFuture<Void>();
      var held = hold(cluster, "stalled", release);
      Future<JsonObject> ack = c.next(f -> "ack".equals(f.getString("type")));
      Future<JsonObject> refreshed = c.next(f -> "refreshed".equals(f.getString("type")));
      c.send(new JsonObject().put("type", "publish").put("id", 1).put("room", "stalled").put("text", "waits").encode());
      c.send(new JsonObject().put("type", "refresh").put("id", 2).put("token", Tokens.user("steady")).encode());
      Await.of(refreshed);
      boolean waiting = !held.endedAt().isDone();
      release.complete(null);
      assertTrue(waiting && !ack.isComplete(), "the refresh was answered while the publish still waited");
      assertEquals("ack", Await.of(ack, 10).getString("type"));
      c.close();
    }
  }

  /** A join on its way when a refresh takes its room away ends first, and is then left. */
  @Test
  void aRoomARefreshTakesAwayWhileItsJoinWaitsIsLeftOnceTheJoinIsDone(Vertx vertx) {
    try (TestCluster cluster = TestCluster.start(1, Map.of())) {
      JsonObject both = new JsonObject().put("sub", "narrowed").put("exp", Tokens.nowSeconds() + 3600)
          .put("rooms", new io.vertx.core.json.JsonArray().add("kept").add("lost"));
      WsClient c = WsClient.open(vertx, cluster.port(0), Tokens.of(both));
      c.join("kept");
      var release = new java.util.concurrent.CompletableFuture<Void>();
      hold(cluster, "lost", release);
      Future<JsonObject> joined = c.next(f -> "joined".equals(f.getString("type")) && "lost".equals(f.getString("room")));
      Future<JsonObject> left = c.next(f -> "left".equals(f.getString("type")) && "lost".equals(f.getString("room")));
      c.send(new JsonObject().put("type", "join").put("id", "j").put("room", "lost").encode());
      JsonObject refreshed = c.request(new JsonObject().put("type", "refresh").put("id", "r")
          .put("token", Tokens.of(both.copy().put("rooms", new io.vertx.core.json.JsonArray().add("kept")))));
      assertEquals("refreshed", refreshed.getString("type"), refreshed.encode());
      release.complete(null);
      Await.of(joined, 10);
      Await.of(left, 10);
      List<String> order = c.frames().stream().filter(f -> "lost".equals(f.getString("room")))
          .map(f -> f.getString("type")).toList();
      assertEquals(List.of("joined", "left"), order, "the join's answer, then the leave");

      WsClient watcher = WsClient.open(vertx, cluster.port(0), Tokens.user("watcher"));
      watcher.join("lost");
      assertEquals("ack", watcher.publish("lost", "not for you").getString("type"));
      assertEquals("ack", c.publish("kept", "still here").getString("type"));
      assertTrue(c.frames().stream().noneMatch(f -> "not for you".equals(f.getString("text"))), "read a room it lost");
      c.close();
      watcher.close();
    }
  }

  /** Holds {@code room}'s partition thread until {@code release}, 2 s at most (an append's window is 2.5 s). */
  private static io.switchboard.support.PartitionThreadStall.Held hold(TestCluster cluster, String room,
                                                                        java.util.concurrent.CompletableFuture<Void> release) {
    var hz = cluster.node(0).hazelcast();
    var held = io.switchboard.support.PartitionThreadStall.holdUntil(hz, hz.getPartitionService().getPartition(room)
        .getPartitionId(), release, 2_000);
    Await.of(Future.fromCompletionStage(held.started()));
    return held;
  }
}
