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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A member whose heap is past history.maxHeapPercent after a collection stores no new message
 * in the rooms it keeps: the sender is told {@code unavailable} (not stored), what was stored
 * before is still read, and once the heap is back under nine tenths of the share messages are
 * taken again.
 */
@ExtendWith(VertxExtension.class)
class LowMemorySocketTest {

  /** The node's own guard, fed by this JVM's collections: 1 %, which the test's 64 MB pass. */
  @Test
  void aCollectionThatLeavesTheHeapPastTheShareMakesTheNodeRefuseNewMessages(Vertx vertx) {
    try (TestCluster cluster = TestCluster.start(1, Map.of("history.maxHeapPercent", 1))) {
      MemoryGuard guard = (MemoryGuard) cluster.node(0).hazelcast().getUserContext().get(MemoryGuard.KEY);
      WsClient alice = WsClient.open(vertx, cluster.port(0), Tokens.user("alice"));
      alice.join("crowded");
      byte[] held = new byte[64 * 1024 * 1024]; // live through the collections: over 1 % of any test heap up to 6 GB
      long until = System.nanoTime() + 10_000_000_000L;
      while (!guard.isLow() && System.nanoTime() < until) {
        System.gc(); // its reading comes on a JMX thread, shortly after: polled
        Await.of(Future.<Void>future(p -> vertx.setTimer(50, t -> p.complete())));
      }
      assertTrue(guard.isLow(), "a collection's reading came through");

      JsonObject refused = alice.publish("crowded", "while short of memory");
      assertEquals("unavailable", refused.getString("code"), refused.encode());
      assertTrue(refused.getString("message").contains("short of memory"), refused.encode());
      assertEquals("pong", alice.request(new JsonObject().put("type", "ping")).getString("type"), "the connection lives");
      alice.close();
      java.lang.ref.Reference.reachabilityFence(held); // kept alive till here, not a check
    }
  }

  /** A guard the test feeds in place of the node's: the readings, not the JVM's collections, decide. */
  @Test
  void whatWasStoredBeforeIsStillReadAndMessagesAreTakenAgainOnceTheHeapIsBack(Vertx vertx) {
    try (TestCluster cluster = TestCluster.start(1, Map.of())) {
      MemoryGuard guard = MemoryGuard.unfed(90);
      cluster.node(0).hazelcast().getUserContext().put(MemoryGuard.KEY, guard);
      WsClient alice = WsClient.open(vertx, cluster.port(0), Tokens.user("alice"));
      alice.join("crowded");
      JsonObject stored = alice.publish("crowded", "before the collection");
      assertEquals("ack", stored.getString("type"), stored.encode());

      guard.observe(91, 100);
      JsonObject refused = alice.publish("crowded", "while short of memory");
      assertEquals("unavailable", refused.getString("code"), refused.encode());
      JsonObject history = alice.request(new JsonObject().put("type", "history").put("room", "crowded"));
      assertEquals(List.of("before the collection"), texts(history), history.encode());

      guard.observe(85, 100); // under the share, not yet under nine tenths of it: still refused
      assertEquals("unavailable", alice.publish("crowded", "at 85 %").getString("code"));
      guard.observe(80, 100);
      JsonObject again = alice.publish("crowded", "after the heap came back");
      assertEquals("ack", again.getString("type"), again.encode());
      assertEquals(stored.getLong("seq") + 1, again.getLong("seq"), "the refused ones took no seq");
      history = alice.request(new JsonObject().put("type", "history").put("room", "crowded"));
      assertEquals(List.of("before the collection", "after the heap came back"), texts(history), history.encode());
      alice.close();
    }
  }

  private static List<String> texts(JsonObject history) {
    return history.getJsonArray("messages").stream().map(m -> ((JsonObject) m).getString("text")).toList();
  }
}
