package io.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.switchboard.support.Await;
import io.switchboard.support.TestCluster;
import io.switchboard.support.Tokens;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import java.io.FileInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code http.tls.certPath}/{@code keyPath}: HTTPS and wss:// on the node's one port. */
@ExtendWith(VertxExtension.class)
class TlsSocketTest {

  @Test
  void theNodeServesHttpsAndSecureWebSockets(Vertx vertx, @TempDir Path dir) throws Exception {
    Path[] pem = io.switchboard.support.SelfSigned.pem(dir);
    try (TestCluster cluster = TestCluster.start(1, Map.of("http.tls.certPath", pem[0].toString(),
        "http.tls.keyPath", pem[1].toString()))) {
      WebClient https = WebClient.create(vertx, new WebClientOptions().setSsl(true).setTrustAll(true)
          .setVerifyHost(false));
      assertEquals(200, Await.of(https.get(cluster.port(0), "127.0.0.1", "/health").send()).statusCode());
      https.close();

      WebSocketClient wss = vertx.createWebSocketClient(new WebSocketClientOptions().setSsl(true)
          .setTrustAll(true).setVerifyHost(false));
      // several sockets, each with its first frames collected from the moment it opens: the
      // welcome, then the joined, ack and echo that the gateway writes unflushed and flushes at
      // the end of its turn
      for (int i = 0; i < 5; i++) {
        String room = "tls" + i;
        java.util.List<JsonObject> frames = new java.util.concurrent.CopyOnWriteArrayList<>();
        io.vertx.core.Promise<Void> four = io.vertx.core.Promise.promise();
        // the handler before the connect: set in the connect's callback, it came after Vert.x
        // had resumed the socket, and a welcome in the same read as the upgrade's answer was lost
        io.vertx.core.http.ClientWebSocket ws = wss.webSocket();
        ws.textMessageHandler(text -> {
          frames.add(new JsonObject(text));
          if (frames.size() == 1) {
            ws.writeTextMessage("{\"type\":\"join\",\"id\":1,\"room\":\"" + room + "\"}");
          } else if (frames.size() == 2) {
            ws.writeTextMessage("{\"type\":\"publish\",\"id\":2,\"room\":\"" + room + "\",\"text\":\"hi\"}");
          } else if (frames.size() == 4) {
            four.tryComplete();
          }
        });
        Await.of(ws.connect(new WebSocketConnectOptions().setHost("127.0.0.1")
            .setPort(cluster.port(0)).setSsl(true).setURI("/ws?token=" + Tokens.user("secure" + i))));
        Await.of(four.future());
        java.util.List<String> types = frames.stream().map(f -> f.getString("type")).toList();
        assertEquals(java.util.List.of("welcome", "joined"), types.subList(0, 2), "over TLS: " + types);
        assertEquals(java.util.Set.of("message", "ack"), java.util.Set.copyOf(types.subList(2, 4)), "over TLS: " + types);
        ws.close();
      }
      wss.close();
    }
  }
}
