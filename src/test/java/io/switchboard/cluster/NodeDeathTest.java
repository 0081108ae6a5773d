package io.switchboard.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.support.Await;
import io.switchboard.support.TestCluster;
import io.switchboard.support.Tokens;
import io.switchboard.support.WsClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A member dies without a goodbye while publishing goes on (DESIGN properties 2 and 5): no
 * acknowledged message is lost, receivers still get one contiguous order, and the dead node's
 * users leave every members list within {@code cluster.failureTimeout} plus 5 s.
 */
@ExtendWith(VertxExtension.class)
class NodeDeathTest {

  private static final long FAILURE_TIMEOUT = 3_000;
  private static final int PER_PUBLISHER = 150;
  private TestCluster cluster;

  @AfterEach
  void stop() {
    if (cluster != null) { // null when its start failed: the failure is the test's
      cluster.close();
    }
  }

  @Test
  void killedMemberLosesNoAcknowledgedMessageAndItsUsersLeave(Vertx vertx) {
    cluster = TestCluster.start(3, Map.of("cluster.failureTimeout", FAILURE_TIMEOUT,
        "limits.rate", 100_000, "limits.burst", 100_000, "limits.maxConnectionsPerUser", 1));
    String room = "survive";
    WsClient watcher = WsClient.open(vertx, cluster.port(0), Tokens.user("watcher"));
    watcher.join(room);
    WsClient doomed = WsClient.open(vertx, cluster.port(2), Tokens.user("doomed"));
    doomed.join(room);
    // connections per user count cluster-wide: doomed's second, on another node, is refused
    WsClient second = Await.of(WsClient.connect(vertx, cluster.port(0), Tokens.user("doomed")));
    assertEquals(new WsClient.Close(4003, "too many connections"), second.awaitClose());
    List<WsClient> publishers = new ArrayList<>();
    for (int n = 0; n < 3; n++) {
      WsClient p = WsClient.open(vertx, cluster.port(n), Tokens.user("pub" + n));
      p.join(room);
      publishers.add(p);
    }

    Map<String, Future<JsonObject>> replies = new HashMap<>();
    for (int i = 0; i < PER_PUBLISHER; i++) {
      for (int n = 0; n < 3; n++) {
        String id = "m" + n + "-" + i;
        replies.put(id, publishers.get(n).next(f -> id.equals(f.getValue("id"))));
        publishers.get(n).socket().writeTextMessage(new JsonObject().put("type", "publish").put("id", id)
            .put("room", room).put("text", id).encode());
      }
    }
    // kill node 2 while its share of the frames is still in flight
    Await.of(publishers.get(0).collect(f -> "ack".equals(f.getString("type")), 20));
    // timed where it arrives: measured on this thread after the replies below, a slow machine's
    // wait for those would count against the bound
    java.util.concurrent.atomic.AtomicLong leftAt = new java.util.concurrent.atomic.AtomicLong();
    Future<?> doomedLeft = watcher.collect(f -> "presence".equals(f.getString("type")) && "leave".equals(f.getString("event"))
        && "doomed".equals(f.getString("user")), 1).onSuccess(l -> leftAt.set(System.currentTimeMillis()));
    // doomed and pub2: each leave with the count after it, as if one by one (both said the last)
    Future<List<JsonObject>> bothLeft = watcher.collect(f -> "presence".equals(f.getString("type"))
        && "leave".equals(f.getString("event")) && room.equals(f.getString("room")), 2);
    long killedAt = System.currentTimeMillis();
    cluster.kill(2);

    // wait for every reply that can still come: node 0 and 1 answer all; node 2's socket is gone
    Await.of(Future.join(replies.entrySet().stream().filter(e -> !e.getKey().startsWith("m2-"))
        .map(Map.Entry::getValue).collect(Collectors.toList())), 60);
    Map<Long, String> acked = new HashMap<>();
    replies.forEach((id, reply) -> {
      if (reply.succeeded() && "ack".equals(reply.result().getString("type"))) {
        acked.put(reply.result().getLong("seq"), id);
      }
    });
    assertTrue(acked.size() >= 2 * PER_PUBLISHER, "nodes 0 and 1 acknowledged their frames: " + acked.size());

    // the dead node's users are gone from the members list within the bound
    long bound = FAILURE_TIMEOUT + 5_000;
    Await.of(doomedLeft, bound / 1000 + 5);
    long gone = leftAt.get() - killedAt;
    assertTrue(gone <= bound, "doomed left after " + gone + " ms");
    JsonObject members = watcher.request(new JsonObject().put("type", "members").put("room", room));
    List<String> users = members.getJsonArray("members").stream().map(m -> ((JsonObject) m).getString("user"))
        .collect(Collectors.toList());
    assertFalse(users.contains("doomed"), users.toString());
    assertFalse(users.contains("pub2"), users.toString());
    int remaining = members.getInteger("count");
    assertEquals(List.of(remaining + 1, remaining), Await.of(bothLeft).stream().map(f -> f.getInteger("count")).toList(),
        "counts as if they left one by one");

    // the dead node's connections no longer count: doomed (one connection allowed) can come back
    // (the users' purge may retry on its own timer, so attempts are spread over the bound)
    WsClient back = null;
    while (back == null && System.currentTimeMillis() - killedAt <= bound + 2_000) {
      WsClient c = Await.of(WsClient.connect(vertx, cluster.port(1), Tokens.user("doomed")));
      Future<JsonObject> first = c.next(f -> true);
      Await.of(Future.any(first, c.closed()));
      if (first.succeeded() && "welcome".equals(first.result().getString("type"))) {
        back = c;
      } else {
        assertEquals(4003, c.awaitClose().code());
        Await.of(vertx.timer(100));
      }
    }
    assertTrue(back != null, "doomed's connection count was freed");
    assertTrue(System.currentTimeMillis() - killedAt <= bound, "freed within the bound");
    back.close();

    // every acknowledged message is in the history, with the text it was acknowledged for
    Map<Long, String> history = new HashMap<>();
    long after = 0;
    boolean more = true;
    while (more) {
      JsonObject page = watcher.request(new JsonObject().put("type", "history").put("room", room)
          .put("after", after).put("limit", 100));
      JsonArray msgs = page.getJsonArray("messages");
      for (Object o : msgs) {
        JsonObject m = (JsonObject) o;
        history.put(m.getLong("seq"), m.getString("text"));
        after = m.getLong("seq");
      }
      more = page.getBoolean("more");
    }
    acked.forEach((seq, id) -> assertEquals(id, history.get(seq), "acknowledged seq " + seq));

    // and the watcher, on a surviving node, received the whole log in order, gaps filled
    List<Long> seqs = watcher.awaitMessages(room, history.size()).stream().map(m -> m.getLong("seq"))
        .collect(Collectors.toList());
    for (int i = 0; i < seqs.size(); i++) {
      assertEquals(i + 1, seqs.get(i));
    }
    watcher.close();
    publishers.get(0).close();
    publishers.get(1).close();
  }
}
