package io.switchboard.room;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.EntryListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.MapEvent;
import com.hazelcast.multimap.MultiMap;
import io.switchboard.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which {@code switchboard.room.<room>} addresses a program in the cluster consumes. A clustered
 * publish to an address that nobody consumes still asks Hazelcast for its subscribers, and the
 * benchmark measured that at about 200 µs of CPU per message: more than the rest of a publish
 * together. So each node follows the cluster manager's subscription map (vertx-hazelcast keeps
 * every consumer's address there, in {@value #SUBS}) and publishes to an observer address only
 * when someone consumes it. Events arrive as fast as Vert.x's own view of the registrations.
 */
final class RoomObservers implements EntryListener<String, Object> {

  /** vertx-hazelcast's registrations: address → one value per consumer (its SubsMapHelper). */
  static final String SUBS = "__vertx.subs";
  private static final String PREFIX = Addresses.room("");

  private final Vertx vertx;
  private final MultiMap<String, Object> subs;
  /** room → its observers' count (the address without {@link #PREFIX}). */
  private final Map<String, Integer> counts = new ConcurrentHashMap<>();
  private UUID listener;

  RoomObservers(Vertx vertx, HazelcastInstance hazelcast) {
    this.vertx = vertx;
    this.subs = hazelcast.getMultiMap(SUBS);
  }

  /** Listens first, then reads what is there, so no registration falls between the two. */
  Future<Void> start() {
    return vertx.executeBlocking(() -> {
      listener = subs.addEntryListener(this, false);
      resync();
      return null;
    }, false);
  }

  void stop() {
    if (listener != null) {
      try {
        subs.removeEntryListener(listener);
      } catch (RuntimeException e) {
        // the member is already gone
      }
    }
  }

  /**
   * Whether some consumer in the cluster listens on {@code room}'s observer address. Asked for
   * every publish, mostly with nobody observing at all: then it hashes nothing.
   */
  boolean observed(String room) {
    return !counts.isEmpty() && counts.containsKey(room);
  }

  private void resync() {
    Map<String, Integer> now = new java.util.HashMap<>();
    for (String key : subs.keySet()) {
      if (key.startsWith(PREFIX)) {
        now.put(key.substring(PREFIX.length()), subs.valueCount(key));
      }
    }
    counts.keySet().retainAll(now.keySet());
    counts.putAll(now);
  }

  private void change(String address, int delta) {
    if (address != null && address.startsWith(PREFIX)) {
      counts.compute(address.substring(PREFIX.length()), (a, n) -> {
        int next = (n == null ? 0 : n) + delta;
        return next > 0 ? next : null;
      });
    }
  }

  @Override
  public void entryAdded(EntryEvent<String, Object> event) {
    change(event.getKey(), 1);
  }

  @Override
  public void entryRemoved(EntryEvent<String, Object> event) {
    change(event.getKey(), -1);
  }

  @Override
  public void entryUpdated(EntryEvent<String, Object> event) {
    // a multimap adds and removes values; nothing is updated in place
  }

  @Override
  public void entryEvicted(EntryEvent<String, Object> event) {
    change(event.getKey(), -1);
  }

  @Override
  public void entryExpired(EntryEvent<String, Object> event) {
    change(event.getKey(), -1);
  }

  @Override
  public void mapCleared(MapEvent event) {
    vertx.executeBlocking(() -> {
      resync();
      return null;
    }, false);
  }

  @Override
  public void mapEvicted(MapEvent event) {
    mapCleared(event);
  }
}
