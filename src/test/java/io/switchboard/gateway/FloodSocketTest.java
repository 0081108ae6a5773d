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

/** One connection flooding the node does not hold back another connection's messages. */
@ExtendWith(VertxExtension.class)
class FloodSocketTest {

  private static final int FLOOD = 40_000;
  private static final int CALM_MESSAGES = 20;
  /** Far above a normal round trip here (a few ms), far below what queueing behind the flood would cost. */
  private static final long MAX_ACK_MS = 1_000;

  @Test
  void aFloodDoesNotDelayACalmConnection(Vertx vertx) {
    // the flooder has its own client threads, so that only the node can make the calm client wait
    Vertx floodVertx = Vertx.vertx();
    // the loop's own fairness: the flooder's frames are not held back by the frames' bucket
    // (tested below), which would otherwise close it for abuse long before 40 000
    try (TestCluster cluster = TestCluster.start(1, Map.of())) {
      WsClient flooder;
      System.setProperty("switchboard.frameRate", "10000000");
      try {
        flooder = WsClient.open(floodVertx, cluster.port(0), Tokens.user("flooder"));
      } finally { // read by every new session: left set, no later node of this JVM would limit frames
        System.clearProperty("switchboard.frameRate");
      }
      WsClient calm = WsClient.open(vertx, cluster.port(0), Tokens.user("calm"));
      WsClient listener = WsClient.open(vertx, cluster.port(0), Tokens.user("listener"));
      calm.join("steady");
      listener.join("steady");

      // the flood: junk, pings and history reads as fast as the client can write them
      for (int i = 0; i < FLOOD; i++) {
        String frame = switch (i % 4) {
          case 0 -> "{\"type\":\"ping\"}";
          case 1 -> "not json at all";
          case 2 -> "{\"type\":\"history\",\"room\":\"steady\",\"limit\":5}";
          default -> "{\"type\":\"nonsense\",\"id\":" + i + "}";
        };
        flooder.socket().writeTextMessage(frame);
      }

      // meanwhile the calm connection publishes at its own pace
      List<Long> ackMs = new ArrayList<>();
      for (int i = 0; i < CALM_MESSAGES; i++) {
        long t0 = System.nanoTime();
        JsonObject ack = calm.publish("steady", "calm " + i);
        ackMs.add((System.nanoTime() - t0) / 1_000_000);
        assertEquals("ack", ack.getString("type"));
      }
      List<JsonObject> heard = listener.awaitMessages("steady", CALM_MESSAGES);
      for (int i = 0; i < CALM_MESSAGES; i++) {
        assertEquals("calm " + i, heard.get(i).getString("text"));
      }
      long worst = ackMs.stream().mapToLong(Long::longValue).max().orElse(0);
      assertTrue(worst < MAX_ACK_MS, "slowest ack during the flood: " + worst + " ms " + ackMs);
      // not a check: the flood's answers drained (or its client closed as too slow a reader)
      // before the sockets close, so that the close does not race the node's writes
      Await.of(Future.any(flooder.collect(f -> !"welcome".equals(f.getString("type")), FLOOD), flooder.closed()), 120);
      flooder.close();
      calm.close();
      listener.close();
    } finally {
      Await.of(floodVertx.close());
    }
  }

  /**
   * Every frame takes a token (Buckets.frameRate: 100 a second at the default rate, a
   * burst of 200): a client that sends pings as fast as it can is read more slowly, and loses
   * none of its answers, which come in order; it is not closed for it.
   */
  @Test
  void framesFasterThanTheFrameRateAreReadLaterNotLost(Vertx vertx) {
    try (TestCluster cluster = TestCluster.start(1, Map.of())) {
      WsClient pinger = WsClient.open(vertx, cluster.port(0), Tokens.user("pinger"));
      io.switchboard.config.Config.Limits limits = cluster.node(0).services().config().limits();
      // 300 past the burst: within the debt allowed, held back 3 s at 100 a second
      int pings = Buckets.frameBurst(limits) + 300;
      assertEquals(100, Buckets.frameRate(limits));
      long t0 = System.nanoTime();
      Future<List<JsonObject>> pongs = pinger.collect(f -> "pong".equals(f.getString("type")), pings);
      for (int i = 0; i < pings; i++) {
        pinger.socket().writeTextMessage("{\"type\":\"ping\",\"id\":" + i + "}");
      }
      List<JsonObject> got = Await.of(pongs, 60);
      long ms = (System.nanoTime() - t0) / 1_000_000;
      for (int i = 0; i < pings; i++) {
        assertEquals(i, got.get(i).getInteger("id"), "every ping answered, in order");
      }
      // 300 past the burst, at 100 a second: 3 s at least (a little less for the clock's grain)
      assertTrue(ms >= 2_500, "held back to the frame rate: " + ms + " ms for " + pings + " pings");
      assertEquals("pong", pinger.request(new JsonObject().put("type", "ping")).getString("type"), "and still served");
      pinger.close();
    }
  }

  /**
   * WebSocket pings are read whatever the pause (Vert.x asks for the next frame after each), so
   * holding the socket back cannot slow them: past the debt allowed, the connection is closed
   * as abusive (4008), also when the client reads every pong.
   */
  @Test
  void aFloodOfWebSocketPingsIsClosedAsAbuse(Vertx vertx) {
    try (TestCluster cluster = TestCluster.start(1, Map.of())) {
      WsClient pinger = WsClient.open(vertx, cluster.port(0), Tokens.user("ping-flood"));
      io.vertx.core.buffer.Buffer payload = io.vertx.core.buffer.Buffer.buffer("p");
      int limit = 3 * Buckets.frameBurst(cluster.node(0).services().config().limits());
      for (int i = 0; i < limit && !pinger.closed().isComplete(); i++) {
        pinger.socket().writePing(payload);
      }
      assertEquals(new WsClient.Close(4008, "rate limit abuse"), pinger.awaitClose());
    }
  }
}
