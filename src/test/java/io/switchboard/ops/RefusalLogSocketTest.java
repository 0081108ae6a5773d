package io.switchboard.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.switchboard.support.TestCluster;
import io.switchboard.support.Tokens;
import io.vertx.core.Vertx;
import io.switchboard.support.Await;
import io.switchboard.support.WsClient;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * A refusal that every client of a misconfiguration meets says why in the node's log, once a
 * second: a rotated signing key or a page served from an origin {@code auth.allowedOrigins}
 * leaves out refused everyone, and the log said nothing. The token itself is never written, and
 * what anyone sent (an Origin header, a claim the library quotes) is written on one line.
 */
@ExtendWith(VertxExtension.class)
class RefusalLogSocketTest {

  @Test
  void tokenAndOriginRefusalsSayWhyWithoutTheToken(Vertx vertx) {
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.addAppender(logs);
    // signed with another key: a key the node does not know, as after a rotation
    String foreign = Tokens.signedWith("another-key-of-at-least-thirty-two-bytes!",
        new io.vertx.core.json.JsonObject().put("sub", "ann").put("exp", Tokens.nowSeconds() + 600));
    try (TestCluster cluster = TestCluster.start(1, Map.of())) {
      int port = cluster.port(0);
      assertEquals(1008, Await.of(WsClient.connect(vertx, port, foreign)).awaitClose().code(), "a token of another key");
      io.vertx.core.MultiMap headers = io.vertx.core.MultiMap.caseInsensitiveMultiMap()
          .add("Origin", "https://evil.example\u0085forged");
      assertEquals(1008, Await.of(WsClient.connect(vertx, port, "/ws?token=" + Tokens.user("ann"), headers))
          .awaitClose().code(), "a foreign origin");
    } finally {
      root.detachAppender(logs);
    }
    List<String> lines = logs.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.INFO))
        .map(ILoggingEvent::getFormattedMessage).toList();
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("a token was refused: ")), lines.toString());
    List<String> origin = lines.stream().filter(l -> l.startsWith("connection refused: origin ")).toList();
    assertEquals(1, origin.size(), lines.toString());
    assertTrue(origin.get(0).contains("https://evil.example forged"), "one line: " + origin.get(0));
    assertTrue(lines.stream().noneMatch(l -> l.contains(foreign)), "no token in the log");
  }
}
