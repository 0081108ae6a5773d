package io.switchboard.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.switchboard.Addresses;
import io.switchboard.support.TestCluster;
import io.switchboard.support.Tokens;
import io.switchboard.support.WsClient;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A room's message lost on its way to a node (the event bus between two live nodes dropped it)
 * and nothing after it: no later frame shows the gap, so reconciliation's look at the room's log
 * does. Before, the node's members missed it until someone wrote again, if ever.
 */
@ExtendWith(VertxExtension.class)
class LostDeliveryTest {

  @Test
  void aQuietRoomsLastMessageLostOnTheWayToANodeArrivesWithinARound(Vertx vertx) {
    try (TestCluster cluster = TestCluster.start(2, Map.of("presence.reconcileInterval", 1_000))) {
      WsClient reader = WsClient.open(vertx, cluster.port(1), Tokens.user("reader"));
      reader.join("quiet");
      WsClient writer = WsClient.open(vertx, cluster.port(0), Tokens.user("writer"));
      writer.join("quiet");
      writer.publish("quiet", "before");
      reader.await(f -> "message".equals(f.getString("type")) && "before".equals(f.getString("text")));

      String toReader = Addresses.node(cluster.node(1).nodeId());
      AtomicInteger dropped = new AtomicInteger();
      cluster.node(0).vertx().eventBus().addOutboundInterceptor(ctx -> {
        // the clustered body is already encoded here: the node frame's headers say what it is
        var headers = ctx.message().headers();
        if (toReader.equals(ctx.message().address()) && "MESSAGE".equals(headers.get("k")) && "2".equals(headers.get("s"))
            && dropped.getAndIncrement() == 0) {
          return; // the one delivery the network ate
        }
        ctx.next();
      });
      writer.publish("quiet", "lost on the way");
      var got = reader.await(f -> "message".equals(f.getString("type")) && "lost on the way".equals(f.getString("text")));
      assertEquals(1, dropped.get(), "it was dropped once, and read from the log");
      assertEquals(2L, got.getLong("seq"));
      reader.close();
      writer.close();
    }
  }
}
