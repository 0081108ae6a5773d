package io.switchboard.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.ops.NodeMetrics;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A node's backlog is counted in the bytes that cross the wire: a frame of text outside ASCII
 * takes up to three bytes a character, and counted in characters it let three times
 * {@code limits.nodeBacklogBytes} pile up for a slow node.
 */
@ExtendWith(VertxExtension.class)
class FanoutTest {

  private static final int LIMIT = 10_000;
  /** 2 000 characters, 6 000 bytes in UTF-8. */
  private static final String EUROS = "{\"text\":\"" + "€".repeat(2_000) + "\"}";

  @Test
  void theBacklogIsCountedInUtf8Bytes(Vertx vertx) {
    // nothing is ever written to node n2: each write's count stays
    vertx.eventBus().addOutboundInterceptor(delivery -> { });
    NodeMetrics metrics = new NodeMetrics();
    Fanout fanout = new Fanout(vertx.eventBus(), "n1", new NodeRouter(), LIMIT, metrics);

    fanout.send(List.of("n2"), NodeRouter.Kind.MESSAGE, "lobby", 1, EUROS, "e");
    double backlog = metrics.meters().get("switchboard.node.backlog").gauge().value();
    assertTrue(backlog >= 6_000 && backlog < 7_000, "one frame's UTF-8 bytes and its headers: " + backlog);

    fanout.send(List.of("n2"), NodeRouter.Kind.MESSAGE, "lobby", 2, EUROS, "e");
    fanout.send(List.of("n2"), NodeRouter.Kind.MESSAGE, "lobby", 3, EUROS, "e");
    assertEquals(1, metrics.meters().get("switchboard.node.backlog.dropped").counter().count(),
        "the third frame finds 12 000 bytes unsent, past the limit of 10 000");
  }

  /**
   * A write to a node that fails (the connection closed; here: nobody consumes its address) is a
   * loss like a frame not sent: the node is owed a reading of the logs, told with a RESYNC once a
   * write gets through. Before, only frames dropped at the backlog limit were owed.
   */
  @Test
  void aFailedWriteIsOwedAResync(Vertx vertx) {
    NodeMetrics metrics = new NodeMetrics();
    Fanout fanout = new Fanout(vertx.eventBus(), "n1", new NodeRouter(), LIMIT, metrics);
    fanout.send(List.of("n2"), NodeRouter.Kind.MESSAGE, "lobby", 1, "{\"text\":\"lost\"}", "e");
    // the failed write (and the RESYNC that fails after it) have completed once nothing is unsent
    assertTrue(io.switchboard.support.Await.until(vertx,
        () -> metrics.meters().get("switchboard.node.backlog").gauge().value() == 0, 20, 250));
    List<String> kinds = new java.util.concurrent.CopyOnWriteArrayList<>();
    io.vertx.core.Promise<Void> resynced = io.vertx.core.Promise.promise();
    vertx.eventBus().<String>consumer(io.switchboard.Addresses.node("n2"), m -> {
      kinds.add(m.headers().get(Fanout.KIND));
      if (Fanout.RESYNC.equals(m.headers().get(Fanout.KIND))) {
        resynced.tryComplete();
      }
    });
    fanout.send(List.of("n2"), NodeRouter.Kind.MESSAGE, "lobby", 2, "{\"text\":\"through\"}", "e");
    io.switchboard.support.Await.of(resynced.future(), 5);
    assertTrue(kinds.contains("MESSAGE"), kinds.toString());
  }
}
