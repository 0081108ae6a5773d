package io.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.support.Await;
import io.switchboard.support.TestCluster;
import io.switchboard.support.Tokens;
import io.switchboard.support.WsClient;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A message at the frame size limit comes back larger (the node adds its seq, sender and time):
 * members get it in fragments no larger than {@code limits.maxFrameBytes}, which {@code welcome}
 * tells, so that a client at the usual 64 KiB frame limit (Vert.x's and Netty's default) reads it.
 */
@ExtendWith(VertxExtension.class)
class LargeFrameSocketTest {

  private TestCluster cluster;

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void aMessageLargerThanTheFrameLimitGoesInFragmentsWithinIt(Vertx vertx) {
    cluster = TestCluster.start(1, Map.of());
    int limit = 65_536;
    // a client with Vert.x's default limits: frames up to 64 KiB, messages up to 256 KiB
    WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions());
    assertEquals(limit, new WebSocketClientOptions().getMaxFrameSize());
    List<Integer> frameSizes = new CopyOnWriteArrayList<>();
    Promise<JsonObject> welcome = Promise.promise();
    Promise<JsonObject> joined = Promise.promise();
    Promise<JsonObject> message = Promise.promise();
    Promise<Short> closed = Promise.promise();
    // the handlers before the connect: the welcome may come in the same read as the upgrade's answer
    var bob = client.webSocket();
    bob.frameHandler(f -> {
      if (f.isText() || f.isContinuation()) {
        frameSizes.add(f.binaryData().length());
      }
    });
    bob.textMessageHandler(text -> {
      JsonObject frame = new JsonObject(text);
      switch (frame.getString("type")) {
        case "welcome" -> welcome.tryComplete(frame);
        case "joined" -> joined.tryComplete(frame);
        case "message" -> message.tryComplete(frame);
        default -> { }
      }
    });
    bob.closeHandler(v -> closed.tryComplete(bob.closeStatusCode()));
    Await.of(bob.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(cluster.port(0))
        .setURI("/ws?token=" + Tokens.user("bob"))));
    assertEquals(limit, Await.of(welcome.future()).getJsonObject("limits").getInteger("maxFrameBytes"));
    bob.writeTextMessage(new JsonObject().put("type", "join").put("id", 1).put("room", "lobby").encode());
    Await.of(joined.future());

    WsClient alice = WsClient.open(vertx, cluster.port(0), Tokens.user("alice"));
    alice.request(new JsonObject().put("type", "join").put("room", "lobby"));
    JsonObject publish = new JsonObject().put("type", "publish").put("id", 2).put("room", "lobby").put("text", "big")
        .put("data", new JsonObject().put("blob", ""));
    String blob = "x".repeat(limit - publish.encode().length());
    publish.getJsonObject("data").put("blob", blob);
    assertEquals(limit, publish.encode().length(), "the publish is as large as a frame may be");
    assertEquals("ack", alice.request(publish).getString("type"));

    JsonObject got = Await.of(io.vertx.core.Future.any(message.future(), closed.future())
        .map(any -> message.future().isComplete() ? message.future().result() : null));
    assertTrue(got != null, "bob's socket closed with " + closed.future().result() + " instead");
    assertEquals(blob, got.getJsonObject("data").getString("blob"));
    assertTrue(frameSizes.stream().allMatch(size -> size <= limit), "a frame past the limit: " + frameSizes);
    assertTrue(frameSizes.stream().mapToInt(Integer::intValue).sum() > limit, "the message grew on its way: " + frameSizes);
    // used to the end: Vert.x closes a client, and bob's socket, once the GC finds it unreachable
    Await.of(client.close());
  }
}
