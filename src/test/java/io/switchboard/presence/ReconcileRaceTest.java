package io.switchboard.presence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.map.EntryProcessor;

import io.switchboard.SwitchboardNode;
import io.switchboard.config.ConfigLoader;
import io.switchboard.protocol.Member;
import io.switchboard.room.RoomStore;
import io.switchboard.support.Await;
import io.switchboard.support.TestCluster;
import io.switchboard.support.Tokens;
import io.switchboard.support.WsClient;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Reconciliation writes a node's snapshot of its own connections over the cluster's view. A
 * connection that the cluster learns of after the snapshot was taken must survive the round: it
 * is neither in the snapshot nor among the candidates, which are read before the snapshot. (Read
 * after it, every connection admitted during a round was counted out and its rooms left.)
 */
@ExtendWith(VertxExtension.class)
class ReconcileRaceTest {

  /**
   * Holds the partition thread of its key until the test opens {@code release}, so that what is
   * queued behind it waits. A one-member cluster runs it as it is, without serializing it.
   */
  static final class Hold implements EntryProcessor<String, Object, Object> {
    private final CountDownLatch release;

    Hold(CountDownLatch release) {
      this.release = release;
    }

    @Override
    public Object process(Map.Entry<String, Object> entry) {
      try {
        release.await(Await.SECONDS, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return null;
    }
  }

  /**
   * A member who leaves after the node's truth was taken (and whose leave reaches the cluster
   * before the round's write) is still in that truth. Written as it stands, the round put the
   * member back and announced a join, and the next round a leave: a phantom member for a round.
   * The leave's stamp tells the round that the room changed after its truth.
   */
  @Test
  void aLeaveAfterTheSnapshotIsNotUndone() {
    try (TestCluster cluster = TestCluster.start(1, Map.of("presence.reconcileInterval", 3_600_000))) {
      SwitchboardNode node = cluster.node(0);
      String id = node.nodeId();
      RoomStore rooms = new RoomStore(node.vertx(), node.hazelcast(), ConfigLoader.fromMap(Map.of()).history());
      Await.of(rooms.join("leaving", "gone", "Gone", id, true, -1, null, 0));
      Await.of(rooms.join("lost", "other", "Other", "another-node", true, -1, null, 0));

      Map<String, java.util.List<String>> candidates = Await.of(rooms.onNode(id));
      long since = PresenceClock.now();
      LocalPresence truth = new LocalPresence(); // taken now: "gone" is still here, and a join the cluster lost
      truth.addJoined("leaving", "gone", "Gone");
      truth.addJoined("lost", "kept", "Kept");
      Await.of(rooms.leave("leaving", "gone", id)); // after the truth, before the round's write

      var changed = Await.of(rooms.reconcile(id, truth, candidates, since));

      var members = Await.of(rooms.members("leaving")).members().stream().map(Member::user).toList();
      assertFalse(members.contains("gone"), "a member who left after the truth is not put back: " + members);
      assertFalse(changed.containsKey("leaving") && changed.get("leaving").corrected(),
          "and no join is announced for it (only its log's end is told): " + changed.keySet());
      var restored = Await.of(rooms.members("lost")).members().stream().map(Member::user).toList();
      assertEquals(java.util.List.of("kept", "other"), restored, "a room that did not change since is still put right");
    }
  }

  /**
   * The same for a connection's count: one that closes after the truth was taken is not counted
   * back in. Its entry stays as a tombstone (the disconnect's stamp) until the node's next
   * round, which drops it.
   */
  @Test
  void aDisconnectAfterTheSnapshotIsNotUndone() {
    try (TestCluster cluster = TestCluster.start(1, Map.of("presence.reconcileInterval", 3_600_000))) {
      SwitchboardNode node = cluster.node(0);
      String id = node.nodeId();
      UserDirectory users = new UserDirectory(node.vertx(), node.hazelcast());
      Await.of(users.connect("closing", id, 10));

      Set<String> candidates = Await.of(users.onNode(id));
      long since = PresenceClock.now();
      LocalPresence truth = new LocalPresence(); // taken now: "closing" is still open, "lost" the cluster forgot
      truth.addUser("closing", 1);
      truth.addUser("lost", 1);
      Await.of(users.disconnect("closing", id)); // after the truth, before the round's write

      Await.of(users.reconcile(id, truth, candidates, since));
      Map<String, Integer> totals = Await.of(users.totals(Set.of("closing", "lost")));
      assertEquals(0, totals.getOrDefault("closing", 0), "a connection closed after the truth is not counted back");
      assertEquals(1, totals.getOrDefault("lost", 0), "a count the cluster lost is still put back");

      Set<String> next = Await.of(users.onNode(id));
      assertTrue(next.contains("closing"), "the tombstone is the next round's candidate: " + next);
      Await.of(users.reconcile(id, new LocalPresence(), next, PresenceClock.now()));
      var map = node.hazelcast().<String, UserConnections>getMap(UserDirectory.MAP_NAME);
      assertFalse(map.containsKey("closing"), "the next round drops the tombstone");
      assertEquals(0, Await.of(users.totals(Set.of("lost"))).getOrDefault("lost", 0),
          "and counts out what its own truth no longer has");
    }
  }

  /**
   * A connection the cluster has counted but the gateway has not opened yet (the count's answer is
   * on its way back) is in neither the node's truth nor, until then, its recent changes. Unless it
   * is busy, a round that read it as a candidate sets its count to the truth's 0: a live
   * connection counted out, its user "offline" and unreachable by private messages for a round.
   */
  @Test
  void aConnectionTheClusterIsStillCountingIsBusy(Vertx vertx) {
    try (TestCluster cluster = TestCluster.start(1, Map.of("presence.reconcileInterval", 3_600_000))) {
      SwitchboardNode node = cluster.node(0);
      CountDownLatch release = new CountDownLatch(1);
      var held = node.hazelcast().<String, Object>getMap(UserDirectory.MAP_NAME).submitToKey("pending", new Hold(release));
      WsClient client;
      try {
        client = Await.of(WsClient.connect(vertx, cluster.port(0), Tokens.user("pending")));
        long deadline = System.currentTimeMillis() + 5_000;
        LocalPresence truth;
        do {
          truth = Await.of(node.services().router().snapshot(0));
          if (!truth.busyUsers.contains("pending")) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // the gateway's count request is on its way
          }
        } while (!truth.busyUsers.contains("pending") && System.currentTimeMillis() < deadline);
        assertTrue(truth.busyUsers.contains("pending"), "a connection being counted is busy: " + truth.busyUsers);
        assertFalse(truth.users.containsKey("pending"), "and not in the truth: " + truth.users);
      } finally {
        release.countDown();
      }
      Await.of(io.vertx.core.Future.fromCompletionStage(held));
      client.awaitType("welcome");
      LocalPresence settled = Await.of(node.services().router().snapshot(0));
      assertEquals(1, settled.users.get("pending"), "once open, the connection is in the truth");
      assertFalse(settled.busyUsers.contains("pending"), "and no longer busy once settled");
    }
  }

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
      long since = PresenceClock.now();
      LocalPresence truth = new LocalPresence(); // taken now: "early" has gone, "late" is not here yet
      Await.of(users.connect("late", id, 10));
      Await.of(rooms.join("race", "late", "Late", id, true, -1, null, 0));

