package io.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.ops.MemoryGuard;
import io.switchboard.support.Await;
import io.switchboard.support.TestCluster;
import io.switchboard.support.Tokens;
import io.switchboard.support.WsClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A member whose heap is past history.maxHeapPercent after a collection stores no new message
 * in the rooms it keeps: the sender is told {@code unavailable} (not stored), and what was stored
 * before is still read. Here the share is 1 %, which the test's 64 MB pass.
 */
@ExtendWith(VertxExtension.class)
class LowMemorySocketTest {

  @Test
  void aNodeShortOfHeapRefusesNewMessagesAsUnavailableAndStillServesHistory(Vertx vertx) {
    try (TestCluster cluster = TestCluster.start(1, Map.of("history.maxHeapPercent", 1))) {
      MemoryGuard guard = (MemoryGuard) cluster.node(0).hazelcast().getUserContext().get(MemoryGuard.KEY);
      WsClient alice = WsClient.open(vertx, cluster.port(0), Tokens.user("alice"));
      alice.join("crowded");
      byte[] held = new byte[64 * 1024 * 1024]; // live through the collections: over 1 % of any test heap up to 6 GB
      boolean before = guard.isLow();
      JsonObject stored = alice.publish("crowded", "before the collection");
      assertEquals(before ? "error" : "ack", stored.getString("type"), stored.encode());
      long until = System.nanoTime() + 10_000_000_000L;
      while (!guard.isLow() && System.nanoTime() < until) {
        System.gc(); // its reading comes on a JMX thread, shortly after: polled
        Await.of(Future.<Void>future(p -> vertx.setTimer(50, t -> p.complete())));
      }
      assertTrue(guard.isLow(), "a collection's reading came through");

      JsonObject refused = alice.publish("crowded", "while short of memory");
      assertEquals("unavailable", refused.getString("code"), refused.encode());
      assertTrue(refused.getString("message").contains("short of memory"), refused.encode());
      JsonObject history = alice.request(new JsonObject().put("type", "history").put("room", "crowded"));
      assertEquals(before ? 0 : 1, history.getJsonArray("messages").size(), history.encode());
      assertEquals("pong", alice.request(new JsonObject().put("type", "ping")).getString("type"), "the connection lives");
      alice.close();
      assertEquals(64 * 1024 * 1024, held.length);
    }
  }
}
