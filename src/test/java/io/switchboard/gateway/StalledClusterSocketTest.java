package io.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.presence.UserDirectory;
import io.switchboard.support.Await;
import io.switchboard.support.TestCluster;
import io.switchboard.support.Tokens;
import io.switchboard.support.WsClient;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A cluster that does not answer a connect (here: the user's partition thread held by a stalled
 * operation) gets the socket closed with 1013 after the request timeout, not a socket left waiting
 * for its welcome; the count that arrives late is taken back.
 */
@ExtendWith(VertxExtension.class)
class StalledClusterSocketTest {

  @Test
  void aConnectTheClusterDoesNotCountIsRefusedWith1013AndUncountedLater(Vertx vertx) throws Exception {
    try (TestCluster cluster = TestCluster.start(1, Map.of())) {
      var node = cluster.node(0);
      // the user's partition held until the refusal came, however long a loaded machine takes
      java.util.concurrent.CompletableFuture<Void> release = new java.util.concurrent.CompletableFuture<>();
      var held = io.switchboard.support.PartitionThreadStall.holdUntil(node.hazelcast(),
          node.hazelcast().getPartitionService().getPartition("slowpoke").getPartitionId(), release, 20_000);
      held.started().get(10, TimeUnit.SECONDS);
      WsClient client = Await.of(WsClient.connect(vertx, cluster.port(0), Tokens.user("slowpoke")));

      WsClient.Close close = client.awaitClose();
      boolean stillHeld = !held.endedAt().isDone();
      release.complete(null);
      assertEquals(1013, close.code(), "try again later");
      assertTrue(stillHeld, "closed at the request timeout, before the cluster answered");
      assertTrue(client.frames().stream().noneMatch(f -> "welcome".equals(f.getString("type"))));

      Await.of(io.vertx.core.Future.fromCompletionStage(held.endedAt()), 15);
      UserDirectory users = new UserDirectory(node.vertx(), node.hazelcast());
      long deadline = System.currentTimeMillis() + 5_000;
      int count;
      do {
        count = Await.of(users.totals(Set.of("slowpoke"))).getOrDefault("slowpoke", 0);
        if (count != 0) {
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50)); // the disconnect is on its way
        }
      } while (count != 0 && System.currentTimeMillis() < deadline);
      assertEquals(0, count, "the connect counted after the refusal is taken back");
      assertEquals(0, node.services().connections().get(), "the node's connection count is back to 0");
    }
  }
}
