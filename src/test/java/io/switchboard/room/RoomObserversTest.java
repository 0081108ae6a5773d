package io.switchboard.room;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.core.EntryAdapter;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.multimap.MultiMap;
import io.switchboard.Addresses;
import io.switchboard.support.Await;
import io.switchboard.support.TestCluster;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * A node publishes a room's messages to its observer address only while some program consumes
 * it, and follows vertx-hazelcast's map of registrations for that. A registration whose event
 * comes after the node has read the whole map (at its start, and whenever the map is cleared)
 * must not count twice: counted from the events (+1, −1), it did, and once the program went,
 * the room was still published to nobody for good.
 */
class RoomObserversTest {

  @Test
  void aRegistrationWhoseEventComesAfterAFullReadCountsOnce() throws Exception {
    try (TestCluster cluster = TestCluster.start(1, Map.of())) {
      var node = cluster.node(0);
      Vertx vertx = node.vertx();
      RoomObservers observers = new RoomObservers(vertx, node.hazelcast());
      Await.of(observers.start());
      MultiMap<String, Object> subs = node.hazelcast().getMultiMap(RoomObservers.SUBS);
      String address = Addresses.room("watched");
      // a multimap's events come one after the other on one of Hazelcast's event threads (chosen
      // by the map's name): a listener that holds the event of another key holds back the
      // registration's event (and picking a key of the same partition would hold it in any case)
      String blocker = keyInPartitionOf(node.hazelcast(), address);
      CountDownLatch release = new CountDownLatch(1);
      subs.addEntryListener(new EntryAdapter<String, Object>() {
        @Override
        public void entryAdded(EntryEvent<String, Object> event) {
          if (event.getKey().equals(blocker)) {
            try {
              release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        }
      }, false);
      try {
        subs.put(blocker, "holds the partition's events");
        subs.put(address, "a program");
        observers.mapCleared(null); // a full read of the map: the registration is there
        await(vertx, () -> observers.observed("watched"));
        assertTrue(observers.observed("watched"), "the full read found the program");
        release.countDown(); // then its event comes
        subs.remove(address, "a program");
        await(vertx, () -> !observers.observed("watched"));
        assertFalse(observers.observed("watched"), "the room nobody consumes any more is not published to");
      } finally {
        release.countDown();
        observers.stop();
      }
    }
  }

  /**
   * A healed split brain refills the map without an event for what came back: the node reads it
   * whole again when Hazelcast says the cluster merged. (Here the registration is made before the
   * node listens, so no event tells it, as after the heal.)
   */
  @Test
  void aMergedClusterIsReadAgain() throws Exception {
    try (TestCluster cluster = TestCluster.start(1, Map.of())) {
      var node = cluster.node(0);
      Vertx vertx = node.vertx();
      RoomObservers observers = new RoomObservers(vertx, node.hazelcast());
      MultiMap<String, Object> subs = node.hazelcast().getMultiMap(RoomObservers.SUBS);
      subs.put(Addresses.room("healed"), "a program on the other side");
      assertFalse(observers.observed("healed"), "not read yet");
      observers.stateChanged(new com.hazelcast.core.LifecycleEvent(com.hazelcast.core.LifecycleEvent.LifecycleState.MERGING));
      observers.stateChanged(new com.hazelcast.core.LifecycleEvent(com.hazelcast.core.LifecycleEvent.LifecycleState.MERGED));
      await(vertx, () -> observers.observed("healed"));
      assertTrue(observers.observed("healed"), "read again once merged");
      observers.stop();
    }
  }

  /**
   * The side of a healed split brain that did not merge hears of nothing: the registrations that
   * came back with the other side make no event there. The node reads the whole map again every
   * so often (here every 200 ms; a minute in service), so it publishes to them all the same.
   */
  @Test
  void registrationsThatMadeNoEventAreFoundByThePeriodicRead() throws Exception {
    try (TestCluster cluster = TestCluster.start(1, Map.of())) {
      var node = cluster.node(0);
      Vertx vertx = node.vertx();
      RoomObservers observers = new RoomObservers(vertx, node.hazelcast(), 200);
      Await.of(observers.start());
      MultiMap<String, Object> subs = node.hazelcast().getMultiMap(RoomObservers.SUBS);
      try {
        subs.removeEntryListener(observers.listener()); // as if no event came for what follows
        subs.put(Addresses.room("merged-back"), "a program on the other side");
        await(vertx, () -> observers.observed("merged-back"));
        assertTrue(observers.observed("merged-back"), "found by a full read");
      } finally {
        observers.stop();
      }
    }
  }

  /**
   * A program that registers and unregisters an observer in a loop sends an event per change,
   * faster than each can be counted (a read of the map): the node queues one count per address
   * at most, not one per event, and the count that runs still reads what the map holds.
   */
  @Test
  void eventsForOneAddressQueueOneCount() throws Exception {
    try (TestCluster cluster = TestCluster.start(1, Map.of())) {
      var node = cluster.node(0);
      Vertx vertx = node.vertx();
      RoomObservers observers = new RoomObservers(vertx, node.hazelcast());
      Await.of(observers.start());
      MultiMap<String, Object> subs = node.hazelcast().getMultiMap(RoomObservers.SUBS);
      String address = Addresses.room("churned");
      try {
        subs.put(address, "a program");
        var event = new EntryEvent<String, Object>(RoomObservers.SUBS, null,
            com.hazelcast.core.EntryEventType.ADDED.getType(), address, "a program");
        int mostQueued = 0;
        for (int i = 0; i < 20_000; i++) {
          observers.entryAdded(event);
          mostQueued = Math.max(mostQueued, observers.queued());
        }
        assertTrue(mostQueued <= 1, "one count queued for the address, not one per event: " + mostQueued);
        await(vertx, () -> observers.observed("churned"));
        assertTrue(observers.observed("churned"), "counted from the map");
        subs.remove(address, "a program");
        await(vertx, () -> !observers.observed("churned"));
        assertFalse(observers.observed("churned"), "the next event after a count is counted again");
      } finally {
        observers.stop();
      }
    }
  }

  private static String keyInPartitionOf(com.hazelcast.core.HazelcastInstance hz, String key) {
    int partition = hz.getPartitionService().getPartition(key).getPartitionId();
    for (int i = 0; ; i++) {
      String candidate = "blocker-" + i;
      if (hz.getPartitionService().getPartition(candidate).getPartitionId() == partition) {
        return candidate;
      }
    }
  }

  /** Polls {@code condition} (a listener's effect has no future to await) for up to 5 s. */
  private static void await(Vertx vertx, BooleanSupplier condition) {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!condition.getAsBoolean() && System.nanoTime() < until) {
      Await.of(Future.<Void>future(p -> vertx.setTimer(20, t -> p.complete())));
    }
  }
}
