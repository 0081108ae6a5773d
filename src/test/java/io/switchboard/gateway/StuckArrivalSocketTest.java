package io.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.switchboard.auth.Identity;
import io.switchboard.ops.Clocks;
import io.switchboard.ops.NodeMetrics;
import io.switchboard.presence.UserDirectory;
import io.switchboard.room.NodeRouter;
import io.switchboard.support.Await;
import io.switchboard.support.RawWebSocket;
import io.switchboard.support.TestCluster;
import io.switchboard.support.Tokens;
import io.switchboard.support.WsClient;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.junit5.VertxExtension;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A connection on its way to its welcome is never left waiting for good: one whose open fails is
 * closed with 1011 at once, and one still at a step after {@link Admission#STUCK_MS} is closed
 * with 1011 by the gateway's sweep ({@link Admission#closeStuck}). Each on an admission of its
 * own, served by a server of the test's, over a real node's token check and cluster count.
 */
@ExtendWith(VertxExtension.class)
class StuckArrivalSocketTest {

  private TestCluster cluster;
  private Context context;
  private HttpServer server;

  @BeforeEach
  void start() {
    cluster = TestCluster.start(1, Map.of());
    context = cluster.node(0).vertx().getOrCreateContext();
  }

  @AfterEach
  void stop() {
    if (server != null) {
      Await.of(server.close());
    }
    cluster.close();
  }

  @Test
  void aConnectionWhoseOpenFailsIsClosedWith1011AtOnce(Vertx vertx) {
    Admission admission = admission((ws, identity) -> {
      throw new IllegalStateException("an open that fails halfway (a test's)");
    });
    WsClient client = Await.of(WsClient.connect(vertx, server.actualPort(), Tokens.user("unlucky")));

    assertEquals(1011, client.awaitClose().code());
    assertEquals(0, on(admission::arriving));
    awaitCountsBack("unlucky");
  }

  @Test
  void aConnectionStillAtAStepPastTheLimitIsClosedWith1011(Vertx vertx) throws Exception {
    var node = cluster.node(0);
    // the user's count waits behind a stalled partition: within the count's deadline, the sweep's
    // clock is moved on past the limit instead of waited for
    // held until the sweep has closed it (at most 4 s: the count's own deadline is 5 s)
    var release = new java.util.concurrent.CompletableFuture<Void>();
    var held = io.switchboard.support.PartitionThreadStall.holdUntil(node.hazelcast(),
        node.hazelcast().getPartitionService().getPartition("stuck").getPartitionId(), release, 4_000);
    held.started().get(10, java.util.concurrent.TimeUnit.SECONDS);
    java.util.concurrent.atomic.AtomicBoolean opened = new java.util.concurrent.atomic.AtomicBoolean();
    Admission admission = admission((ws, identity) -> opened.set(true));
    long before = Clocks.monotonicMillis();
    // a client that never answers the close: its socket is still open when the count comes
    RawWebSocket client = RawWebSocket.open(server.actualPort(), Tokens.user("stuck"));
    long after = Clocks.monotonicMillis();
    assertEquals(1, on(admission::arriving), "on its way");

    on(() -> {
      admission.closeStuck(before + Admission.STUCK_MS - 1);
      return null;
    });
    assertEquals(1, on(admission::arriving), "not stuck yet");
    on(() -> {
      admission.closeStuck(after + Admission.STUCK_MS);
      return null;
    });
    assertEquals(1011, client.awaitCloseCode());
    assertEquals(0, on(admission::arriving));
    release.complete(null);

    // the count that comes later does not open what the sweep closed, and is given back
    Await.of(Future.fromCompletionStage(held.endedAt()), 15);
    awaitCountsBack("stuck");
    assertEquals(false, opened.get(), "not opened after all");
    client.close();
  }

  /** The node's count of connections, and the cluster's of the user's, are back to 0. */
  private void awaitCountsBack(String user) {
    var node = cluster.node(0);
    UserDirectory users = new UserDirectory(node.vertx(), node.hazelcast());
    long deadline = System.currentTimeMillis() + 5_000;
    int count;
    do {
      count = node.services().connections().get() + Await.of(users.totals(java.util.Set.of(user))).getOrDefault(user, 0);
      if (count != 0) {
        java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L); // the counts' answers are on their way
      }
    } while (count != 0 && System.currentTimeMillis() < deadline);
    assertEquals(0, node.services().connections().get(), "the node's connection count is back to 0");
    assertEquals(0, Await.of(users.totals(java.util.Set.of(user))).getOrDefault(user, 0), "the cluster's count of " + user);
  }

  /** An admission on the node's loop with {@code open}, and a server of the test's in front of it. */
  private Admission admission(BiConsumer<ServerWebSocket, Identity> open) {
    var node = cluster.node(0);
    Admission admission = on(() -> new Admission(node.vertx(), node.services(),
        new RoomStreams(node.vertx(), context, new NodeRouter(), null, new NodeMetrics()), () -> false, open));
    server = Await.of(on(() -> node.vertx().createHttpServer()
        .webSocketHandshakeHandler(admission::handshake).listen(0, "127.0.0.1")));
    return admission;
  }

  /** Runs {@code task} on the admission's loop and waits for its result. */
  private <T> T on(Callable<T> task) {
    Promise<T> result = Promise.promise();
    context.runOnContext(v -> {
      try {
        result.complete(task.call());
      } catch (Exception e) {
        result.fail(e);
      }
    });
    return Await.of(result.future());
  }
}
