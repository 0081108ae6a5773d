package io.switchboard.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.support.Await;
import io.switchboard.support.TestCluster;
import io.switchboard.support.Tokens;
import io.switchboard.support.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code $metrics}: every node sends its metrics frame each second to the room's members. */
@ExtendWith(VertxExtension.class)
class MetricsRoomTest {

  @Test
  void anAdminInMetricsHearsEveryNodeEverySecond(Vertx vertx) {
    try (TestCluster cluster = TestCluster.start(2, Map.of())) {
      String admin = Tokens.of(new JsonObject().put("sub", "ops").put("roles", new JsonArray().add("admin"))
          .put("exp", Tokens.nowSeconds() + 600));
      WsClient ops = WsClient.open(vertx, cluster.port(0), admin);
      JsonObject joined = ops.join("$metrics");
      assertEquals("joined", joined.getString("type"));
      assertEquals(0, joined.getJsonArray("history").size(), "$metrics keeps no history");

      // each node reports every second; a node that just joined may start a few seconds late
      // (the cluster is still moving partitions to it), so wait for each rather than count frames
      JsonObject f = null;
      for (int i = 0; i < 2; i++) {
        String node = cluster.node(i).nodeId();
        f = Await.of(ops.next(m -> "metrics".equals(m.getString("type")) && node.equals(m.getString("node"))), 20);
      }
      // and go on reporting: a second frame from each (next() takes each frame once)
      for (int i = 0; i < 2; i++) {
        String node = cluster.node(i).nodeId();
        JsonObject again = Await.of(ops.next(m -> "metrics".equals(m.getString("type")) && node.equals(m.getString("node"))), 20);
        assertEquals(node, again.getString("node"));
      }
      // every second: four frames of one node in a row span three seconds, give or take a
      // loaded machine's late ticks (a node reporting every 10 s, or every 100 ms, is far off)
      String node0 = cluster.node(0).nodeId();
      List<java.time.Instant> times = new java.util.ArrayList<>();
      JsonObject ofNode0 = null;
      for (int i = 0; i < 4; i++) {
        ofNode0 = Await.of(ops.next(m -> "metrics".equals(m.getString("type")) && node0.equals(m.getString("node"))), 20);
        times.add(java.time.Instant.parse(ofNode0.getString("ts")));
      }
      // ops is in $metrics on node 0, and in no other room
      assertEquals(0, ofNode0.getInteger("rooms"), "$metrics is no room of the node's users (GET /api/rooms leaves it out)");
      long span = java.time.Duration.between(times.get(0), times.get(3)).toMillis();
      assertTrue(span >= 1_500 && span <= 6_000, "three intervals took " + span + " ms: " + times);
      // frames have gone out by now, and none of them was stored
      JsonObject rejoined = ops.join("$metrics");
      assertEquals(0, rejoined.getJsonArray("history").size(), "$metrics keeps no history: " + rejoined);
      assertEquals(0L, rejoined.getLong("seq"));
      JsonObject history = ops.request(new JsonObject().put("type", "history").put("room", "$metrics"));
      assertEquals(0, history.getJsonArray("messages").size(), "nothing to read back: " + history);
      assertTrue(f.getString("ts").endsWith("Z"));
      assertTrue(f.getValue("connections") instanceof Integer);
      assertTrue(f.getValue("rooms") instanceof Integer);
      assertEquals(2, f.getInteger("clusterMembers"));
      assertTrue(f.getValue("messagesIn") instanceof Number);
      assertTrue(f.getValue("messagesOut") instanceof Number);
      assertTrue(f.getLong("heapUsedBytes") > 0);
      assertTrue(f.getValue("cpu") instanceof Number);
      ops.close();
    }
  }

  @Test
  void withMetricsPublicAnyoneMayJoin(Vertx vertx) {
    try (TestCluster cluster = TestCluster.start(1, Map.of("metrics.public", true))) {
      WsClient anyone = WsClient.open(vertx, cluster.port(0), Tokens.user("curious"));
      assertEquals("joined", anyone.join("$metrics").getString("type"));
      assertEquals(cluster.node(0).nodeId(), anyone.awaitType("metrics").getString("node"));
      assertEquals("forbidden", anyone.join("$other").getString("code"), "other system rooms stay closed");
      anyone.close();
    }
  }
}
