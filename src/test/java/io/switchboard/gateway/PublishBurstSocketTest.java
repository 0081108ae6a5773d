package io.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.switchboard.support.RawWebSocket;
import io.switchboard.support.TestCluster;
import io.switchboard.support.Tokens;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Publishes that reach the node together (one TCP segment) queue behind the first and are
 * stored by one operation: each is still checked alone (rate, membership), the accepted ones
 * get contiguous seqs in the order they were sent, every publish is answered in that order,
 * and every member sees the messages in it.
 */
class PublishBurstSocketTest {

  private static final int BURST = 6;
  private static final AtomicInteger UNIQUE = new AtomicInteger();

  static TestCluster cluster;

  @BeforeAll
  static void start() {
    // one token a second: a burst's publishes past the bucket are refused, whatever batch they are in
    cluster = TestCluster.start(1, Map.of("limits.rate", 1, "limits.burst", BURST));
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void aBurstOfPublishesIsStoredInOrderAndEachIsAnsweredAlone() throws Exception {
    String room = "burst-" + UNIQUE.incrementAndGet();
    try (RawWebSocket publisher = RawWebSocket.open(cluster.port(0), Tokens.user("burster"));
         RawWebSocket reader = RawWebSocket.open(cluster.port(0), Tokens.user("reader"))) {
      joined(publisher, room);
      joined(reader, room);

      // the join took no token; 1..6 take the bucket, 7 and 8 are refused, 9 is not a member's
      List<String> frames = new ArrayList<>();
      for (int i = 1; i <= BURST + 2; i++) {
        frames.add(new JsonObject().put("type", "publish").put("id", i).put("room", room).put("text", "m" + i).encode());
      }
      frames.add(new JsonObject().put("type", "publish").put("id", 99).put("room", "not-joined").put("text", "x").encode());
      publisher.sendTexts(frames);

      Map<Integer, JsonObject> replies = new HashMap<>();
      List<Integer> replyOrder = new ArrayList<>();
      List<String> echoed = new ArrayList<>();
      while (replies.size() < frames.size() || echoed.size() < BURST) {
        JsonObject f = new JsonObject(publisher.readText());
        if ("message".equals(f.getString("type"))) {
          echoed.add(f.getString("text"));
        } else if (f.containsKey("id")) {
          replies.put(f.getInteger("id"), f);
          replyOrder.add(f.getInteger("id"));
        }
      }

      assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8, 99), replyOrder, "every reply in the order sent, refusals included");
      List<Integer> sent = List.of(1, 2, 3, 4, 5, 6);
      long first = replies.get(1).getLong("seq");
      for (int i : sent) {
        assertEquals(first + i - 1, replies.get(i).getLong("seq"), "contiguous seqs in the order sent: " + replies.get(i));
      }
      assertEquals("rate_limited", replies.get(7).getString("code"));
      assertEquals("rate_limited", replies.get(8).getString("code"));
      assertEquals("not_member", replies.get(99).getString("code"));
      List<String> texts = sent.stream().map(i -> "m" + i).toList();
      assertEquals(texts, echoed, "the sender sees its messages in order");

      List<String> seen = new ArrayList<>();
      long seq = first - 1;
      while (seen.size() < BURST) {
        JsonObject f = new JsonObject(reader.readText());
        if ("message".equals(f.getString("type"))) {
          assertEquals(++seq, f.getLong("seq"));
          assertEquals("burster", f.getString("from"));
          seen.add(f.getString("text"));
        }
      }
      assertEquals(texts, seen, "another member sees them in order");
    }
  }

  /**
   * Keyed publishes that reach the node together are each stored under their own key: sent again
   * after a lost ack, each is found and answered with its first seq, not stored a second time.
   */
  @Test
  void keyedPublishesInABurstAreEachFoundWhenSentAgain() throws Exception {
    String room = "keyed-" + UNIQUE.incrementAndGet();
    try (RawWebSocket publisher = RawWebSocket.open(cluster.port(0), Tokens.user("keyer"))) {
      joined(publisher, room);
      List<String> frames = new ArrayList<>();
      for (int i = 1; i <= 4; i++) {
        frames.add(new JsonObject().put("type", "publish").put("id", i).put("room", room).put("text", "k" + i)
            .put("key", "key-" + i).encode());
      }
      publisher.sendTexts(frames);
      Map<Integer, Long> seqs = acks(publisher, 4);
      publisher.sendTexts(List.of(frames.get(1).replace("\"id\":2", "\"id\":12"),
          frames.get(2).replace("\"id\":3", "\"id\":13")));
      Map<Integer, Long> again = acks(publisher, 2);
      assertEquals(seqs.get(2), again.get(12), "found again under its key: " + seqs + " " + again);
      assertEquals(seqs.get(3), again.get(13), "found again under its key: " + seqs + " " + again);
      publisher.sendText(new JsonObject().put("type", "history").put("id", "h").put("room", room).encode());
      while (true) {
        JsonObject f = new JsonObject(publisher.readText());
        if ("h".equals(f.getString("id"))) {
          assertEquals(4, f.getJsonArray("messages").size(), "stored once each: " + f.encode());
          return;
        }
      }
    }
  }

  /** The seq of each of the next {@code count} acks, by id. */
  private static Map<Integer, Long> acks(RawWebSocket ws, int count) throws Exception {
    Map<Integer, Long> seqs = new HashMap<>();
    while (seqs.size() < count) {
      JsonObject f = new JsonObject(ws.readText());
      if ("ack".equals(f.getString("type"))) {
        seqs.put(f.getInteger("id"), f.getLong("seq"));
      } else if (f.containsKey("id")) {
        throw new AssertionError("not an ack: " + f.encode());
      }
    }
    return seqs;
  }

  private static void joined(RawWebSocket ws, String room) throws Exception {
    assertEquals("welcome", new JsonObject(ws.readText()).getString("type"));
    ws.sendText(new JsonObject().put("type", "join").put("id", "j").put("room", room).encode());
    while (true) {
      JsonObject f = new JsonObject(ws.readText());
      if ("joined".equals(f.getString("type"))) {
        return;
      }
    }
  }
}
