package io.switchboard.presence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.SwitchboardNode;
import io.switchboard.config.ConfigLoader;
import io.switchboard.protocol.Member;
import io.switchboard.room.RoomStore;
import io.switchboard.support.Await;
import io.switchboard.support.TestCluster;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Reconciliation writes a node's snapshot of its own connections over the cluster's view. A
 * connection that the cluster learns of after the snapshot was taken must survive the round: it
 * is neither in the snapshot nor among the candidates, which are read before the snapshot. (Read
 * after it, every connection admitted during a round was counted out and its rooms left.)
 */
class ReconcileRaceTest {

  @Test
  void whatArrivesAfterTheSnapshotIsLeftAlone() {
    try (TestCluster cluster = TestCluster.start(1, Map.of("presence.reconcileInterval", 3_600_000))) {
      SwitchboardNode node = cluster.node(0);
      String id = node.nodeId();
      UserDirectory users = new UserDirectory(node.vertx(), node.hazelcast());
      RoomStore rooms = new RoomStore(node.vertx(), node.hazelcast(), ConfigLoader.fromMap(Map.of()).history());
      Await.of(users.connect("early", id, 10));
      Await.of(rooms.join("race", "early", "Early", id, true, -1, null, 0));

      Set<String> userCandidates = Await.of(users.onNode(id));
      Map<String, java.util.List<String>> roomCandidates = Await.of(rooms.onNode(id));
      LocalPresence truth = new LocalPresence(); // taken now: "early" has gone, "late" is not here yet
      Await.of(users.connect("late", id, 10));
      Await.of(rooms.join("race", "late", "Late", id, true, -1, null, 0));

      Await.of(users.reconcile(id, truth, userCandidates));
      Await.of(rooms.reconcile(id, truth, roomCandidates));

      Map<String, Integer> totals = Await.of(users.totals(Set.of("early", "late")));
      assertEquals(1, totals.getOrDefault("late", 0), "a connection newer than the snapshot keeps its count");
      assertEquals(0, totals.getOrDefault("early", 0), "a connection the snapshot no longer has is counted out");
      var members = Await.of(rooms.members("race")).members().stream().map(Member::user).toList();
      assertTrue(members.contains("late"), "a join newer than the snapshot stays: " + members);
      assertTrue(!members.contains("early"), "a member the snapshot no longer has leaves: " + members);
    }
  }
}
