package io.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.support.Await;
import io.switchboard.support.RawWebSocket;
import io.switchboard.support.TestCluster;
import io.switchboard.support.Tokens;
import io.switchboard.support.WsClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Ping frames every interval; a pong counts as life; silence for the timeout closes 4001. */
@ExtendWith(VertxExtension.class)
class HeartbeatSocketTest {

  private static final long INTERVAL = 200;
  /** Six intervals: a test's own JVM pause (client and node share it) must pass 1 s to look like silence. */
  private static final long TIMEOUT = 1200;
  static TestCluster cluster;

  @BeforeAll
  static void start() {
    cluster = TestCluster.start(1, Map.of("heartbeat.interval", INTERVAL, "heartbeat.timeout", TIMEOUT,
        "limits.rate", 1, "limits.burst", 1));
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void aSilentClientIsClosedWith4001AndLeavesItsRooms(Vertx vertx) throws Exception {
    WsClient watcher = WsClient.open(vertx, cluster.port(0), Tokens.user("watch"));
    watcher.join("pulse");
    try (RawWebSocket silent = RawWebSocket.open(cluster.port(0), Tokens.user("silent"))) {
      long t0 = System.currentTimeMillis();
      silent.sendText("{\"type\":\"join\",\"room\":\"pulse\"}");
      watcher.await(f -> "presence".equals(f.getString("type")) && "join".equals(f.getString("event")));
      // from here the client sends nothing and answers no ping
      JsonObject left = watcher.await(f -> "presence".equals(f.getString("type"))
          && "leave".equals(f.getString("event")));
      assertEquals("silent", left.getString("user"));
      long after = System.currentTimeMillis() - t0;
      assertTrue(after >= TIMEOUT && after < TIMEOUT + 2_000, "closed and gone after " + after + " ms");
      assertEquals(4001, silent.awaitCloseCode());
    }
    watcher.close();
  }

  @Test
  void pongsToTheServersPingsKeepAnOtherwiseQuietClientAlive(Vertx vertx) {
    WsClient quiet = WsClient.open(vertx, cluster.port(0), Tokens.user("quiet"));
    AtomicInteger pings = new AtomicInteger();
    quiet.socket().frameHandler(frame -> {
      if (frame.type() == io.vertx.core.http.WebSocketFrameType.PING) {
        pings.incrementAndGet();
      }
    });
    // two timeouts of silence from the client, apart from the automatic pongs
    Await.of(Future.<Void>future(p -> vertx.setTimer(2 * TIMEOUT, t -> p.complete())));
    assertFalse(quiet.closed().isComplete(), "still open");
    assertTrue(pings.get() >= 3, "pings seen: " + pings.get());
    quiet.close();
  }

  /** A client that keeps itself alive with its own ping frames and answers none of the server's. */
  @Test
  void pingFramesFromTheClientCountAsLife() throws Exception {
    try (RawWebSocket pinger = RawWebSocket.open(cluster.port(0), Tokens.user("pinger"))) {
      assertEquals("welcome", new JsonObject(pinger.readText()).getString("type"));
      long until = System.currentTimeMillis() + 2 * TIMEOUT;
      while (System.currentTimeMillis() < until) {
        pinger.sendFrame(0x9, new byte[0]);
        Thread.sleep(INTERVAL); // the client's own schedule, not a wait for the server
      }
      pinger.sendText("{\"type\":\"ping\",\"id\":1}");
      String reply = pinger.readText();
      assertTrue(reply != null && "pong".equals(new JsonObject(reply).getString("type")),
          "still open after two timeouts of pings only: " + reply);
    }
  }

  /**
   * A client whose frames the node holds back (64 of them wait behind a join the cluster is slow
   * to answer, so the node stops reading its socket) is not silent: it is not closed with 4001
   * while the node is the one not listening, and every frame is answered once it reads again.
   */
  @Test
  void aClientWhoseFramesTheNodeHoldsBackIsNotTakenForSilent(Vertx vertx) {
    WsClient busy = WsClient.open(vertx, cluster.port(0), Tokens.user("busy"));
    var stalled = cluster.node(0).hazelcast().<String, Object>getMap(io.switchboard.room.RoomStore.MAP_NAME)
        .submitToKey("held", new io.switchboard.support.PartitionStall(3 * TIMEOUT));
    int pings = 100;
    Future<java.util.List<JsonObject>> pongs = busy.collect(f -> "pong".equals(f.getString("type")), pings);
    busy.send(new JsonObject().put("type", "join").put("room", "held").put("id", "j").encode());
    for (int i = 0; i < pings; i++) {
      busy.send(new JsonObject().put("type", "ping").put("id", i).encode());
    }
    Await.of(Future.fromCompletionStage(stalled), 10);
    assertEquals(pings, Await.of(pongs, 10).size(), "every frame answered");
    assertFalse(busy.closed().isComplete(), "still open: " + busy.closed().result());
    busy.close();
  }

  /**
   * A connection that sends half a request and then nothing is dropped once it has been idle for
   * the heartbeat's timeout and interval, and never sooner than 10 s (the node's own waits are
   * shorter); before, it held its descriptor for ever.
   */
  @Test
  void aHalfSentRequestIsDroppedOnceIdle() throws Exception {
    try (java.net.Socket socket = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), cluster.port(0))) {
      long idle = Math.max(GatewayServerOptions.IDLE_FLOOR_MS, TIMEOUT + INTERVAL);
      socket.setSoTimeout((int) (3 * idle));
      long start = System.nanoTime();
      socket.getOutputStream().write("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      assertEquals(-1, socket.getInputStream().read(), "closed, with no answer");
      long ms = java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertTrue(ms >= idle - 100 && ms < 2 * idle, "dropped after " + ms + " ms");
    }
  }

