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
    for (int i = 0; annLast.getString("ts").equals(bobLast.getString("ts")) && i < 1_000; i++) {
      annLast = a.request(privateTo(olga, "please").put("data", new JsonObject().put("n", 1)));
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
