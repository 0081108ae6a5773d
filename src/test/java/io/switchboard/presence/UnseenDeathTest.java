package io.switchboard.presence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.core.HazelcastInstance;
import io.switchboard.room.RoomOpsForTests;
import io.switchboard.support.Await;
import io.switchboard.support.TestCluster;
import io.switchboard.support.Tokens;
import io.switchboard.support.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A node whose death nobody saw (it died while the only other node was starting, or its purge
 * was given up) left its users in member lists and in the directory, where they counted against
 * their connection limit for good. The oldest member's sweep purges it as if it had just died.
 */
@ExtendWith(VertxExtension.class)
class UnseenDeathTest {

  @Test
  void aNodeThatIsNotAMemberIsPurgedByTheSweep(Vertx vertx) {
    try (TestCluster cluster = TestCluster.start(1, Map.of("presence.reconcileInterval", 1_000))) {
      HazelcastInstance hz = cluster.node(0).hazelcast();
      WsClient ann = WsClient.open(vertx, cluster.port(0), Tokens.user("sweep-ann"));
      ann.join("haunted");
      // what the unseen node left: its user's connection, in the directory and in ann's room
      // (after her join: a sweep before it would have told nobody)
      Await.of(cluster.node(0).services().users().connect("ghost", "n-unseen", 10));
      RoomOpsForTests.ghostJoin(hz, "haunted", "ghost", "n-unseen");

      JsonObject left = ann.await(f -> "presence".equals(f.getString("type")) && "leave".equals(f.getString("event")));
      assertEquals("ghost", left.getString("user"), left.encode());
      assertEquals(1, left.getInteger("count"), left.encode());
      assertTrue(Await.until(vertx, () -> hz.getMap(UserDirectory.MAP_NAME).get("ghost") == null, 50, 200),
          "the directory no longer counts the ghost's connection");
      // the live node's own connections stay: only nodes that are not members are purged
      JsonObject members = ann.request(new JsonObject().put("type", "members").put("room", "haunted"));
      assertEquals(List.of("sweep-ann"), members.getJsonArray("members").stream()
          .map(m -> ((JsonObject) m).getString("user")).toList(), members.encode());
      assertEquals(1, hz.<String, UserConnections>getMap(UserDirectory.MAP_NAME).get("sweep-ann").total());
      ann.close();
    }
  }
}
