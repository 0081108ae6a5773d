package io.switchboard.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.support.Await;
import io.switchboard.support.TestCluster;
import io.switchboard.support.Tokens;
import io.switchboard.support.WsClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Three real Hazelcast members: one order per room across nodes (DESIGN property 1), history
 * equal to what was delivered, presence across nodes, and recovery on another node.
 */
@ExtendWith(VertxExtension.class)
class ClusterOrderTest {

  private static final int PER_PUBLISHER = 200;
  static TestCluster cluster;

  @BeforeAll
  static void start() {
    cluster = TestCluster.start(3, Map.of("limits.rate", 100_000, "limits.burst", 100_000));
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void concurrentPublishersOnThreeNodesGiveEveryReceiverOneContiguousOrder(Vertx vertx) {
    String room = "order";
    List<WsClient> receivers = new ArrayList<>();
    for (int n = 0; n < 3; n++) {
      for (int i = 0; i < 2; i++) {
        WsClient c = WsClient.open(vertx, cluster.port(n), Tokens.user("r" + n + "x" + i));
        c.join(room);
        receivers.add(c);
      }
    }
    List<WsClient> publishers = new ArrayList<>();
    for (int n = 0; n < 3; n++) {
      WsClient p = WsClient.open(vertx, cluster.port(n), Tokens.user("p" + n));
      p.join(room);
      publishers.add(p);
    }
    int total = 3 * PER_PUBLISHER;

    // every publisher sends all its frames at once; the nodes interleave them
    List<Future<JsonObject>> acks = new ArrayList<>();
    for (int n = 0; n < 3; n++) {
      WsClient p = publishers.get(n);
      for (int i = 0; i < PER_PUBLISHER; i++) {
        String id = "p" + n + "-" + i;
        acks.add(p.next(f -> id.equals(f.getValue("id"))));
        p.socket().writeTextMessage(new JsonObject().put("type", "publish").put("id", id).put("room", room)
            .put("text", id).encode());
      }
    }
    Await.of(Future.all(acks), 60);
    acks.forEach(a -> assertEquals("ack", a.result().getString("type"), a.result().encode()));

    List<WsClient> everyone = new ArrayList<>(receivers);
    everyone.addAll(publishers);
    for (WsClient c : everyone) {
      List<Long> seqs = awaitMessages(c, room, total);
      for (int i = 0; i < total; i++) {
        assertEquals(i + 1, seqs.get(i), "receiver sees seq 1..N in order, without gap or duplicate");
      }
    }

    // the history is exactly what was delivered
    List<JsonObject> delivered = messages(publishers.get(0), room);
    List<JsonObject> history = new ArrayList<>();
    long after = 0;
    boolean more = true;
    while (more) {
      JsonObject page = receivers.get(0).request(new JsonObject().put("type", "history").put("room", room)
          .put("after", after).put("limit", 100));
      JsonArray msgs = page.getJsonArray("messages");
      msgs.forEach(m -> history.add((JsonObject) m));
      after = history.get(history.size() - 1).getLong("seq");
      more = page.getBoolean("more");
    }
    assertEquals(delivered, history);
    everyone.forEach(WsClient::close);
  }

  @Test
  void presenceAndMembersAreClusterWide(Vertx vertx) {
    String room = "presence-x";
    WsClient a = WsClient.open(vertx, cluster.port(0), Tokens.user("pa"));
    WsClient b = WsClient.open(vertx, cluster.port(1), Tokens.user("pb"));
    WsClient b2 = WsClient.open(vertx, cluster.port(2), Tokens.user("pb"));
    a.join(room);
    JsonObject joined = b.join(room);
    assertEquals(2, joined.getInteger("count"));
    assertEquals(List.of("pa", "pb"), joined.getJsonArray("members").stream()
        .map(m -> ((JsonObject) m).getString("user")).collect(Collectors.toList()));
    JsonObject presence = a.awaitType("presence");
    assertEquals("join", presence.getString("event"));
    assertEquals("pb", presence.getString("user"));
    assertEquals("Pb", presence.getString("name"));

    // a second tab of pb on a third node: counted once, no second join event
    assertEquals(2, b2.join(room).getInteger("count"));
    // a leave answers once the cluster has it (a close's leave may be held back, or still on its way)
    b.request(new JsonObject().put("type", "leave").put("room", room));
    JsonObject members = a.request(new JsonObject().put("type", "members").put("room", room));
    assertEquals(2, members.getInteger("count"), "pb is still there through the other tab");
    b.close();
    b2.close();
    JsonObject left = a.awaitType("presence");
    assertEquals("leave", left.getString("event"), "only the last tab's leave is announced: " + left);
    assertEquals(1, left.getInteger("count"));
    // a second leave of pb would come from node 1 or 2: a join from each of them, seen after it,
    // is the barrier before counting
    WsClient c1 = WsClient.open(vertx, cluster.port(1), Tokens.user("pc"));
    WsClient c2 = WsClient.open(vertx, cluster.port(2), Tokens.user("pd"));
    c1.join(room);
    c2.join(room);
    a.await(f -> "presence".equals(f.getString("type")) && "pc".equals(f.getString("user")));
    a.await(f -> "presence".equals(f.getString("type")) && "pd".equals(f.getString("user")));
    assertEquals(List.of("join:pb", "join:pc", "join:pd", "leave:pb"), a.frames().stream()
        .filter(f -> "presence".equals(f.getString("type")))
        .map(f -> f.getString("event") + ":" + f.getString("user")).sorted().collect(Collectors.toList()));
    List.of(a, c1, c2).forEach(WsClient::close);
  }

  @Test
  void reconnectingToAnotherNodeWithSinceRecoversExactlyWhatWasMissed(Vertx vertx) {
    String room = "recover";
    WsClient writer = WsClient.open(vertx, cluster.port(1), Tokens.user("writer"));
    writer.join(room);
    WsClient reader = WsClient.open(vertx, cluster.port(0), Tokens.user("reader"));
    JsonObject joined = reader.join(room);
    String epoch = joined.getString("epoch");
    for (int i = 1; i <= 5; i++) {
      writer.publish(room, "before " + i);
    }
    List<Long> seen = awaitMessages(reader, room, 5);
    long lastSeen = seen.get(seen.size() - 1);
    reader.close();

    for (int i = 1; i <= 7; i++) {
      writer.publish(room, "missed " + i);
    }
    WsClient back = WsClient.open(vertx, cluster.port(2), Tokens.user("reader"));
    JsonObject rejoined = back.request(new JsonObject().put("type", "join").put("room", room)
        .put("since", new JsonObject().put("seq", lastSeen).put("epoch", epoch)));
    assertTrue(rejoined.getBoolean("recovered"));
    List<String> recovered = rejoined.getJsonArray("history").stream()
        .map(m -> ((JsonObject) m).getString("text")).collect(Collectors.toList());
    assertEquals(List.of("missed 1", "missed 2", "missed 3", "missed 4", "missed 5", "missed 6", "missed 7"), recovered);
    long recoveredUpTo = rejoined.getLong("seq");

    for (int i = 1; i <= 3; i++) {
      writer.publish(room, "live " + i);
    }
    List<Long> live = awaitMessages(back, room, 3);
    assertEquals(List.of(recoveredUpTo + 1, recoveredUpTo + 2, recoveredUpTo + 3), live, "no gap, no duplicate");
    writer.close();
    back.close();
  }

  @Test
  void aNodeReceivesARoomsMessagesOnlyWhileItHasMembersInIt(Vertx vertx) {
    List<String> arrivedAtNode2 = java.util.Collections.synchronizedList(new ArrayList<>());
    io.vertx.core.Handler<io.vertx.core.eventbus.DeliveryContext<Object>> watch = ctx -> {
      if (ctx.message().address().equals(io.switchboard.Addresses.node(cluster.node(2).nodeId()))
          && "MESSAGE".equals(ctx.message().headers().get("k"))) {
        arrivedAtNode2.add(ctx.message().headers().get("r"));
      }
      ctx.next();
    };
    cluster.node(2).vertx().eventBus().addInboundInterceptor(watch);
    try {
      watchRoomsOnNode2(vertx, arrivedAtNode2);
    } finally { // the cluster serves the class's other tests
      cluster.node(2).vertx().eventBus().removeInboundInterceptor(watch);
    }
  }

  private void watchRoomsOnNode2(Vertx vertx, List<String> arrivedAtNode2) {
    WsClient a = WsClient.open(vertx, cluster.port(0), Tokens.user("fan-a"));
    WsClient c = WsClient.open(vertx, cluster.port(2), Tokens.user("fan-c"));
    a.join("quiet");
    a.publish("quiet", "node 2 has nobody here");
    c.join("busy");
    a.join("busy");
    a.publish("busy", "node 2 has a member here");
    c.awaitMessages("busy", 1);
    assertEquals(List.of("busy"), List.copyOf(arrivedAtNode2), "only the room with a member on node 2");

    c.join("quiet");
    a.publish("quiet", "now it has one");
    assertEquals("now it has one", c.awaitMessages("quiet", 1).get(0).getString("text"));
    c.request(new JsonObject().put("type", "leave").put("room", "quiet"));
    int before = arrivedAtNode2.size();
    a.publish("quiet", "and now it has none again");
    a.publish("busy", "a marker that node 2 still gets");
    c.awaitMessages("busy", 2);
    assertEquals(List.of("busy"), List.copyOf(arrivedAtNode2.subList(before, arrivedAtNode2.size())),
        "after the leave, no 'quiet' message travels to node 2");
    a.close();
    c.close();
  }

  /** The seqs of the first {@code count} messages of the room that {@code c} received, in arrival order. */
  static List<Long> awaitMessages(WsClient c, String room, int count) {
    return c.awaitMessages(room, count).stream().map(m -> m.getLong("seq")).collect(Collectors.toList());
  }

  static List<JsonObject> messages(WsClient c, String room) {
    return c.frames().stream()
        .filter(f -> "message".equals(f.getString("type")) && room.equals(f.getString("room")))
        .collect(Collectors.toList());
  }
}
