package io.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.support.TestCluster;
import io.switchboard.support.Tokens;
import io.switchboard.support.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** When the cluster cannot store a message: {@code unavailable}, nothing delivered, the socket lives on. */
@ExtendWith(VertxExtension.class)
class UnavailableSocketTest {

  private TestCluster cluster;

  @AfterEach
  void stop() {
    if (cluster != null) { // null when its start failed: the failure is the test's
      cluster.close();
    }
  }

  @Test
  void aPublishTheClusterCannotStoreIsRefusedAndNotDelivered(Vertx vertx) {
    cluster = TestCluster.start(1, Map.of());
    WsClient alice = WsClient.open(vertx, cluster.port(0), Tokens.user("alice"));
    alice.join("down");
    cluster.node(0).hazelcast().getLifecycleService().terminate();

    JsonObject error = alice.request(new JsonObject().put("type", "publish").put("id", "p1").put("room", "down")
        .put("text", "lost?"));
    assertEquals("error", error.getString("type"));
    assertEquals("unavailable", error.getString("code"));
    assertEquals("p1", error.getString("id"));
    JsonObject pong = alice.request(new JsonObject().put("type", "ping"));
    assertEquals("pong", pong.getString("type"), "the connection stays usable");
    assertEquals(0, alice.frames().stream().filter(f -> "message".equals(f.getString("type"))).count());
    alice.close();
  }

