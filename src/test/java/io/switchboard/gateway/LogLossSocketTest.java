package io.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.switchboard.room.RoomStore;
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
 * A room's log lost (both copies gone) restarts at seq 1 under a new epoch. Members still
 * connected must get the new log's messages: a member who joined at seq 5 kept 5 as its floor,
 * and the new log's first five messages never reached it.
 */
@ExtendWith(VertxExtension.class)
class LogLossSocketTest {

  @Test
  void membersGetTheNewLogsMessagesFromItsFirst(Vertx vertx) {
    try (TestCluster cluster = TestCluster.start(1, Map.of("presence.reconcileInterval", 1_000))) {
      WsClient alice = WsClient.open(vertx, cluster.port(0), Tokens.user("alice"));
      alice.join("fragile");
      for (int i = 1; i <= 5; i++) {
        alice.publish("fragile", "old " + i);
      }
      WsClient bob = WsClient.open(vertx, cluster.port(0), Tokens.user("bob"));
      JsonObject joined = bob.join("fragile");
      assertEquals(5L, joined.getLong("seq"));

      cluster.node(0).hazelcast().getMap(RoomStore.MAP_NAME).delete("fragile");
      // reconciliation brings the room back with this node's members in it
      JsonObject members = new JsonObject();
      for (int tries = 0; tries < 75; tries++) {
        members = bob.request(new JsonObject().put("type", "members").put("room", "fragile"));
        if (members.getInteger("count") == 2) {
          break;
        }
        Await.of(Future.<Void>future(p -> vertx.setTimer(200, t -> p.complete())));
      }
      assertEquals(2, members.getInteger("count"), members.encode());

      JsonObject ack = alice.publish("fragile", "after the loss");
      assertEquals(1L, ack.getLong("seq"), "the new log starts again");
      JsonObject got = bob.await(f -> "message".equals(f.getString("type")) && "after the loss".equals(f.getString("text")));
      assertEquals(1L, got.getLong("seq"));
      JsonObject rejoined = bob.join("fragile");
      assertNotEquals(joined.getString("epoch"), rejoined.getString("epoch"), "a new epoch says the log was lost");
      alice.close();
      bob.close();
    }
  }
}
