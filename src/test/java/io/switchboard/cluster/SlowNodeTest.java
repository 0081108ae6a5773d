package io.switchboard.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.support.Await;
import io.switchboard.support.TestCluster;
import io.switchboard.support.Tokens;
import io.switchboard.support.WsClient;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * "No unbounded buffers" (DESIGN property 4) between nodes: a node that stops reading (here
 * every event loop of it held, as a long pause would) holds at most
 * {@code limits.nodeBacklogBytes} of the sending node's memory; the messages not sent to it are
 * read from the room's log once it reads again (it is told it missed some), so its members still
 * get every message, in order.
 */
@ExtendWith(VertxExtension.class)
class SlowNodeTest {

  private static final int BACKLOG = 1 << 20;
  private static final int MESSAGES = 200;
  private TestCluster cluster;

  @AfterEach
  void stop() {
    if (cluster != null) { // null when its start failed: the failure is the test's
      cluster.close();
    }
  }

  @Test
  void aNodeThatStopsReadingHoldsBoundedBytesOfAnotherAndItsMembersStillGetEveryMessage(Vertx vertx) {
    cluster = TestCluster.start(2, Map.of("limits.nodeBacklogBytes", BACKLOG, "limits.maxTextChars", 60_000,
        "limits.rate", 100_000, "limits.burst", 100_000, "presence.reconcileInterval", 3_600_000,
        // bob's socket takes several MB at once when node 1 reads again: this test is not about him
        "limits.outboundBytes", 16 << 20));
    String room = "far";
    WsClient alice = WsClient.open(vertx, cluster.port(0), Tokens.user("alice"));
    alice.join(room);
    WsClient bob = WsClient.open(vertx, cluster.port(1), Tokens.user("bob"));
    bob.join(room);

    // node 1 is held until node 0 has sent everything: a fixed hold had to outlast publishing on a slow machine
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    List<Future<Void>> held = holdEventLoops(cluster.node(1).vertx(), release);
    try {
      publishWhileHeld(alice, room, held);
    } finally {
      release.countDown();
    }

    // node 1 reads again and is told it missed some: bob gets everything in order, with no
    // later message to show the gap, nor a reconciliation round (an hour away here)
    Await.of(Future.all(held.stream().map(h -> (Future<?>) h).toList()), 20);
    List<JsonObject> got = bob.awaitMessages(room, MESSAGES);
    for (int i = 0; i < got.size(); i++) {
      assertEquals(i + 1, got.get(i).getLong("seq"), "bob's message " + i);
    }
  }

  /** About 10 MB for node 1: more than the loopback socket's buffers and the backlog together. */
  private void publishWhileHeld(WsClient alice, String room, List<Future<Void>> held) {
    String text = "x".repeat(50_000);
    List<Future<JsonObject>> acks = new ArrayList<>();
    for (int i = 0; i < MESSAGES; i++) {
      String id = "m" + i;
      acks.add(alice.next(f -> id.equals(f.getValue("id"))));
      alice.send(new JsonObject().put("type", "publish").put("id", id).put("room", room).put("text", text).encode());
    }
    Await.of(Future.all(acks.stream().map(a -> (Future<?>) a).toList()), 30);
    acks.forEach(a -> assertEquals("ack", a.result().getString("type"), a.result().encode()));

    var meters = cluster.node(0).services().metrics().meters();
    double backlog = meters.get("switchboard.node.backlog").gauge().value();
    assertTrue(backlog <= BACKLOG + 60_000, "node 0 holds " + backlog + " bytes for node 1");
    assertTrue(meters.get("switchboard.node.backlog.dropped").counter().count() > 0, "some were not sent");
    assertTrue(held.stream().noneMatch(Future::isComplete), "node 1 was still held while node 0 sent all: "
        + "publishing took longer than the hold's 60 s cap");
  }

  /** Holds every event loop of {@code vertx} until {@code release} (60 s at most); each future completes when its loop is let go. */
  private static List<Future<Void>> holdEventLoops(Vertx vertx, java.util.concurrent.CountDownLatch release) {
    List<Future<Void>> let = new ArrayList<>();
    List<Promise<Void>> started = new ArrayList<>();
    for (io.netty.util.concurrent.EventExecutor loop : ((io.vertx.core.internal.VertxInternal) vertx).nettyEventLoopGroup()) {
      Promise<Void> go = Promise.promise();
      Promise<Void> on = Promise.promise();
      loop.execute(() -> {
        on.complete();
        try {
          release.await(60, TimeUnit.SECONDS); // the pause itself, not a wait in the test
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        go.complete();
      });
      started.add(on);
      let.add(go.future());
    }
    Await.of(Future.all(started.stream().map(p -> (Future<?>) p.future()).toList()), 10);
    return let;
  }
}
