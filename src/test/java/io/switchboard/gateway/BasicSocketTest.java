package io.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.support.TestCluster;
import io.switchboard.support.Tokens;
import io.switchboard.support.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The smallest end-to-end path on one node: welcome, join, publish to self, ack. */
@ExtendWith(VertxExtension.class)
class BasicSocketTest {

  static TestCluster cluster;

  @BeforeAll
  static void start() {
    cluster = TestCluster.start(1, Map.of());
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void healthAndReadinessAnswer200OnceTheNodeServes(Vertx vertx) {
    io.vertx.ext.web.client.WebClient http = io.vertx.ext.web.client.WebClient.create(vertx);
    var health = io.switchboard.support.Await.of(http.get(cluster.port(0), "127.0.0.1", "/health").send());
    assertEquals(200, health.statusCode());
    assertEquals("UP", health.bodyAsJsonObject().getString("status"));
    var ready = io.switchboard.support.Await.of(http.get(cluster.port(0), "127.0.0.1", "/ready").send());
    assertEquals(200, ready.statusCode());
    var unknown = io.switchboard.support.Await.of(http.get(cluster.port(0), "127.0.0.1", "/api/nothing").send());
    assertEquals(404, unknown.statusCode());
    assertEquals("not_found", unknown.bodyAsJsonObject().getString("code"));
    for (String path : new String[] {"/nothing.html", "/ws"}) { // /ws without an upgrade is no page either
      var page = io.switchboard.support.Await.of(http.get(cluster.port(0), "127.0.0.1", path).send());
      assertEquals(404, page.statusCode(), path);
      assertEquals("not_found", page.bodyAsJsonObject().getString("code"), path);
    }
    http.close();
  }

  /**
   * The pages are asked for again on every load (304 while unchanged): served "immutable" for a
   * day, a browser ran a day-old page against an upgraded node. And a balancer's HEAD check of
   * /health, /ready or /metrics is answered as its GET, not 404.
   */
  @Test
  void pagesAreRevalidatedAndChecksAnswerHead(Vertx vertx) {
    io.vertx.ext.web.client.WebClient http = io.vertx.ext.web.client.WebClient.create(vertx);
    var page = io.switchboard.support.Await.of(http.get(cluster.port(0), "127.0.0.1", "/").send());
    assertEquals(200, page.statusCode());
    assertEquals("no-cache", page.getHeader("Cache-Control"));
    String modified = page.getHeader("Last-Modified");
    assertTrue(modified != null, "revalidated by its date");
    var again = io.switchboard.support.Await.of(http.get(cluster.port(0), "127.0.0.1", "/")
        .putHeader("If-Modified-Since", modified).send());
    assertEquals(304, again.statusCode(), "unchanged: not sent again");
    for (String path : new String[] {"/health", "/ready", "/metrics"}) {
      var head = io.switchboard.support.Await.of(http.head(cluster.port(0), "127.0.0.1", path).send());
      assertEquals(200, head.statusCode(), "HEAD " + path);
    }
    http.close();
  }

  @Test
  void atShutdownReadyTurns503BeforeTheSocketsCloseWith1001(Vertx vertx) {
    try (io.switchboard.support.TestCluster draining = io.switchboard.support.TestCluster.start(1,
        java.util.Map.of("http.drainDelay", 1_500))) {
      WsClient client = WsClient.open(vertx, draining.port(0), Tokens.user("drainee"));
      io.vertx.ext.web.client.WebClient http = io.vertx.ext.web.client.WebClient.create(vertx);
      long stopAt = System.nanoTime();
      var stopped = draining.node(0).stop();
      var ready = io.switchboard.support.Await.of(http.get(draining.port(0), "127.0.0.1", "/ready").send());
      assertEquals(503, ready.statusCode(), "not ready while draining");
      assertEquals(false, client.closed().isComplete(), "the sockets are still open while the balancer notices");
      assertEquals(new WsClient.Close(1001, "going away"), client.awaitClose());
      long drained = java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopAt);
      assertTrue(drained >= 1_400, "the sockets stayed open for http.drainDelay: " + drained + " ms");
      io.switchboard.support.Await.of(stopped, 20);
      // the shutdown's close is the server's, counted by its code and not as the client's
      var closed = draining.node(0).services().metrics().meters();
      assertEquals(1.0, closed.get("switchboard.connections.closed").tag("code", "1001").counter().count());
      assertEquals(0.0, closed.get("switchboard.connections.closed").tag("code", "client").counter().count());
      http.close();
    }
  }

