package io.switchboard.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.EntryProcessor;
import io.switchboard.protocol.Member;
import io.switchboard.support.Await;
import io.switchboard.support.TestCluster;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A dead node's connections are removed a partition at a time, each partition's leaves told as
 * soon as they are made, and a room that cannot be processed is passed over. One call over every
 * partition failed as a whole when one room threw: the leaves already made, in its partition and
 * elsewhere, were never told, the retry found those rooms clean, and everyone's member lists kept
 * the dead node's users.
 */
class PurgeNodeTest {

  @Test
  void aRoomThatCannotBeProcessedDoesNotTakeTheOthersLeavesWithIt() {
    try (TestCluster cluster = TestCluster.start(1, Map.of("presence.reconcileInterval", 3_600_000))) {
      var node = cluster.node(0);
      HazelcastInstance hz = node.hazelcast();
      int poisoned = hz.getPartitionService().getPartition("poison").getPartitionId();
      Map<String, String> expected = new HashMap<>();
      for (int i = 0; i < 20; i++) {
        RoomOpsForTests.ghostJoin(hz, "r" + i, "u" + i, "n-dead");
        expected.put("r" + i, "u" + i);
      }
      // and one in the partition of the room that cannot be processed
      String neighbour = java.util.stream.IntStream.range(0, 100_000).mapToObj(i -> "n" + i)
          .filter(r -> hz.getPartitionService().getPartition(r).getPartitionId() == poisoned).findFirst().orElseThrow();
      RoomOpsForTests.ghostJoin(hz, neighbour, "neighbour", "n-dead");
      expected.put(neighbour, "neighbour");
      RoomOpsForTests.ghostJoin(hz, "poison", "p", "n-dead");
      hz.<String, RoomState>getMap(RoomStore.MAP_NAME).executeOnKey("poison", new Unreadable());

      RoomStore store = new RoomStore(node.vertx(), hz, node.services().config().history());
      Map<String, String> told = new HashMap<>();
      Map<String, Integer> times = new HashMap<>();
      Promise<Void> allTold = Promise.promise();
      Future<Void> purge = Future.<Future<Void>>future(p -> node.vertx().runOnContext(v -> p.complete(
          store.purgeNode("n-dead", changed -> changed.forEach((room, reply) -> {
            // every user who left, joined in one string: a room told of none or of two shows as such
            told.put(room, reply.members().stream().map(Member::user).collect(java.util.stream.Collectors.joining(",")));
            times.merge(room, 1, Integer::sum);
            if (told.size() == expected.size()) {
              allTold.tryComplete();
            }
          }))))).compose(f -> f);
      Await.of(purge);
      Await.of(allTold.future());
      assertEquals(expected, told, "every other partition's leaves told");
      assertTrue(times.values().stream().allMatch(n -> n == 1), "each room told once: " + times);
    }
  }

  /**
   * Reconciliation, the same way: a room that cannot be reconciled is passed over (logged with its
   * name), and the corrections of every other room, its partition's neighbour too, are answered,
   * so that their leaves are told. (Hazelcast's re-run of the failed partition, answered from the
   * rooms' record of the round's op, had also saved the neighbour before.)
   */
  @Test
  void aRoomThatCannotBeReconciledDoesNotTakeTheOthersCorrectionsWithIt() {
    try (TestCluster cluster = TestCluster.start(1, Map.of("presence.reconcileInterval", 3_600_000))) {
      var node = cluster.node(0);
      HazelcastInstance hz = node.hazelcast();
      int poisoned = hz.getPartitionService().getPartition("poison").getPartitionId();
      String neighbour = java.util.stream.IntStream.range(0, 100_000).mapToObj(i -> "n" + i)
          .filter(r -> hz.getPartitionService().getPartition(r).getPartitionId() == poisoned).findFirst().orElseThrow();
      // connections this node no longer has (leaves that were lost): reconciliation takes them out
      Map<String, List<String>> candidates = new HashMap<>();
      for (String room : List.of("a", "b", "c", neighbour, "poison")) {
        RoomOpsForTests.ghostJoin(hz, room, "u-" + room, "n-here");
        candidates.put(room, List.of("u-" + room));
      }
      hz.<String, RoomState>getMap(RoomStore.MAP_NAME).executeOnKey("poison", new Unreadable());
      long since = io.switchboard.presence.PresenceClock.now();

      RoomStore store = new RoomStore(node.vertx(), hz, node.services().config().history());
      Map<String, RoomReply> replies = Await.of(Future.<Future<Map<String, RoomReply>>>future(p -> node.vertx().runOnContext(
          v -> p.complete(store.reconcile("n-here", new io.switchboard.presence.LocalPresence(), candidates, since))))
          .compose(f -> f));
      Map<String, String> left = new HashMap<>();
      replies.forEach((room, reply) -> left.put(room, reply.left().stream().map(Member::user)
          .collect(java.util.stream.Collectors.joining(","))));
      assertEquals(Map.of("a", "u-a", "b", "u-b", "c", "u-c", neighbour, "u-" + neighbour), left);
    }
  }

