package io.switchboard.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.room.RoomOpsForTests;
import io.switchboard.support.Await;
import io.switchboard.support.TestCluster;
import io.switchboard.support.Tokens;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The server API's reads keep within what a connection's would: a history page within half of
 * {@code limits.outboundBytes} ({@code more} says what was left out), a member list within a
 * quarter ({@code count} still counting all). Uncut, a room of 100 000 members or 100 messages of
 * 64 KiB were answers of several MB, each built on the room's partition.
 */
class ApiReplyBudgetTest {

  @Test
  void historyAndMembersAreCutToTheReplyBudget() {
    Vertx client = Vertx.vertx();
    WebClient http = WebClient.create(client);
    try (TestCluster cluster = TestCluster.start(1, Map.of("limits.outboundBytes", 16_384, "limits.maxFrameBytes", 8_192, "limits.rate", 1_000,
        "limits.burst", 1_000))) {
      String token = Tokens.of(new JsonObject().put("sub", "budget-bot").put("roles", new JsonArray().add("admin"))
          .put("exp", Tokens.nowSeconds() + 600));
      for (int i = 0; i < 10; i++) {
        HttpResponse<Buffer> r = Await.of(http.post(cluster.port(0), "127.0.0.1", "/api/rooms/big/messages")
            .putHeader("Authorization", "Bearer " + token)
            .sendJsonObject(new JsonObject().put("from", "bot").put("text", i + "x".repeat(1_999))));
        assertEquals(200, r.statusCode(), r.bodyAsString());
      }
      JsonObject page = get(http, cluster, "/api/rooms/big/messages?limit=10", token);
      JsonArray messages = page.getJsonArray("messages");
      assertTrue(messages.size() >= 1 && messages.size() < 10, "cut to 8 KiB: " + messages.size());
      assertTrue(page.encode().length() <= 8_192 + 200, "within half of outboundBytes: " + page.encode().length());
      assertEquals(Boolean.TRUE, page.getBoolean("more"));
      assertEquals(10L, messages.getJsonObject(messages.size() - 1).getLong("seq"), "the newest kept");

      for (int i = 0; i < 200; i++) {
        RoomOpsForTests.ghostJoin(cluster.node(0).hazelcast(), "big", String.format("member-%03d", i), "n-elsewhere");
      }
      JsonObject members = get(http, cluster, "/api/rooms/big/members", token);
      int listed = members.getJsonArray("members").size();
      assertTrue(listed >= 1 && listed < 200, "cut to 4 KiB: " + listed);
      assertEquals(200, members.getInteger("count"), "count counts them all");
      assertEquals("member-000", members.getJsonArray("members").getJsonObject(0).getString("user"), "the first by user id");
    } finally {
      http.close();
      Await.of(client.close());
    }
  }

  private static JsonObject get(WebClient http, TestCluster cluster, String path, String token) {
    HttpResponse<Buffer> r = Await.of(http.get(cluster.port(0), "127.0.0.1", path).putHeader("Authorization", "Bearer " + token).send());
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject();
  }
}