  /**
   * A publish the cluster does not answer within the request timeout (the room's partition
   * thread held by a stuck operation) is refused with unavailable, and PROTOCOL.md says that
   * means "not stored": the operation, still queued, must not store it once the partition frees,
   * or a client that retries, as told, stores it twice. Its owner refuses it past its deadline.
   */
  @Test
  void aPublishThatTimesOutIsNotStoredWhenThePartitionFrees(Vertx vertx) {
    cluster = TestCluster.start(1, Map.of());
    WsClient alice = WsClient.open(vertx, cluster.port(0), Tokens.user("alice"));
    alice.join("stuck");
    var stall = cluster.node(0).hazelcast().<String, Object>getMap(io.switchboard.room.RoomStore.MAP_NAME)
        .submitToKey("stuck", new io.switchboard.support.PartitionStall(6_500));

    // the HTTP API's publish waits on the same partition
    java.util.concurrent.CompletableFuture<java.net.http.HttpResponse<String>> api = java.net.http.HttpClient.newHttpClient()
        .sendAsync(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                "http://127.0.0.1:" + cluster.port(0) + "/api/rooms/stuck/messages"))
            .header("Authorization", "Bearer " + Tokens.of(new JsonObject().put("sub", "deploy-bot")
                .put("roles", new io.vertx.core.json.JsonArray().add("publisher"))))
            .header("Content-Type", "application/json")
            .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"from\":\"deploy-bot\",\"text\":\"late by api\"}")).build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
    JsonObject error = alice.request(new JsonObject().put("type", "publish").put("id", "p1").put("room", "stuck")
        .put("text", "late"));
    assertEquals("unavailable", error.getString("code"), error.encode());
    assertTrue(error.getString("message").contains("nothing was stored"), error.getString("message"));
    java.net.http.HttpResponse<String> refused = api.join();
    assertEquals(503, refused.statusCode(), refused.body());
    assertTrue(new JsonObject(refused.body()).getString("message").contains("nothing was stored"), refused.body());
    io.switchboard.support.Await.of(io.vertx.core.Future.fromCompletionStage(stall), 15);
    // the refused appends waited in the partition's queue ahead of this one
    JsonObject ack = alice.request(new JsonObject().put("type", "publish").put("id", "p2").put("room", "stuck")
        .put("text", "after"));
    assertEquals(1L, ack.getLong("seq"), "neither late message was stored: " + ack.encode());
    JsonObject history = alice.request(new JsonObject().put("type", "history").put("id", "h").put("room", "stuck"));
    assertEquals(java.util.List.of("after"), history.getJsonArray("messages").stream()
        .map(m -> ((JsonObject) m).getString("text")).toList());
    alice.close();
  }

  /**
   * A join the cluster applies only after the node answered unavailable (the room's partition
   * held past the deadline) is undone: the connection is not in the room, so the user must not
   * stay listed and counted there. Before, bob saw alice join and never leave.
   */
  @Test
  void aJoinAppliedAfterItsDeadlineIsUndone(Vertx vertx) {
    cluster = TestCluster.start(1, Map.of("presence.reconcileInterval", 3_600_000));
    WsClient bob = WsClient.open(vertx, cluster.port(0), Tokens.user("bob"));
    bob.join("late-join");
    WsClient alice = WsClient.open(vertx, cluster.port(0), Tokens.user("alice"));
    var stall = cluster.node(0).hazelcast().<String, Object>getMap(io.switchboard.room.RoomStore.MAP_NAME)
        .submitToKey("late-join", new io.switchboard.support.PartitionStall(6_500));
    JsonObject error = alice.request(new JsonObject().put("type", "join").put("id", "j1").put("room", "late-join"));
    assertEquals("unavailable", error.getString("code"), error.encode());
    io.switchboard.support.Await.of(io.vertx.core.Future.fromCompletionStage(stall), 15);

    bob.await(f -> "presence".equals(f.getString("type")) && "join".equals(f.getString("event"))
        && "alice".equals(f.getString("user")));
    JsonObject left = bob.await(f -> "presence".equals(f.getString("type")) && "leave".equals(f.getString("event"))
        && "alice".equals(f.getString("user")));
    assertEquals(1, left.getInteger("count"), left.encode());
    JsonObject members = bob.request(new JsonObject().put("type", "members").put("id", "m").put("room", "late-join"));
    assertEquals(1, members.getInteger("count"), members.encode());
    alice.close();
    bob.close();
  }

  /**
   * A connection that closes while its join waits on a stalled partition leaves the room through
   * that join's own outcome, once: its clean-up sends no leave for it. The same user's new tab,
   * which joins meanwhile, stays in the room. Before, the clean-up's leave and the undo of the
   * late join both counted the user out, and the room announced the new tab's user as gone.
   */
  @Test
  void aConnectionClosedWhileItsJoinWaitsLeavesTheRoomOnce(Vertx vertx) {
    cluster = TestCluster.start(1, Map.of("presence.reconcileInterval", 3_600_000));
    var hz = cluster.node(0).hazelcast();
    String room = "tabs";
    // the user's count must not wait behind the room's thread
    String user = io.switchboard.support.PartitionThreadStall.keyOffThreadOf(hz, room, "tab");
    WsClient bob = WsClient.open(vertx, cluster.port(0), Tokens.user("bob"));
    bob.join(room);
    var stall = hz.<String, Object>getMap(io.switchboard.room.RoomStore.MAP_NAME)
        .submitToKey(room, new io.switchboard.support.PartitionStall(6_500));
    WsClient first = WsClient.open(vertx, cluster.port(0), Tokens.user(user));
    first.send(new JsonObject().put("type", "join").put("id", "j1").put("room", room).encode()); // times out at 5 s
    first.close();
    // the second tab's join waits behind the stall too, and comes in time: the stall ends at 6.5 s,
    // its 5 s deadline at 2.5 + 5 s (at 1.5 s the two were equal, and any overshoot failed it)
    io.switchboard.support.Await.of(vertx.timer(2_500));
    WsClient second = WsClient.open(vertx, cluster.port(0), Tokens.user(user));
    JsonObject joined = second.request(new JsonObject().put("type", "join").put("id", "j2").put("room", room));
    assertEquals("joined", joined.getString("type"), joined.encode());
    io.switchboard.support.Await.of(io.vertx.core.Future.fromCompletionStage(stall), 15);

    second.request(new JsonObject().put("type", "leave").put("id", "l2").put("room", room));
    bob.await(f -> "presence".equals(f.getString("type")) && "leave".equals(f.getString("event"))
        && user.equals(f.getString("user")));
    bob.request(new JsonObject().put("type", "members").put("id", "m").put("room", room));
    List<String> events = bob.frames().stream()
        .filter(f -> "presence".equals(f.getString("type")) && user.equals(f.getString("user")))
        .map(f -> f.getString("event")).toList();
    assertEquals(List.of("join", "leave"), events, "one join, and one leave when the second tab left");
    second.close();
    bob.close();
  }
  /**
   * A private message stored at once while the look-up of its users' nodes waits (the
   * recipient's partition held): answered ack, not unavailable. Before, the look-up held the
   * answer past the 5 s deadline, the sender was told "nothing was stored" of a stored message,
   * and sending it again, as told, stored it twice.
   */
  @Test
  void aPrivateMessageStoredWhileItsLookUpWaitsIsAcknowledged(Vertx vertx) {
    cluster = TestCluster.start(1, Map.of());
    var hz = cluster.node(0).hazelcast();
    // the sender's and the conversation's partitions must not share the held thread
    java.util.function.ToIntFunction<String> thread = key -> io.switchboard.support.PartitionThreadStall.threadOf(hz, key);
    String to = java.util.stream.IntStream.range(0, 200).mapToObj(i -> "bob" + i)
        .filter(u -> thread.applyAsInt(u) != thread.applyAsInt("alice")
            && thread.applyAsInt(u) != thread.applyAsInt(io.switchboard.protocol.Names.conversation("alice", u)))
        .findFirst().orElseThrow();
    WsClient alice = WsClient.open(vertx, cluster.port(0), Tokens.user("alice"));
    var stall = hz.<String, Object>getMap(io.switchboard.presence.UserDirectory.MAP_NAME)
        .submitToKey(to, new io.switchboard.support.PartitionStall(6_500));

    JsonObject ack = alice.request(new JsonObject().put("type", "private").put("id", "d1").put("to", to)
        .put("text", "stored at once"));
    assertEquals("ack", ack.getString("type"), ack.encode());
    assertEquals(false, ack.getBoolean("online"), "not located in time: only what is sure");
    alice.await(f -> "private".equals(f.getString("type")) && "stored at once".equals(f.getString("text")));
    io.switchboard.support.Await.of(io.vertx.core.Future.fromCompletionStage(stall), 15);
    JsonObject history = alice.request(new JsonObject().put("type", "history")
        .put("room", io.switchboard.protocol.Names.conversation("alice", to)).put("limit", 10));
    assertEquals(1, history.getJsonArray("messages").size(), history.encode());
    alice.close();
  }
}
