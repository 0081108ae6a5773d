package io.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.support.Await;
import io.switchboard.support.RawWebSocket;
import io.switchboard.support.TestCluster;
import io.switchboard.support.Tokens;
import io.switchboard.support.WsClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Frame size (1009), connections per user (4003) and per node (1013) over real sockets. */
@ExtendWith(VertxExtension.class)
class ConnectionLimitsSocketTest {

  private static final int MAX_FRAME = 1024;
  static TestCluster cluster;

  @BeforeAll
  static void start() {
    cluster = TestCluster.start(1, Map.of("limits.maxFrameBytes", MAX_FRAME, "limits.maxConnectionsPerUser", 2));
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  /** A ping frame of exactly {@code bytes} bytes. */
  private static String pingOf(String id, int bytes) {
    String base = new JsonObject().put("type", "ping").put("id", id).put("pad", "").encode();
    return new JsonObject().put("type", "ping").put("id", id).put("pad", "x".repeat(bytes - base.length())).encode();
  }

  @Test
  void aFrameOfExactlyMaxFrameBytesIsServedAndOneByteMoreCloses1009(Vertx vertx) {
    WsClient c = WsClient.open(vertx, cluster.port(0), Tokens.user("framer"));
    c.send(pingOf("exact", MAX_FRAME));
    assertEquals("pong", c.await(f -> "exact".equals(f.getString("id"))).getString("type"));
    c.send(pingOf("over", MAX_FRAME + 1));
    WsClient.Close close = c.awaitClose();
    assertEquals(new WsClient.Close(1009, "message too big"), close);
  }

  /**
   * Netty's decoder reads nothing more after broken framing: the session ends with 1002 and its
   * presence goes at once, instead of a deaf connection kept until its heartbeat timeout.
   */
  @Test
  void brokenFramingCloses1002AndTheMemberLeavesAtOnce(Vertx vertx) throws Exception {
    WsClient watcher = WsClient.open(vertx, cluster.port(0), Tokens.user("onlooker"));
    watcher.join("framing");
    for (byte[] broken : new byte[][] {
        {(byte) 0x81, 0x02, 'h', 'i'}, // an unmasked text frame: a client must mask
        {(byte) 0x83, (byte) 0x80, 1, 2, 3, 4}}) { // opcode 3 is reserved
      try (RawWebSocket raw = RawWebSocket.open(cluster.port(0), Tokens.user("breaker"))) {
        assertEquals("welcome", new JsonObject(raw.readText()).getString("type"));
        Future<JsonObject> left = watcher.next(f -> "presence".equals(f.getString("type"))
            && "leave".equals(f.getString("event")) && "breaker".equals(f.getString("user")));
        raw.sendText("{\"type\":\"join\",\"room\":\"framing\"}");
        raw.sendRaw(broken);
        assertEquals(1002, raw.awaitCloseCode());
        Await.of(left);
      }
    }
    watcher.close();
  }

  @Test
  void aFragmentedMessageIsMeasuredAfterReassembly(Vertx vertx) {
    WsClient c = WsClient.open(vertx, cluster.port(0), Tokens.user("fragmenter"));
    String exact = pingOf("frag", MAX_FRAME);
    Await.of(c.socket().writeFrame(WebSocketFrame.textFrame(exact.substring(0, 600), false)));
    Await.of(c.socket().writeFrame(WebSocketFrame.continuationFrame(
        io.vertx.core.buffer.Buffer.buffer(exact.substring(600)), true)));
    assertEquals("pong", c.await(f -> "frag".equals(f.getString("id"))).getString("type"));

    String over = pingOf("frag2", MAX_FRAME + 1);
    Await.of(c.socket().writeFrame(WebSocketFrame.textFrame(over.substring(0, 600), false)));
    c.socket().writeFrame(WebSocketFrame.continuationFrame(io.vertx.core.buffer.Buffer.buffer(over.substring(600)), true));
    assertEquals(new WsClient.Close(1009, "message too big"), c.awaitClose());
  }

  /**
   * A message whose first fragment is empty (RFC 6455 allows it; a streaming client may send it)
   * is answered like any other, in its parts and with pings between them, and is measured the
   * same way. Vert.x alone dropped it without a word.
   */
  @Test
  void aMessageWhoseFirstFragmentIsEmptyIsAnsweredAndMeasured(Vertx vertx) {
    WsClient c = WsClient.open(vertx, cluster.port(0), Tokens.user("streamer"));
    String exact = pingOf("empty-first", MAX_FRAME);
    Await.of(c.socket().writeFrame(WebSocketFrame.textFrame("", false)));
    Await.of(c.socket().writeFrame(WebSocketFrame.continuationFrame(io.vertx.core.buffer.Buffer.buffer(exact.substring(0, 300)), false)));
    Await.of(c.socket().writeFrame(WebSocketFrame.pingFrame(io.vertx.core.buffer.Buffer.buffer("between"))));
    Await.of(c.socket().writeFrame(WebSocketFrame.continuationFrame(io.vertx.core.buffer.Buffer.buffer(exact.substring(300)), true)));
    assertEquals("pong", c.await(f -> "empty-first".equals(f.getString("id"))).getString("type"));
    // what follows is read as before, whole or in fragments
    Await.of(c.socket().writeTextMessage(pingOf("after", 100)));
    assertEquals("pong", c.await(f -> "after".equals(f.getString("id"))).getString("type"));
    Await.of(c.socket().writeFrame(WebSocketFrame.textFrame("", false)));
    Await.of(c.socket().writeFrame(WebSocketFrame.continuationFrame(io.vertx.core.buffer.Buffer.buffer(""), true)));
    assertEquals("bad_request", c.await(f -> "error".equals(f.getString("type"))).getString("code"), "an empty message");

    String over = pingOf("too-big", MAX_FRAME + 1);
    Await.of(c.socket().writeFrame(WebSocketFrame.textFrame("", false)));
    Await.of(c.socket().writeFrame(WebSocketFrame.continuationFrame(io.vertx.core.buffer.Buffer.buffer(over.substring(0, 600)), false)));
    c.socket().writeFrame(WebSocketFrame.continuationFrame(io.vertx.core.buffer.Buffer.buffer(over.substring(600)), true));
    assertEquals(new WsClient.Close(1009, "message too big"), c.awaitClose());
  }

  @Test
  void aFailureInOneConnectionsHandlingClosesOnlyThatConnectionWith1011(Vertx vertx) {
    String fault = System.getProperty("switchboard.test.faultFrame");
    org.junit.jupiter.api.Assumptions.assumeTrue(fault != null, "the fault seam is set by the surefire configuration");
    WsClient victim = WsClient.open(vertx, cluster.port(0), Tokens.user("victim"));
    WsClient bystander = WsClient.open(vertx, cluster.port(0), Tokens.user("bystander"));
    victim.join("faulty");
    bystander.join("faulty");
    victim.send(fault);
    assertEquals(new WsClient.Close(1011, "internal error"), victim.awaitClose());
    JsonObject left = bystander.await(f -> "presence".equals(f.getString("type")) && "leave".equals(f.getString("event")));
    assertEquals("victim", left.getString("user"), "its presence went with it");
    assertEquals("pong", bystander.request(new JsonObject().put("type", "ping")).getString("type"), "others live on");
    bystander.close();
  }

  @Test
  void aUsersConnectionOverTheLimitIsRefusedWith4003(Vertx vertx) {
    WsClient one = WsClient.open(vertx, cluster.port(0), Tokens.user("tabby"));
    WsClient two = WsClient.open(vertx, cluster.port(0), Tokens.user("tabby"));
    WsClient three = Await.of(WsClient.connect(vertx, cluster.port(0), Tokens.user("tabby")));
    assertEquals(new WsClient.Close(4003, "too many connections"), three.awaitClose());
    assertEquals(0, three.frames().size(), "no welcome for the refused connection");
    // closing one frees a place, once the node has processed the close
    one.close();
    WsClient again = null;
    for (int attempt = 0; attempt < 50 && again == null; attempt++) {
      WsClient c = Await.of(WsClient.connect(vertx, cluster.port(0), Tokens.user("tabby")));
      io.vertx.core.Future<JsonObject> first = c.next(f -> true);
      Await.of(io.vertx.core.Future.any(first, c.closed()));
      if (first.succeeded() && "welcome".equals(first.result().getString("type"))) {
        again = c;
      } else if (c.awaitClose().code() == 1013) {
        // past the user's connects a second (two here, a burst of four): wait for the next
        Await.of(Future.<Void>future(p -> vertx.setTimer(250, t -> p.complete())));
      } else {
        assertEquals(4003, c.awaitClose().code());
      }
    }
    assertEquals(true, again != null, "a place was freed");
    again.close();
    two.close();
  }

  /**
   * A kick while one of the user's connections is being counted (the user's partition held):
   * that connection is refused with 4009 when its count comes, not welcomed after the kick said
   * the user was gone. The kick found no session then, so before it stayed open.
   */
  @Test
  void aConnectionOnItsWayInWhenItsUserIsKickedIsClosedAsKicked(Vertx vertx) {
    var hz = cluster.node(0).hazelcast();
    // the kick asks each node at its admin address: that look-up must not wait behind the stall
    String user = io.switchboard.support.PartitionThreadStall.keyOffThreadOf(hz,
        io.switchboard.Addresses.admin(cluster.node(0).nodeId()), "kick-me-");
    // held until the kick was answered (at most 4 s: the connect's own deadline is 5 s)
    java.util.concurrent.CompletableFuture<Void> release = new java.util.concurrent.CompletableFuture<>();
    var held = io.switchboard.support.PartitionThreadStall.holdUntil(hz,
        hz.getPartitionService().getPartition(user).getPartitionId(), release, 4_000);
    Await.of(Future.fromCompletionStage(held.started()));
    var connections = cluster.node(0).services().connections();
    int before = connections.get();
    Future<WsClient> coming = WsClient.connect(vertx, cluster.port(0), Tokens.user(user));
    // its token checked at once, it is counted by the node and waits for the held partition
    assertTrue(Await.until(vertx, () -> connections.get() == before + 1, 10, 200), "the connection is on its way in");
    // as the server API sends it: local only, with no look-up in the cluster's subscriptions
    JsonObject kicked = Await.of(cluster.node(0).vertx().eventBus().<JsonObject>request(io.switchboard.Addresses.LOCAL_KICK,
        new JsonObject().put("user", user), new io.vertx.core.eventbus.DeliveryOptions().setLocalOnly(true))).body();
    assertEquals(0, kicked.getInteger("closed"), "no session of the user yet");
    assertEquals(false, held.endedAt().isDone(), "kicked while it was counted");
    release.complete(null);

    WsClient c = Await.of(coming);
    assertEquals(new WsClient.Close(4009, "kicked"), c.awaitClose());
    assertEquals(0, c.frames().size(), "no welcome");
    // its count was given back: the user's limit of 2 still lets two in
    WsClient one = WsClient.open(vertx, cluster.port(0), Tokens.user(user));
    WsClient two = WsClient.open(vertx, cluster.port(0), Tokens.user(user));
    one.close();
    two.close();
  }

  /**
   * A client that reconnects in a loop is held to five times {@code limits.maxConnectionsPerUser}
   * connects a second to a node (ten here, a burst of twenty): each connect is a cluster call.
   * Forty at once: at most twenty, and whatever the
   * clock refilled meanwhile, get past it; the rest are refused with 1013, before the cluster
   * counts them. Someone else connects as ever.
   */
  @Test
  void aUserConnectingFasterThanTheLimitIsRefusedWith1013(Vertx vertx) {
    java.util.List<Future<WsClient>> all = new java.util.ArrayList<>();
    long start = System.nanoTime();
    for (int i = 0; i < 40; i++) {
      all.add(WsClient.connect(vertx, cluster.port(0), Tokens.user("looper")));
    }
    java.util.Map<Integer, Integer> closes = new java.util.TreeMap<>();
    for (Future<WsClient> f : all) {
      WsClient c = Await.of(f);
      Future<JsonObject> first = c.next(x -> true);
      Await.of(Future.any(first, c.closed()));
      if (first.succeeded() && "welcome".equals(first.result().getString("type"))) {
        closes.merge(0, 1, Integer::sum);
        c.close();
      } else {
        closes.merge(c.awaitClose().code(), 1, Integer::sum);
      }
    }
    // the bucket refills ten a second: a slow machine that took long to connect them all let more through
    long refills = 10 * java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) / 1000;
    assertTrue(closes.getOrDefault(1013, 0) >= Math.min(6, 20 - refills), "refused as too frequent: " + closes
        + " (" + refills + " refilled)");
    int past = closes.getOrDefault(0, 0) + closes.getOrDefault(4003, 0);
    assertTrue(past <= 20 + refills + 1, "past the connect bucket: the burst and what refilled at most: " + closes);
    assertEquals(java.util.Set.of(), new java.util.HashSet<>(closes.keySet()).stream()
        .filter(code -> code != 0 && code != 1013 && code != 4003).collect(java.util.stream.Collectors.toSet()), closes.toString());
    WsClient other = WsClient.open(vertx, cluster.port(0), Tokens.user("steady"));
    other.close();
  }

