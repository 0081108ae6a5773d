package io.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.support.TestCluster;
import io.switchboard.support.Tokens;
import io.switchboard.support.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code conversations} (an addition to PROTOCOL.md version 1): a user learns whom they have
 * private conversations with, cluster-wide, newest first, each with its newest message. Without
 * it a first private message sent while its receiver was offline was kept but never found.
 */
@ExtendWith(VertxExtension.class)
class ConversationsSocketTest {

  private static final AtomicInteger UNIQUE = new AtomicInteger();

  static TestCluster cluster;

  @BeforeAll
  static void start() {
    cluster = TestCluster.start(2, Map.of());
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void aUserFindsConversationsStartedWhileOfflineOnAnotherNodeNewestFirst(Vertx vertx) {
    int n = UNIQUE.incrementAndGet();
    String ann = "ann-" + n;
    String bob = "bob-" + n;
    String olga = "olga-" + n; // offline while both write to her
    WsClient a = open(vertx, 0, ann);
    WsClient b = open(vertx, 0, bob);
    a.request(privateTo(olga, "call me"));
    JsonObject bobLast = b.request(privateTo(olga, "hello olga"));
    // ann writes again after bob: the node noted her conversation before bob's and does not note
    // it again so soon, so only the messages themselves can put hers first
    JsonObject annLast = a.request(privateTo(olga, "please").put("data", new JsonObject().put("n", 1)));
    for (int i = 0; annLast.getString("ts").equals(bobLast.getString("ts")) && i < 10; i++) {
      annLast = a.request(privateTo(olga, "please").put("data", new JsonObject().put("n", 1)));
      assertEquals("ack", annLast.getString("type"), annLast.encode());
    }

    WsClient o = open(vertx, 1, olga);
    JsonObject reply = o.request(new JsonObject().put("type", "conversations").put("id", "c1"));
    assertEquals("conversations", reply.getString("type"), reply.encode());
    assertEquals("c1", reply.getValue("id"));
    assertEquals(Boolean.FALSE, reply.getBoolean("more"), reply.encode());
    JsonArray list = reply.getJsonArray("conversations");
    assertEquals(2, list.size(), reply.encode());
    JsonObject first = list.getJsonObject(0);
    assertEquals("dm:" + ann + ":" + olga, first.getString("room"), "ann wrote last: " + reply.encode());
    assertEquals(ann, first.getString("with"));
    JsonObject last = first.getJsonObject("last");
    assertEquals("private", last.getString("type"), "the newest message as history gives it");
    assertEquals(annLast.getLong("seq"), last.getLong("seq"));
    assertEquals(annLast.getString("ts"), last.getString("ts"));
    assertEquals(ann, last.getString("from"));
    assertEquals(olga, last.getString("to"));
    assertEquals("please", last.getString("text"));
    assertEquals(new JsonObject().put("n", 1), last.getJsonObject("data"));
    JsonObject second = list.getJsonObject(1);
    assertEquals("dm:" + bob + ":" + olga, second.getString("room"));
    assertEquals(bob, second.getString("with"));
    assertEquals(1L, second.getJsonObject("last").getLong("seq"));
    assertEquals("hello olga", second.getJsonObject("last").getString("text"));

    // the senders see their side, and nobody else sees any of it
    JsonArray annList = a.request(conversations(10)).getJsonArray("conversations");
    assertEquals(1, annList.size(), annList.encode());
    assertEquals(olga, annList.getJsonObject(0).getString("with"));
    WsClient stranger = open(vertx, 1, "cy-" + n);
    JsonObject none = stranger.request(conversations(10));
    assertEquals(new JsonArray(), none.getJsonArray("conversations"), none.encode());
    assertEquals(Boolean.FALSE, none.getBoolean("more"));
    for (WsClient c : List.of(a, b, o, stranger)) {
      c.close();
    }
  }

  @Test
  void theLimitCutsTheListAndMoreSaysSo(Vertx vertx) {
    int n = UNIQUE.incrementAndGet();
    String pat = "pat-" + n;
    WsClient p = open(vertx, 1, pat);
    for (String peer : List.of("x1-" + n, "x2-" + n, "x3-" + n)) {
      p.request(privateTo(peer, "hi " + peer));
    }
    JsonObject two = p.request(conversations(2));
    assertEquals(2, two.getJsonArray("conversations").size(), two.encode());
    assertEquals(Boolean.TRUE, two.getBoolean("more"), two.encode());
    JsonObject all = p.request(conversations(3));
    assertEquals(3, all.getJsonArray("conversations").size(), all.encode());
    assertEquals(Boolean.FALSE, all.getBoolean("more"), all.encode());

    JsonObject bad = p.request(conversations(0).put("id", "bad"));
    assertEquals("error", bad.getString("type"), bad.encode());
    assertEquals("bad_request", bad.getString("code"));
    assertEquals("bad", bad.getValue("id"));
    p.close();
  }

  /**
   * The reply keeps within half of limits.outboundBytes counted in UTF-8, as it goes out: counted
   * in chars, ten newest messages of 20 000 CJK chars (60 KB each) passed as 200 000 and went out
   * as 600 KB.
   */
  @Test
  void theReplyKeepsWithinItsBudgetInBytes(Vertx vertx) {
    int n = UNIQUE.incrementAndGet();
    String wide = "wide-" + n;
    WsClient w = open(vertx, 0, wide);
    String cjk = "\u6f22".repeat(20_000);
    for (int i = 0; i < 10; i++) {
      JsonObject ack = w.request(privateTo("r" + i + "-" + n, "big").put("data", new JsonObject().put("s", cjk)));
      assertEquals("ack", ack.getString("type"), ack.encode());
    }
    JsonObject reply = w.request(conversations(10));
    int listed = reply.getJsonArray("conversations").size();
    long bytes = reply.encode().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    assertTrue(listed >= 1 && listed < 10, listed + " listed");
    assertTrue(bytes <= 1_048_576 / 2, bytes + " bytes");
    assertEquals(Boolean.TRUE, reply.getBoolean("more"), "cut for the budget");
    w.close();
  }

  /**
   * A conversations read costs a read token per ten it may list: each listed conversation's
   * newest message is read from the cluster (up to 64 KiB). At one token, a read bucket's burst
   * of them fetched a hundred times as much as the burst of history pages.
   */
  @Test
  void aLongListCostsAReadTokenPerTen(Vertx vertx) {
    WsClient r = open(vertx, 1, "reader-" + UNIQUE.incrementAndGet());
    int affordable = Buckets.readBurst(cluster.node(1).services().config().limits()) / 10;
    for (int i = 0; i <= affordable; i++) {
      r.send(conversations(100).put("id", i).encode()); // all at once: the bucket refills 20 a second
    }
    List<JsonObject> replies = io.switchboard.support.Await.of(r.collect(f -> f.getValue("id") != null, affordable + 1));
    long refused = replies.stream().filter(f -> "rate_limited".equals(f.getString("code"))).count();
    assertTrue(refused >= 1, "past the burst: " + replies);
    assertEquals("conversations", replies.get(0).getString("type"), replies.get(0).encode());
    r.close();
  }

  private static WsClient open(Vertx vertx, int node, String user) {
    return WsClient.open(vertx, cluster.port(node), Tokens.user(user));
  }

  private static JsonObject privateTo(String to, String text) {
    return new JsonObject().put("type", "private").put("to", to).put("text", text);
  }

  private static JsonObject conversations(int limit) {
    return new JsonObject().put("type", "conversations").put("limit", limit);
  }
}
