package io.switchboard.presence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.support.TestCluster;
import io.switchboard.support.Tokens;
import io.switchboard.support.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * With {@code presence.leaveGrace}, a client whose connection drops and that comes back within
 * it, on another node, causes no leave and join for the room's members; one that does not come
 * back leaves once the grace is over. A flapping connection no longer floods a room with both.
 */
@ExtendWith(VertxExtension.class)
class LeaveGraceSocketTest {

  private static final long GRACE = 4_000; // fred reconnects and joins within it, on a loaded machine too

  @Test
  void aClientBackWithinTheGraceIsNeverSeenLeaving(Vertx vertx) {
    try (TestCluster cluster = TestCluster.start(2, Map.of("presence.leaveGrace", GRACE))) {
      WsClient observer = WsClient.open(vertx, cluster.port(0), Tokens.user("olga"));
      observer.join("flap");
      WsClient flapper = WsClient.open(vertx, cluster.port(0), Tokens.user("fred"));
      flapper.join("flap");
      WsClient goner = WsClient.open(vertx, cluster.port(0), Tokens.user("gina"));
      goner.join("flap");
      observer.await(f -> "presence".equals(f.getString("type")) && "gina".equals(f.getString("user")));

      flapper.close();
      long closed = System.nanoTime();
      goner.close(); // after fred's: once her leave is seen, fred's held leave has gone out too
      WsClient back = WsClient.open(vertx, cluster.port(1), Tokens.user("fred"));
      back.join("flap");

      JsonObject left = observer.await(f -> "presence".equals(f.getString("type")) && "gina".equals(f.getString("user"))
          && "leave".equals(f.getString("event")));
      assertEquals(2, left.getInteger("count"));
      assertTrue((System.nanoTime() - closed) / 1_000_000 >= GRACE - 100, "held back for the grace");
      List<String> aboutFred = observer.frames().stream()
          .filter(f -> "presence".equals(f.getString("type")) && "fred".equals(f.getString("user")))
          .map(f -> f.getString("event")).collect(Collectors.toList());
      assertEquals(List.of("join"), aboutFred, "his first join only: no leave, no join again");
      JsonObject members = observer.request(new JsonObject().put("type", "members").put("room", "flap"));
      assertEquals(List.of("fred", "olga"), members.getJsonArray("members").stream()
          .map(m -> ((JsonObject) m).getString("user")).toList());
      observer.close();
      back.close();
    }
  }

  /**
   * A held leave holds back reconciliation for its own member only: a room where some leave is
   * always held (clients dropping all the time) still has its other members put right.
   */
  @Test
  void aHeldLeaveLeavesTheRoomsOtherMembersToReconciliation(Vertx vertx) {
    try (TestCluster cluster = TestCluster.start(1, Map.of("presence.leaveGrace", 60_000, "presence.reconcileInterval", 1_000))) {
      WsClient observer = WsClient.open(vertx, cluster.port(0), Tokens.user("oona"));
      observer.join("churn");
      WsClient dropper = WsClient.open(vertx, cluster.port(0), Tokens.user("dora"));
      dropper.join("churn");
      WsClient lost = WsClient.open(vertx, cluster.port(0), Tokens.user("lars"));
      lost.join("churn");
      observer.await(f -> "presence".equals(f.getString("type")) && "lars".equals(f.getString("user"))
          && "join".equals(f.getString("event")));
      dropper.close(); // her leave is held for a minute
      // lars's membership is lost in the cluster (as by a leave recorded wrongly): he is still here
      io.switchboard.support.Await.of(cluster.node(0).services().rooms().leave(new JsonObject().put("room", "churn")
          .put("user", "lars")));
      observer.await(f -> "presence".equals(f.getString("type")) && "lars".equals(f.getString("user"))
          && "leave".equals(f.getString("event")));
      JsonObject back = observer.await(f -> "presence".equals(f.getString("type")) && "lars".equals(f.getString("user"))
          && "join".equals(f.getString("event")));
      assertEquals("churn", back.getString("room"), "reconciliation put him back while dora's leave is held");
      assertTrue(observer.frames().stream().noneMatch(f -> "presence".equals(f.getString("type"))
          && "dora".equals(f.getString("user")) && "leave".equals(f.getString("event"))), "hers is still held");
      observer.close();
      lost.close();
    }
  }
}
