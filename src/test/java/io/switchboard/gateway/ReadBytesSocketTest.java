package io.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.support.Await;
import io.switchboard.support.TestCluster;
import io.switchboard.support.Tokens;
import io.switchboard.support.WsClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The node's read replies share one byte budget ({@link ReadBytes}): each connection's read
 * bucket let every one of 300 connections have 512 KiB pages built at 20 a second. Here the
 * budget is 600 000 bytes a second, and a page of eight 60 KB messages is about 480 KB: readers
 * that each stay well inside their own bucket are refused once the node's is spent, on the
 * WebSocket and the server API alike, while publishes go on, and read again once it refilled.
 */
@ExtendWith(VertxExtension.class)
class ReadBytesSocketTest {

  private static final String PAD = "x".repeat(60_000);

  @Test
  void largePagesAreRefusedNodeWideOnceTheBudgetIsSpentAndReadAgainAfterTheWait(Vertx vertx) {
    TestCluster started;
    System.setProperty("switchboard.readBytesPerSecond", "600000");
    try {
      started = TestCluster.start(1, Map.of());
    } finally { // read when a node starts: left set, every later node of this JVM would have it
      System.clearProperty("switchboard.readBytesPerSecond");
    }
    try (TestCluster cluster = started) {
      WsClient writer = WsClient.open(vertx, cluster.port(0), Tokens.user("writer"));
      writer.join("archive");
      for (int i = 0; i < 8; i++) {
        JsonObject ack = writer.request(new JsonObject().put("type", "publish").put("room", "archive")
            .put("text", "page " + i).put("data", new JsonObject().put("pad", PAD)));
        assertEquals("ack", ack.getString("type"), ack.encode());
      }
      // three readers, each asking for far less than its own read bucket's burst (40)
      WsClient[] readers = new WsClient[3];
      for (int i = 0; i < readers.length; i++) {
        readers[i] = WsClient.open(vertx, cluster.port(0), Tokens.user("reader" + i));
      }
      int pages = 0;
      JsonObject refused = null;
      for (int i = 0; i < 12 && refused == null; i++) {
        JsonObject reply = history(readers[i % readers.length]);
        if ("history".equals(reply.getString("type"))) {
          assertEquals(8, reply.getJsonArray("messages").size(), "a whole page while the budget lasts");
          pages++;
        } else {
          refused = reply;
        }
      }
      // 600 000 bytes at once, and what came back meanwhile: a page or two, never twelve
      assertTrue(pages >= 1 && pages <= 4, pages + " pages of 480 KB before the refusal");
      assertEquals("rate_limited", refused.getString("code"), String.valueOf(refused));
      assertTrue(refused.getString("message").contains("for all its connections"), refused.encode());
      long wait = refused.getLong("retryAfterMs");
      assertTrue(wait > 0 && wait <= 2_000, "the node's debt at 600 000 bytes a second: " + wait + " ms");

      // the same budget answers the server API's reads, and a join that would bring history
      WebClient http = WebClient.create(vertx);
      HttpResponse<Buffer> api = Await.of(http.get(cluster.port(0), "127.0.0.1", "/api/rooms/archive/messages?limit=100")
          .putHeader("Authorization", "Bearer " + Tokens.of(new JsonObject().put("sub", "program")
              .put("roles", new io.vertx.core.json.JsonArray().add("publisher")).put("exp", Tokens.nowSeconds() + 600))).send());
      assertEquals(429, api.statusCode(), api.bodyAsString());
      assertEquals("rate_limited", api.bodyAsJsonObject().getString("code"));
      assertTrue(api.bodyAsJsonObject().getString("message").contains("for all its callers"), api.bodyAsString());
      assertTrue(Long.parseLong(api.getHeader("Retry-After")) >= 1, api.headers().toString());
      JsonObject join = readers[0].join("archive");
      assertEquals("rate_limited", join.getString("code"), join.encode());

      // writes have their own buckets: the node's reads being spent holds back no message
      assertEquals("ack", writer.publish("archive", "still writing").getString("type"));
      for (WsClient reader : readers) {
        assertFalse(reader.closed().isComplete(), "a refused read is not abuse: the connection lives");
      }

      JsonObject later = retryAfter(vertx, readers[1], refused);
      assertEquals("history", later.getString("type"), later.encode());
      assertTrue(later.getJsonArray("messages").size() >= 1, later.encode());
      writer.close();
      for (WsClient reader : readers) {
        reader.close();
      }
      http.close();
    }
  }

  /** Waits out {@code refused}'s retryAfterMs, then reads again, as often as the node asks to wait. */
  private static JsonObject retryAfter(Vertx vertx, WsClient reader, JsonObject refused) {
    JsonObject reply = refused;
    for (int i = 0; i < 5 && "rate_limited".equals(reply.getString("code")); i++) {
      long wait = reply.getLong("retryAfterMs");
      Await.of(Future.<Void>future(p -> vertx.setTimer(wait, t -> p.complete())));
      reply = history(reader);
    }
    return reply;
  }

  private static JsonObject history(WsClient reader) {
    return reader.request(new JsonObject().put("type", "history").put("room", "archive").put("limit", 100));
  }
}
