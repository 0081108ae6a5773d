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
}
