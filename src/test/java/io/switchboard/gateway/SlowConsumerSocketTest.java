package io.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.support.Await;
import io.switchboard.support.TestCluster;
import io.switchboard.support.Tokens;
import io.switchboard.support.WsClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A member that stops reading while its room is busy: it is closed with 4002 and its presence
 * goes at once; the others receive everything, in order.
 */
@ExtendWith(VertxExtension.class)
class SlowConsumerSocketTest {

  private static final int MAX_MESSAGES = 6_000;
  private static final int BATCH = 100;

  private static long heapAfterGc() {
    java.lang.management.MemoryMXBean memory = java.lang.management.ManagementFactory.getMemoryMXBean();
    for (int i = 0; i < 3; i++) {
      memory.gc();
    }
    return memory.getHeapMemoryUsage().getUsed();
  }

  @Test
  void aClientThatStopsReadingIsClosedWith4002AndTheOthersGetEverything(Vertx vertx) {
    try (TestCluster cluster = TestCluster.start(1, Map.of("limits.outboundBytes", 64 * 1024,
        "limits.rate", 1_000_000, "limits.burst", 1_000_000))) {
      String room = "firehose";
      WsClient slow = WsClient.open(vertx, cluster.port(0), Tokens.user("sloth"));
      slow.join(room);
      WsClient fast = WsClient.open(vertx, cluster.port(0), Tokens.user("hare"));
      fast.join(room);
      WsClient publisher = WsClient.open(vertx, cluster.port(0), Tokens.user("firehose"));
      publisher.join(room);
      long baseline = heapAfterGc();
      Future<JsonObject> slothLeft = publisher.next(f -> "presence".equals(f.getString("type"))
          && "leave".equals(f.getString("event")) && "sloth".equals(f.getString("user")));
      slow.socket().pause();

      String text = "x".repeat(3_900);
      int sent = 0;
      while (!slothLeft.isComplete() && sent < MAX_MESSAGES) {
        List<Future<JsonObject>> acks = new ArrayList<>();
        for (int i = 0; i < BATCH; i++, sent++) {
          String id = "f" + sent;
          acks.add(publisher.next(f -> id.equals(f.getValue("id"))));
          publisher.socket().writeTextMessage(new JsonObject().put("type", "publish").put("id", id).put("room", room)
              .put("text", text).encode());
        }
        Await.of(Future.all(acks), 60);
      }
      assertTrue(slothLeft.isComplete(), "the slow consumer was closed within " + sent + " messages");
      JsonObject members = publisher.request(new JsonObject().put("type", "members").put("room", room));
      assertEquals(2, members.getInteger("count"), "its presence is gone at once: " + members);

      // the fast member got every message, in order, without gap
      List<JsonObject> got = fast.awaitMessages(room, sent);
      for (int i = 0; i < sent; i++) {
        assertEquals(i + 1, got.get(i).getLong("seq"));
      }
      // nothing of the slow consumer's backlog is kept once it is gone
      fast.forget();
      publisher.forget();
      long retained = heapAfterGc() - baseline;
      assertTrue(retained < 16 * 1024 * 1024, "heap after GC grew by " + retained / 1024 + " KiB");
      slow.socket().resume();
      WsClient.Close close = slow.awaitClose();
      assertTrue(close.code() == 4002 || close.code() == 1006, "4002, or dropped before the close frame: " + close);
      fast.close();
      publisher.close();
    }
  }
}
