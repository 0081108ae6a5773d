package io.switchboard.presence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.switchboard.room.RoomOpsForTests;
import io.switchboard.support.Await;
import io.switchboard.support.TestCluster;
import io.switchboard.support.Tokens;
import io.switchboard.support.WsClient;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Presence that drifted from the truth (a node wrongly purged, a lost leave) is repaired by the
 * periodic reconciliation, and the repair is announced as presence events.
 */
@ExtendWith(VertxExtension.class)
class ReconcileSocketTest {

  @Test
  void wronglyRemovedConnectionsComeBackAndGhostsGo(Vertx vertx) {
    try (TestCluster cluster = TestCluster.start(1, Map.of("presence.reconcileInterval", 1_000))) {
      HazelcastInstance hz = cluster.node(0).hazelcast();
      String node = cluster.node(0).nodeId();
      WsClient alice = WsClient.open(vertx, cluster.port(0), Tokens.user("alice"));
      WsClient bob = WsClient.open(vertx, cluster.port(0), Tokens.user("bob"));
      alice.join("drift");
      bob.join("drift");
      alice.awaitType("presence"); // bob's join

      // the cluster forgets this node's connections, as after a network blip
      RoomOpsForTests.purge(hz, node);
      hz.<String, UserConnections>getMap(UserDirectory.MAP_NAME).executeOnEntries(new UserOps.Disconnect(node, true, 0));
      assertEquals(0, members(alice).size());

      // reconciliation puts them back and says so
      alice.await(f -> "presence".equals(f.getString("type")) && "join".equals(f.getString("event"))
          && "bob".equals(f.getString("user")));
      bob.await(f -> "presence".equals(f.getString("type")) && "join".equals(f.getString("event"))
          && "alice".equals(f.getString("user")));
      assertEquals(List.of("alice", "bob"), members(alice));
      // the same round counted alice back in: she is not told of her own coming (nor is bob of his)
      assertTrue(alice.frames().stream().noneMatch(f -> "presence".equals(f.getString("type"))
          && "alice".equals(f.getString("user"))), alice.frames().toString());
      assertTrue(bob.frames().stream().noneMatch(f -> "presence".equals(f.getString("type"))
          && "bob".equals(f.getString("user"))), bob.frames().toString());
      UserConnections bobs = hz.<String, UserConnections>getMap(UserDirectory.MAP_NAME).get("bob");
      assertEquals(1, bobs.total());

      // a connection the cluster counts but that does not exist goes, with a leave
      // (two, so that one round takes both: each leave tells the count after it, as if one by one)
      var ghostsLeft = alice.collect(f -> "presence".equals(f.getString("type")) && "leave".equals(f.getString("event"))
          && f.getString("user").startsWith("ghost"), 2);
      RoomOpsForTests.ghostJoin(hz, "drift", "ghost", node); // the leaves awaited below prove they were counted
      RoomOpsForTests.ghostJoin(hz, "drift", "ghost2", node);
      assertEquals(List.of(3, 2), Await.of(ghostsLeft).stream().map(f -> f.getInteger("count")).toList(),
          "the counts after each leave: " + alice.frames());
      assertEquals(List.of("alice", "bob"), members(alice));

      // and a user the directory counts on this node but who is not connected is forgotten
      IMap<String, UserConnections> users = hz.getMap(UserDirectory.MAP_NAME);
      users.executeOnKey("phantom", new UserOps.Connect(node, 10));
      assertEquals(1, users.get("phantom").total());
      Promise<Void> gone = Promise.promise();
      vertx.setPeriodic(100, id -> vertx.<Boolean>executeBlocking(() -> users.get("phantom") == null).onSuccess(yes -> {
        if (yes) {
          vertx.cancelTimer(id);
          gone.tryComplete();
        }
      }));
      Await.of(gone.future());
      assertEquals(1, users.get("bob").total(), "real users stay");
      alice.close();
      bob.close();
    }
  }

  @Test
  void aUserOverTheLimitOnceCountsAreTrueLosesTheNewestConnection(Vertx vertx) {
    try (TestCluster cluster = TestCluster.start(1, Map.of("presence.reconcileInterval", 1_000,
        "limits.maxConnectionsPerUser", 2))) {
      HazelcastInstance hz = cluster.node(0).hazelcast();
      // another node, a member (one that is not would be purged by the sweep for unseen deaths),
      // whose own rounds do not correct what it counts
      com.hazelcast.config.Config otherConfig = io.switchboard.ClusterSetup.hazelcast(
          io.switchboard.config.ConfigLoader.fromMap(Map.of()));
      otherConfig.setLiteMember(true);
      cluster.joinThis(otherConfig);
      otherConfig.getMemberAttributeConfig().setAttribute(NodeIds.ATTRIBUTE, "n-other");
      HazelcastInstance other = com.hazelcast.core.Hazelcast.newHazelcastInstance(otherConfig);
      try {
        WsClient older = WsClient.open(vertx, cluster.port(0), Tokens.user("carol"));
        WsClient newer = WsClient.open(vertx, cluster.port(0), Tokens.user("carol"));
        // the other node counts one more connection of carol: three, one over the limit
        hz.<String, UserConnections>getMap(UserDirectory.MAP_NAME).executeOnKey("carol", new UserOps.Connect("n-other", 10));
        assertEquals(new WsClient.Close(4003, "too many connections"), newer.awaitClose());
        JsonObject pong = older.request(new JsonObject().put("type", "ping"));
        assertEquals("pong", pong.getString("type"), "the older connection stays");
        older.close();
      } finally {
        other.getLifecycleService().terminate();
      }
    }
  }

  private static List<String> members(WsClient c) {
    return c.request(new JsonObject().put("type", "members").put("room", "drift")).getJsonArray("members").stream()
        .map(m -> ((JsonObject) m).getString("user")).collect(Collectors.toList());
  }
}