      Await.of(users.reconcile(id, truth, userCandidates, since));
      Await.of(rooms.reconcile(id, truth, roomCandidates, since));

      Map<String, Integer> totals = Await.of(users.totals(Set.of("early", "late")));
      assertEquals(1, totals.getOrDefault("late", 0), "a connection newer than the snapshot keeps its count");
      assertEquals(0, totals.getOrDefault("early", 0), "a connection the snapshot no longer has is counted out");
      var members = Await.of(rooms.members("race")).members().stream().map(Member::user).toList();
      assertTrue(members.contains("late"), "a join newer than the snapshot stays: " + members);
      assertTrue(!members.contains("early"), "a member the snapshot no longer has leaves: " + members);
    }
  }

  /**
   * A user who is in the node's truth with one connection and opens a second one after it was
   * taken (a second tab) keeps both. Before, the round set the counts back to the truth's one:
   * the first tab's leave then took the user out of the room (a leave announced, and the node
   * dropped from the room's fan-out while the second tab was still in it) and the second tab
   * uncounted for {@code maxConnectionsPerUser}, for a round.
   */
  @Test
  void aSecondConnectionAfterTheSnapshotIsNotCountedOut() {
    try (TestCluster cluster = TestCluster.start(1, Map.of("presence.reconcileInterval", 3_600_000))) {
      SwitchboardNode node = cluster.node(0);
      String id = node.nodeId();
      UserDirectory users = new UserDirectory(node.vertx(), node.hazelcast());
      RoomStore rooms = new RoomStore(node.vertx(), node.hazelcast(), ConfigLoader.fromMap(Map.of()).history());
      Await.of(users.connect("tabs", id, 10));
      Await.of(rooms.join("two-tabs", "tabs", "Tabs", id, true, -1, null, 0));
      Await.of(rooms.join("two-tabs", "ghost", "Ghost", id, true, -1, null, 0)); // a leave the cluster lost

      Set<String> userCandidates = Await.of(users.onNode(id));
      Map<String, java.util.List<String>> roomCandidates = Await.of(rooms.onNode(id));
      long since = PresenceClock.now();
      LocalPresence truth = new LocalPresence(); // taken now: the first tab only
      truth.addUser("tabs", 1);
      truth.addJoined("two-tabs", "tabs", "Tabs");
      Await.of(users.connect("tabs", id, 10)); // the second tab, after the truth
      Await.of(rooms.join("two-tabs", "tabs", "Tabs", id, true, -1, null, 0));

      Await.of(users.reconcile(id, truth, userCandidates, since));
      Await.of(rooms.reconcile(id, truth, roomCandidates, since));

      assertEquals(2, Await.of(users.totals(Set.of("tabs"))).getOrDefault("tabs", 0), "both tabs counted");
      var members = Await.of(rooms.members("two-tabs")).members().stream().map(Member::user).toList();
      assertEquals(java.util.List.of("tabs"), members, "the lost leave is still put right in the same room");
      assertFalse(Await.of(rooms.leave("two-tabs", "tabs", id)).edge(), "the first tab's leave is not the user's last");
      assertEquals(java.util.List.of("tabs"), Await.of(rooms.members("two-tabs")).members().stream().map(Member::user).toList());

      // the next round, whose truth has the second tab, takes the stamps it has served
      LocalPresence next = new LocalPresence();
      next.addUser("tabs", 2);
      next.addJoined("two-tabs", "tabs", "Tabs");
      long later = PresenceClock.now();
      Await.of(users.reconcile(id, next, Await.of(users.onNode(id)), later));
      Await.of(rooms.reconcile(id, next, Await.of(rooms.onNode(id)), later));
      assertEquals(2, Await.of(users.totals(Set.of("tabs"))).getOrDefault("tabs", 0));
    }
  }

  /**
   * A member who just joined (busy: the join may still be on its way) holds back only that
   * member, not the whole room: a leave the cluster lost is still put right in the same round.
   * Before, a room with steady comings and goings on a node was busy at every round, and a lost
   * leave in it stayed for as long as the churn went on.
   */
  @Test
  void aBusyMemberDoesNotKeepTheRestOfItsRoomFromBeingPutRight(Vertx vertx) {
    try (TestCluster cluster = TestCluster.start(1, Map.of("presence.reconcileInterval", 3_600_000))) {
      SwitchboardNode node = cluster.node(0);
      String id = node.nodeId();
      RoomStore rooms = new RoomStore(node.vertx(), node.hazelcast(), ConfigLoader.fromMap(Map.of()).history());
      io.switchboard.room.RoomOpsForTests.ghostJoin(node.hazelcast(), "churn", "ghost", id); // a leave that was lost
      WsClient alice = WsClient.open(vertx, cluster.port(0), Tokens.user("alice"));
      alice.join("churn"); // just now: busy for the settle time

      Map<String, java.util.List<String>> candidates = Await.of(rooms.onNode(id));
      long since = PresenceClock.now();
      LocalPresence truth = Await.of(node.services().router().snapshot(PresenceReconciler.SETTLE_MS));
      assertEquals(Set.of("alice"), truth.busyMembers.get("churn"), "alice is busy in the room");
      assertFalse(truth.busyRooms.contains("churn"), "the room as a whole is not");

      var changed = Await.of(rooms.reconcile(id, truth, candidates, since));
      assertEquals(java.util.List.of("ghost"), changed.get("churn").left().stream().map(Member::user).toList());
      assertEquals(java.util.List.of("alice"), Await.of(rooms.members("churn")).members().stream().map(Member::user).toList(),
          "alice stays, the ghost is gone");
      alice.close();
    }
  }

  /**
   * A leave on its way to the cluster (here held up by a stalled partition; in the wild, retried
   * by Hazelcast across a migration) keeps its member out of reconciliation until it is answered:
   * a round that set the user's count meanwhile would have the late leave take one from it again.
   */
  @Test
  void aLeaveOnItsWayKeepsItsMemberOutOfReconciliation(Vertx vertx) {
    try (TestCluster cluster = TestCluster.start(1, Map.of("presence.reconcileInterval", 3_600_000))) {
      SwitchboardNode node = cluster.node(0);
      WsClient one = WsClient.open(vertx, cluster.port(0), Tokens.user("ulla"));
      one.join("slow-room");
      WsClient two = WsClient.open(vertx, cluster.port(0), Tokens.user("ulla"));
      two.join("slow-room");
      node.hazelcast().<String, Object>getMap(RoomStore.MAP_NAME).submitToKey("slow-room",
          new io.switchboard.support.PartitionStall(3_000));
      io.vertx.core.Future<io.vertx.core.json.JsonObject> left = one.next(f -> "bye".equals(f.getValue("id")));
      one.send(new io.vertx.core.json.JsonObject().put("type", "leave").put("id", "bye").put("room", "slow-room").encode());
      assertTrue(within(vertx, node, 1_000, p -> p.busyMembers.getOrDefault("slow-room", Set.of()).contains("ulla")),
          "left alone while the leave is on its way");
      assertEquals("left", Await.of(left).getString("type"));
      LocalPresence after = Await.of(node.services().router().snapshot(0));
      assertFalse(after.busyMembers.getOrDefault("slow-room", Set.of()).contains("ulla"), "and reconciled again once answered");
      one.close();
      two.close();
    }
  }

  /**
   * A leave the node gave up on (past its 5 s deadline) may still be retried by Hazelcast: its
   * member stays left alone until the cluster has answered it, not just until the client was.
   */
  @Test
  void aLeavePastItsDeadlineKeepsItsMemberOutOfReconciliationTillTheClusterAnswers(Vertx vertx) {
    try (TestCluster cluster = TestCluster.start(1, Map.of("presence.reconcileInterval", 3_600_000))) {
      SwitchboardNode node = cluster.node(0);
      WsClient one = WsClient.open(vertx, cluster.port(0), Tokens.user("wanda"));
      one.join("stuck-room");
      WsClient two = WsClient.open(vertx, cluster.port(0), Tokens.user("wanda"));
      two.join("stuck-room");
      // the room's partition is held until the check below is done, however long the deadline took
      java.util.concurrent.CompletableFuture<Void> release = new java.util.concurrent.CompletableFuture<>();
      int partition = node.hazelcast().getPartitionService().getPartition("stuck-room").getPartitionId();
      io.switchboard.support.PartitionThreadStall.holdUntil(node.hazelcast(), partition, release, 60_000);
      try {
        assertEquals("left", one.request(new io.vertx.core.json.JsonObject().put("type", "leave").put("room", "stuck-room"))
            .getString("type"), "answered at the deadline");
        assertTrue(Await.of(node.services().router().snapshot(0)).busyMembers.getOrDefault("stuck-room", Set.of())
            .contains("wanda"), "still left alone: the cluster has not answered the leave yet");
      } finally {
        release.complete(null);
      }
      assertTrue(within(vertx, node, 10_000, p -> !p.busyMembers.getOrDefault("stuck-room", Set.of()).contains("wanda")),
          "and reconciled again once the cluster answered");
      one.close();
      two.close();
    }
  }

  /** The same for a closed connection's count: the user is left alone until the disconnect is answered. */
  @Test
  void aDisconnectOnItsWayKeepsItsUserOutOfReconciliation(Vertx vertx) {
    try (TestCluster cluster = TestCluster.start(1, Map.of("presence.reconcileInterval", 3_600_000))) {
      SwitchboardNode node = cluster.node(0);
      WsClient one = WsClient.open(vertx, cluster.port(0), Tokens.user("vera"));
      WsClient two = WsClient.open(vertx, cluster.port(0), Tokens.user("vera"));
      node.hazelcast().<String, Object>getMap(UserDirectory.MAP_NAME).submitToKey("vera",
          new io.switchboard.support.PartitionStall(3_000));
      one.close();
      assertTrue(within(vertx, node, 2_000, p -> p.busyUsers.contains("vera")), "left alone while the disconnect is on its way");
      assertTrue(within(vertx, node, 10_000, p -> !p.busyUsers.contains("vera")), "and reconciled again once answered");
      two.close();
    }
  }

  /**
   * Whether {@code holds} comes true of the node's own view (settled at once) within {@code ms}:
   * a change under way is seen only once the gateway has taken the client's frame.
   */
  private static boolean within(Vertx vertx, SwitchboardNode node, long ms,
                                java.util.function.Predicate<LocalPresence> holds) {
    long end = System.nanoTime() + ms * 1_000_000;
    while (!holds.test(Await.of(node.services().router().snapshot(0)))) {
      if (System.nanoTime() > end) {
        return false;
      }
      Await.of(vertx.timer(20));
    }
    return true;
  }
}