  /**
   * While a stopping gateway waits for its sessions' clean-ups (here held up by the room's
   * partition), a new connection is refused with 1001 instead of being welcomed: stop() has
   * already taken its list of sessions to close, and the server's close would cut it without a
   * close frame.
   */
  @Test
  void aConnectionWhileTheGatewayStopsIsToldToGoElsewhere(Vertx vertx) {
    try (io.switchboard.support.TestCluster stopping = io.switchboard.support.TestCluster.start(1, java.util.Map.of())) {
      var hz = stopping.node(0).hazelcast();
      // a connect's count must not wait behind the held partition's thread
      String late = io.switchboard.support.PartitionThreadStall.keyOffThreadOf(hz, "held", "late");
      WsClient member = WsClient.open(vertx, stopping.port(0), Tokens.user(late + "-member"));
      member.join("held");
      hz.<String, Object>getMap(io.switchboard.room.RoomStore.MAP_NAME).submitToKey("held", new io.switchboard.support.PartitionStall(4_000));
      // newcomers all through the stop: the node's other gateway instances, with nothing to
      // clean up, keep serving until it is done; one that closed its server at once had newcomers
      // routed to it cut mid-handshake
      // added to on the event loop, read here
      java.util.List<io.vertx.core.Future<WsClient>> during = new java.util.concurrent.CopyOnWriteArrayList<>();
      long connecting = vertx.setPeriodic(5, t -> during.add(WsClient.connect(vertx, stopping.port(0), Tokens.user(late))));
      var stopped = stopping.node(0).stop();
      assertEquals(new WsClient.Close(1001, "going away"), member.awaitClose());
      // its leave waits for the held partition, and the gateway waits for it (up to 3 s)
      io.switchboard.support.Await.of(io.vertx.core.Future.<Void>future(p -> vertx.setTimer(300, t -> p.complete())));
      vertx.cancelTimer(connecting);
      WsClient newcomer = io.switchboard.support.Await.of(WsClient.connect(vertx, stopping.port(0), Tokens.user(late)));
      assertEquals(new WsClient.Close(1001, "going away"), newcomer.awaitClose());
      assertTrue(newcomer.frames().stream().noneMatch(f -> "welcome".equals(f.getString("type"))), "not welcomed first");
      assertTrue(!during.isEmpty(), "newcomers came during the stop");
      for (io.vertx.core.Future<WsClient> connect : during) {
        assertEquals(1001, io.switchboard.support.Await.of(connect).awaitClose().code(), "every newcomer of the stop is told to go");
      }
      io.switchboard.support.Await.of(stopped, 20);
      assertTrue(!stopping.node(0).lost().isComplete() && !stopping.node(0).services().memberLost().get(),
          "a member the node shut down itself is no loss");
    }
  }

  /**
   * A member that Hazelcast shut down serves nothing, and never comes back: /ready says so, so
   * that balancers send clients elsewhere, and /health too, so that the node is restarted.
   */
  @Test
  void readyTurns503WhenTheClusterMemberIsGone(Vertx vertx) {
    try (io.switchboard.support.TestCluster lost = io.switchboard.support.TestCluster.start(1, java.util.Map.of())) {
      io.vertx.ext.web.client.WebClient http = io.vertx.ext.web.client.WebClient.create(vertx);
      assertEquals(200, io.switchboard.support.Await.of(http.get(lost.port(0), "127.0.0.1", "/ready").send()).statusCode());
      lost.node(0).hazelcast().getLifecycleService().terminate();
      var ready = io.switchboard.support.Await.of(http.get(lost.port(0), "127.0.0.1", "/ready").send());
      assertEquals(503, ready.statusCode());
      io.switchboard.support.Await.of(lost.node(0).lost());
      var health = io.switchboard.support.Await.of(http.get(lost.port(0), "127.0.0.1", "/health").send());
      assertEquals(503, health.statusCode(), "nothing brings the member back: restart the node");
      assertEquals("DOWN", health.bodyAsJsonObject().getString("status"));
      // the admin API cannot list the members to ask: 503 at once, not the API's 6 s wait and a 500
      String admin = Tokens.of(new JsonObject().put("sub", "ops").put("roles", new io.vertx.core.json.JsonArray().add("admin")));
      var clients = io.switchboard.support.Await.of(http.get(lost.port(0), "127.0.0.1", "/api/clients")
          .bearerTokenAuthentication(admin).send());
      assertEquals(503, clients.statusCode(), clients.bodyAsString());
      var kick = io.switchboard.support.Await.of(http.post(lost.port(0), "127.0.0.1", "/api/users/bob/kick")
          .bearerTokenAuthentication(admin).send());
      assertEquals(503, kick.statusCode(), kick.bodyAsString());
      http.close();
    }
  }

  @Test
  void senderReceivesItsOwnMessageAndAnAck(Vertx vertx) {
    WsClient alice = WsClient.open(vertx, cluster.port(0), Tokens.user("alice"));
    JsonObject joined = alice.join("basic");
    assertEquals("joined", joined.getString("type"));
    JsonObject ack = alice.publish("basic", "hello");
    assertEquals("ack", ack.getString("type"));
    JsonObject message = alice.awaitType("message");
    assertEquals("hello", message.getString("text"));
    assertEquals("alice", message.getString("from"));
    assertEquals(ack.getLong("seq"), message.getLong("seq"));
    assertTrue(message.getString("ts").endsWith("Z"));
    alice.close();
  }
}