  @Test
  void twentyRefusalsWithinTenSecondsClose4008(Vertx vertx) {
    WsClient flood = WsClient.open(vertx, cluster.port(0), Tokens.user("flood"));
    flood.join("drip");
    int refused = 0;
    for (int i = 0; i < 40 && !flood.closed().isComplete(); i++) {
      String id = "d" + i;
      Future<JsonObject> reply = flood.next(f -> id.equals(f.getValue("id")));
      flood.socket().writeTextMessage(new JsonObject().put("type", "publish").put("id", id).put("room", "drip")
          .put("text", "drop").encode());
      Await.of(Future.any(reply, flood.closed()));
      if (reply.succeeded() && "rate_limited".equals(reply.result().getString("code"))) {
        refused++;
        assertTrue(reply.result().getLong("retryAfterMs") > 0);
      }
    }
    assertEquals(new WsClient.Close(4008, "rate limit abuse"), flood.awaitClose());
    assertEquals(20, refused, "closed at the 20th refusal");
  }

  /**
   * Publishes sent back to back queue behind the first one's store and are answered together;
   * still exactly 20 refusals come before the 4008, and the frames after the 20th are neither
   * answered nor stored, as if read one by one (a group was answered in full before the close).
   */
  @Test
  void pipelinedPublishesAreRefusedExactlyTwentyTimesBeforeTheClose(Vertx vertx) {
    WsClient spray = WsClient.open(vertx, cluster.port(0), Tokens.user("sprayer"));
    spray.join("spray");
    for (int i = 0; i < 70; i++) {
      spray.socket().writeTextMessage(new JsonObject().put("type", "publish").put("id", i).put("room", "spray")
          .put("text", "s" + i).encode());
    }
    assertEquals(new WsClient.Close(4008, "rate limit abuse"), spray.awaitClose());
    java.util.List<JsonObject> answers = spray.frames().stream()
        .filter(f -> !"joined".equals(f.getString("type")) && f.getValue("id") instanceof Number).toList();
    long refused = answers.stream().filter(f -> "rate_limited".equals(f.getString("code"))).count();
    long acked = answers.stream().filter(f -> "ack".equals(f.getString("type"))).count();
    assertEquals(20, refused, "refusals before the close: " + answers);
    assertEquals(refused + acked, answers.size(), "only acks and refusals: " + answers);
    for (int i = 0; i < answers.size(); i++) {
      assertEquals(i, answers.get(i).getInteger("id"), "answered in order, none skipped: " + answers);
    }
    assertEquals("rate_limited", answers.get(answers.size() - 1).getString("code"), "the 20th refusal is the last answer");
    WsClient reader = WsClient.open(vertx, cluster.port(0), Tokens.user("sprayreader"));
    JsonObject history = reader.request(new JsonObject().put("type", "history").put("room", "spray").put("limit", 100));
    assertEquals(acked, history.getJsonArray("messages").size(), "only the acknowledged publishes were stored: " + history);
    reader.close();
  }

  /** Refused private frames count towards the same window as refused publishes (PROTOCOL.md section 6). */
  @Test
  void refusedPrivateMessagesCountWithRefusedPublishesTowards4008(Vertx vertx) {
    WsClient flood = WsClient.open(vertx, cluster.port(0), Tokens.user("whisperer"));
    flood.join("murmur");
    int refusedPublishes = 0;
    int refusedPrivates = 0;
    for (int i = 0; i < 40 && !flood.closed().isComplete(); i++) {
      String id = "w" + i;
      Future<JsonObject> reply = flood.next(f -> id.equals(f.getValue("id")));
      JsonObject frame = i % 2 == 0
          ? new JsonObject().put("type", "private").put("id", id).put("to", "confidant").put("text", "psst")
          : new JsonObject().put("type", "publish").put("id", id).put("room", "murmur").put("text", "psst");
      flood.socket().writeTextMessage(frame.encode());
      Await.of(Future.any(reply, flood.closed()));
      if (reply.succeeded() && "rate_limited".equals(reply.result().getString("code"))) {
        if (i % 2 == 0) {
          refusedPrivates++;
        } else {
          refusedPublishes++;
        }
      }
    }
    assertEquals(new WsClient.Close(4008, "rate limit abuse"), flood.awaitClose());
    assertEquals(20, refusedPrivates + refusedPublishes, "closed at the 20th refusal of either kind: "
        + refusedPrivates + " private, " + refusedPublishes + " publish");
    assertTrue(refusedPrivates >= 9, "private frames were refused too: " + refusedPrivates);
  }
}
