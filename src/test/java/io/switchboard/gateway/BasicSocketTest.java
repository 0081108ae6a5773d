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
    http.close();
  }

  @Test
  void atShutdownReadyTurns503BeforeTheSocketsCloseWith1001(Vertx vertx) {
    try (io.switchboard.support.TestCluster draining = io.switchboard.support.TestCluster.start(1,
        java.util.Map.of("http.drainDelay", 1_500))) {
      WsClient client = WsClient.open(vertx, draining.port(0), Tokens.user("drainee"));
      io.vertx.ext.web.client.WebClient http = io.vertx.ext.web.client.WebClient.create(vertx);
      var stopped = draining.node(0).stop();
      var ready = io.switchboard.support.Await.of(http.get(draining.port(0), "127.0.0.1", "/ready").send());
      assertEquals(503, ready.statusCode(), "not ready while draining");
      assertEquals(false, client.closed().isComplete(), "the sockets are still open while the balancer notices");
      assertEquals(new WsClient.Close(1001, "going away"), client.awaitClose());
      io.switchboard.support.Await.of(stopped, 20);
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
