package io.switchboard.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.switchboard.Addresses;
import io.switchboard.support.TestCluster;
import io.switchboard.support.Tokens;
import io.switchboard.support.WsClient;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.core.json.JsonObject;
import java.util.List;
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

      AtomicInteger dropped = dropOnce(cluster, "MESSAGE", 2);
      writer.publish("quiet", "lost on the way");
      // rounds are a second apart: within a few of them, not the default wait of 15
      var got = io.switchboard.support.Await.of(
          reader.next(f -> "message".equals(f.getString("type")) && "lost on the way".equals(f.getString("text"))), 5);
      assertEquals(1, dropped.get(), "it was dropped once, and read from the log");
      assertEquals(2L, got.getLong("seq"));
      reader.close();
      writer.close();
    }
  }

  /**
   * A private message lost on its way to the receiver's node, in a conversation that had no
   * stream there yet: no gap showed, and the stream that the next message started began after
   * it, so the receiver never had it live. Now the new stream looks back for what was stored
   * while its users were here, and delivers it first.
   */
  @Test
  void aPrivateMessageLostBeforeItsConversationHadAStreamComesBeforeTheNextOne(Vertx vertx) {
    try (TestCluster cluster = TestCluster.start(2, Map.of())) {
      WsClient ann = WsClient.open(vertx, cluster.port(0), Tokens.user("ann"));
      // stored before bob came: history, not something his connection missed
      assertEquals("ack", ann.request(new JsonObject().put("type", "private").put("to", "bob").put("text", "before")).getString("type"));
      WsClient bob = WsClient.open(vertx, cluster.port(1), Tokens.user("bob"));
      AtomicInteger dropped = dropOnce(cluster, "PRIVATE", 2);
      assertEquals("ack", ann.request(new JsonObject().put("type", "private").put("to", "bob").put("text", "first")).getString("type"));
      assertEquals("ack", ann.request(new JsonObject().put("type", "private").put("to", "bob").put("text", "second")).getString("type"));
      List<JsonObject> got = io.switchboard.support.Await.of(bob.collect(f -> "private".equals(f.getString("type")), 2));
      JsonObject first = got.get(0);
      JsonObject second = got.get(1);
      assertEquals(1, dropped.get(), "the first was dropped on its way to bob's node");
      assertEquals(List.of("first", 2L, "second", 3L),
          List.of(first.getString("text"), first.getLong("seq"), second.getString("text"), second.getLong("seq")));
      bob.close();
      ann.close();
    }
  }

  /**
   * Node 0 drops its first frame of {@code kind} with {@code seq} on the way to node 1: the one
   * delivery the network ate. Counts every such frame it saw.
   */
  private static AtomicInteger dropOnce(TestCluster cluster, String kind, long seq) {
    String toNode1 = Addresses.node(cluster.node(1).nodeId());
    AtomicInteger seen = new AtomicInteger();
    cluster.node(0).vertx().eventBus().addOutboundInterceptor(ctx -> {
      // the clustered body is already encoded here: the node frame's headers say what it is
      var headers = ctx.message().headers();
      if (toNode1.equals(ctx.message().address()) && kind.equals(headers.get("k"))
          && Long.toString(seq).equals(headers.get("s")) && seen.getAndIncrement() == 0) {
        return;
      }
      ctx.next();
    });
    return seen;
  }
}
