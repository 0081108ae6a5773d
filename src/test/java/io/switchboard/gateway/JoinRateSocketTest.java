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
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Joins of rooms not joined yet, and reads, take a token (limits.rate a second, a burst of twice maxRooms):
 * a join and leave loop of fresh names made a room and a presence frame for every member per
 * cycle, unthrottled, and could fill history.maxRooms for everyone in seconds.
 */
@ExtendWith(VertxExtension.class)
class JoinRateSocketTest {

  @Test
  void aJoinAndLeaveLoopIsRefusedPastItsBurstAndTheConnectionLives(Vertx vertx) {
    // limits.rate 1: a join's token comes back once a second, so the loops below (round trips to
    // the cluster on a loaded machine) do not get one back halfway (at 5, every 200 ms, they could)
    try (TestCluster cluster = TestCluster.start(1, Map.of("limits.rate", 1, "limits.burst", 5, "limits.maxRooms", 3))) {
      WsClient churn = WsClient.open(vertx, cluster.port(0), Tokens.user("churn"));
      // made by someone else: joining "home" takes only a join's token
      WsClient host = WsClient.open(vertx, cluster.port(0), Tokens.user("host"));
      host.join("home");
      // the rooms exist already (made through the event bus API), so that only the joins' bucket
      // judges the loop, not the budget of new rooms, which a slow loop's extra token would meet
      for (int i = 0; i < 12; i++) {
        Await.of(cluster.node(0).vertx().eventBus().request(io.switchboard.Addresses.PUBLISH,
            new JsonObject().put("room", "fresh-" + i).put("from", "maker").put("text", "here")));
      }
      int joined = 0;
      JsonObject refused = null;
      long start = System.nanoTime();
      for (int i = 0; i < 12 && refused == null; i++) {
        JsonObject reply = churn.join("fresh-" + i);
        if ("joined".equals(reply.getString("type"))) {
          joined++;
          churn.request(new JsonObject().put("type", "leave").put("room", "fresh-" + i));
        } else {
          refused = reply;
        }
      }
      // a token comes back each second: a slow machine's loop may have earned one or two more
      long earned = secondsSince(start) + 1;
      assertTrue(joined >= 6 && joined <= 6 + earned, "the burst (twice maxRooms) and " + earned
          + " s of tokens at most: " + joined);
      assertEquals("rate_limited", refused.getString("code"), refused.encode());
      assertTrue(refused.getString("message").contains("joins a second"), "the joins' bucket: " + refused.encode());
      assertTrue(refused.getLong("retryAfterMs") > 0, refused.encode());

      int refusals = 0;
      long loop = System.nanoTime();
      for (int i = 0; i < 30; i++) { // more refusals than rate-limit abuse allows for messages
        JsonObject reply = churn.join("more-" + i);
        if ("rate_limited".equals(reply.getString("code"))) {
          refusals++;
        } else {
          churn.request(new JsonObject().put("type", "leave").put("room", "more-" + i));
        }
      }
      assertTrue(refusals >= 30 - (secondsSince(loop) + 1) && refusals > 20, "refused but a token a second: " + refusals);
      assertFalse(churn.closed().isComplete(), "refused joins are not abuse: the connection lives");
      JsonObject again = churn.join("home");
      if ("rate_limited".equals(again.getString("code"))) {
        Await.of(Future.<Void>future(p -> vertx.setTimer(again.getLong("retryAfterMs"), t -> p.complete())));
      }
      assertEquals("joined", churn.join("home").getString("type"), "a token later");
      for (int i = 0; i < 10; i++) {
        assertEquals("joined", churn.join("home").getString("type"), "joining a room again takes no join's token");
      }
      churn.close();
      host.close();
    }
  }

  /**
   * Reads (history, members, refresh, and a join of a room joined already) take a token of a
   * bucket of their own: at least 20 a second, a burst of 40.
   */
  @Test
  void readsInALoopAreRefusedPastTheirBurstAndTheConnectionLives(Vertx vertx) {
    try (TestCluster cluster = TestCluster.start(1, Map.of("limits.rate", 5, "limits.burst", 5, "limits.maxRooms", 3))) {
      WsClient reader = WsClient.open(vertx, cluster.port(0), Tokens.user("reader"));
      reader.join("shelf");
      int read = 0;
      long start = System.nanoTime();
      JsonObject refused = history(reader);
      while ("history".equals(refused.getString("type")) && read < 1_000) {
        read++;
        refused = history(reader);
      }
      // the burst (more than twice maxRooms here), and what 20 a second added meanwhile
      double seconds = (System.nanoTime() - start) / 1e9;
      assertTrue(read >= Buckets.READ_BURST && read <= Buckets.READ_BURST + 20 * seconds + 1,
          read + " reads in " + seconds + " s");
      assertEquals("rate_limited", refused.getString("code"), refused.encode());
      assertTrue(refused.getLong("retryAfterMs") > 0, refused.encode());
      // more refusals than rate-limit abuse allows for messages (a token that 20 a second brings
      // back meanwhile answers one of them)
      int refusals = 0;
      int joinsRefused = 0;
      for (int i = 0; refusals < 25 && i < 200; i++) {
        JsonObject answer = switch (i % 3) {
          case 0 -> reader.request(new JsonObject().put("type", "members").put("room", "shelf"));
          case 1 -> reader.request(new JsonObject().put("type", "refresh").put("token", Tokens.user("reader")));
          // a room joined already: its history and members again, a read too
          default -> reader.request(new JsonObject().put("type", "join").put("room", "shelf").put("history", 100));
        };
        if ("error".equals(answer.getString("type"))) {
          assertEquals("rate_limited", answer.getString("code"), answer.encode());
          refusals++;
          joinsRefused += i % 3 == 2 ? 1 : 0;
        }
      }
      assertEquals(25, refusals);
      assertTrue(joinsRefused >= 5, joinsRefused + " joins of the room joined refused");
      assertFalse(reader.closed().isComplete(), "refused reads are not abuse: the connection lives");
      assertEquals("ack", reader.publish("shelf", "writes have their own bucket").getString("type"));
      JsonObject again = history(reader);
      while (!"error".equals(again.getString("type"))) {
        again = history(reader);
      }
      assertEquals("rate_limited", again.getString("code"), again.encode());
      long wait = again.getLong("retryAfterMs");
      Await.of(Future.<Void>future(p -> vertx.setTimer(wait, t -> p.complete())));
      assertEquals("history", history(reader).getString("type"), "a token later");
      reader.close();
    }
  }

  private static JsonObject history(WsClient c) {
    return c.request(new JsonObject().put("type", "history").put("room", "shelf").put("limit", 5));
  }

  private static long secondsSince(long nanoStart) {
    return java.util.concurrent.TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - nanoStart);
  }
}