  @Test
  void aConnectionOverTheNodeLimitIsRefusedWith1013(Vertx vertx) {
    try (TestCluster small = TestCluster.start(1, Map.of("limits.maxConnections", 2))) {
      WsClient a = WsClient.open(vertx, small.port(0), Tokens.user("crowd1"));
      WsClient b = WsClient.open(vertx, small.port(0), Tokens.user("crowd2"));
      WsClient third = Await.of(WsClient.connect(vertx, small.port(0), Tokens.user("crowd3")));
      assertEquals(new WsClient.Close(1013, "try again later"), third.awaitClose());
      assertEquals(0, third.frames().size());
      // the token is still checked at a full node: a client that would retry 1013 for good
      // learns that its token is the trouble
      WsClient forged = Await.of(WsClient.connect(vertx, small.port(0), "not-a-token"));
      assertEquals(new WsClient.Close(1008, "unauthorized"), forged.awaitClose());
      WsClient expired = Await.of(WsClient.connect(vertx, small.port(0), Tokens.of(new io.vertx.core.json.JsonObject().put("sub", "crowd4").put("exp", Tokens.nowSeconds() - 60))));
      assertEquals(new WsClient.Close(1008, "token expired"), expired.awaitClose());
      a.close();
      b.close();
    }
  }
}