  /**
   * A purge whose call failed after its partitions had done it (the owner answered, then died;
   * the backup applied it): the retry, under the same op, tells the leaves made then. Under a new
   * op the rooms looked clean and nobody heard that the dead node's users left.
   */
  @Test
  void aRetryUnderTheSameOpTellsTheLeavesOfACallWhoseAnswerWasLost() {
    try (TestCluster cluster = TestCluster.start(1, Map.of("presence.reconcileInterval", 3_600_000))) {
      var node = cluster.node(0);
      HazelcastInstance hz = node.hazelcast();
      Map<String, String> expected = new HashMap<>();
      for (int i = 0; i < 10; i++) {
        RoomOpsForTests.ghostJoin(hz, "lost" + i, "u" + i, "n-gone");
        expected.put("lost" + i, "u" + i);
      }
      long op = RoomStore.newOpId();
      // the first try: done on every partition, its answer never seen
      hz.<String, RoomState>getMap(RoomStore.MAP_NAME).executeOnEntries(new RoomOps.Purge("n-gone", op));

      RoomStore store = new RoomStore(node.vertx(), hz, node.services().config().history());
      java.util.Set<String> done = java.util.concurrent.ConcurrentHashMap.newKeySet();
      Map<String, String> told = new java.util.concurrent.ConcurrentHashMap<>();
      Promise<Void> allTold = Promise.promise();
      Await.of(Future.<Future<Void>>future(p -> node.vertx().runOnContext(v -> p.complete(
          store.purgeNode("n-gone", op, done, changed -> changed.forEach((room, reply) -> {
            told.put(room, reply.members().stream().map(Member::user).collect(java.util.stream.Collectors.joining(",")));
            if (told.size() == expected.size()) {
              allTold.tryComplete();
            }
          }))))).compose(f -> f));
      Await.of(allTold.future());
      assertEquals(expected, told, "the leaves of the try whose answer was lost");
      assertEquals(hz.getPartitionService().getPartitions().size(), done.size(), "every partition done");

      // a later try of the same purge asks no partition again: nothing is told twice
      Map<String, RoomReply> again = new java.util.concurrent.ConcurrentHashMap<>();
      Await.of(Future.<Future<Void>>future(p -> node.vertx().runOnContext(v -> p.complete(
          store.purgeNode("n-gone", op, done, again::putAll)))).compose(f -> f));
      assertTrue(again.isEmpty(), again.toString());
    }
  }

  /** Where logs end, read a partition at a time for the streams of a node after another died. */
  @Test
  void tailsSayWhereEachLogEnds() {
    try (TestCluster cluster = TestCluster.start(1, Map.of("presence.reconcileInterval", 3_600_000))) {
      var node = cluster.node(0);
      HazelcastInstance hz = node.hazelcast();
      java.util.Set<String> names = new java.util.HashSet<>();
      for (int i = 0; i < 30; i++) {
        RoomOpsForTests.ghostJoin(hz, "t" + i, "u", "n-x");
        names.add("t" + i);
      }
      RoomStore store = new RoomStore(node.vertx(), hz, node.services().config().history());
      Await.of(Future.<Future<Void>>future(p -> node.vertx().runOnContext(v -> p.complete(
          store.append("t3", List.of(io.switchboard.protocol.FrameEncoder.message("t3", "u", "U", null, "hi", null, false, "ts")),
              true, 0).mapEmpty()))).compose(f -> f));
      names.add("nowhere");
      Map<String, Map.Entry<String, Long>> tails = Await.of(Future.<Future<Map<String, Map.Entry<String, Long>>>>future(
          p -> node.vertx().runOnContext(v -> p.complete(store.tails(names, 2_500)))).compose(f -> f));
      assertEquals(31, tails.size(), tails.toString());
      assertEquals(Map.entry("e-test", 1L), Map.entry(tails.get("t3").getKey(), tails.get("t3").getValue()));
      assertEquals(Map.entry("e-test", 0L), Map.entry(tails.get("t7").getKey(), tails.get("t7").getValue()));
      assertEquals("", tails.get("nowhere").getKey(), "no such log: no epoch");
    }
  }

  /** Leaves an entry that Purge cannot process, every time: its membership gone. */
  static final class Unreadable implements EntryProcessor<String, RoomState, Object> {
    @Override
    public Object process(Map.Entry<String, RoomState> entry) {
      RoomState state = entry.getValue();
      try {
        java.lang.reflect.Field members = RoomState.class.getDeclaredField("members");
        members.setAccessible(true);
        members.set(state, null);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
      entry.setValue(state);
      return null;
    }
  }
}
