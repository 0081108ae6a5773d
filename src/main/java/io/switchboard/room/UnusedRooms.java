package io.switchboard.room;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.switchboard.presence.Partitions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The rooms that joins and leaves under fresh names leave behind, with neither members nor a
 * message ever stored: noted as a leave or a node's purge empties them (on the caller's
 * context), removed a round later by {@link #dropUnused} (from the reconciler's). One per
 * {@link RoomStore}.
 */
final class UnusedRooms {

  private final Vertx vertx;
  private final HazelcastInstance hazelcast;
  private final IMap<String, RoomState> rooms;
  /** Rooms left without members or messages since the last {@link #dropUnused}; any thread. */
  private final Set<String> emptied = java.util.concurrent.ConcurrentHashMap.newKeySet();
  /** Those noted before it: removed at the next call. */
  private Set<String> emptiedBefore = Set.of();

  UnusedRooms(Vertx vertx, HazelcastInstance hazelcast, IMap<String, RoomState> rooms) {
    this.vertx = vertx;
    this.hazelcast = hazelcast;
    this.rooms = rooms;
  }

  /** Notes a room a leave or a purge left without members or messages. */
  RoomReply noteIfUnused(String room, RoomReply r) {
    if (r.count() == 0 && r.seq() == 0) {
      emptied.add(room);
    }
    return r;
  }

  /**
   * Removes the rooms that a leave or a node's death here left without members, where nothing
   * was ever written, once a whole round later: without this, joining and leaving rooms under
   * fresh names grows the map for ever. Not at once: the leave's stamp (see {@link
   * io.switchboard.presence.PresenceClock}) goes with the entry, and a reconciliation round that
   * took its truth before the leave would put the member back into a room recreated meanwhile.
   * Rooms noted before the previous call are removed now; those noted since, at the next call.
   * One that still holds another node's stamps is noted again, for when that node's round has
   * taken them. Called from one context (the reconciler's). How many were removed.
   */
  Future<Integer> dropUnused() {
    Set<String> due = emptiedBefore;
    Set<String> noted = new HashSet<>(emptied);
    emptied.removeAll(noted);
    emptiedBefore = noted;
    if (due.isEmpty()) {
      return Future.succeededFuture(0);
    }
    return io.switchboard.presence.ClusterCall.call(vertx,
        () -> Partitions.submit(hazelcast, rooms, due, part -> new RoomOps.DropUnused())).map(answers -> {
          int dropped = 0;
          for (Map.Entry<String, Boolean> answer : answers.entrySet()) {
            if (answer.getValue()) {
              dropped++;
            } else {
              emptiedBefore.add(answer.getKey()); // a round old already: tried again at the next call
            }
          }
          return dropped;
        }).recover(e -> {
          // a partition moving or the cluster stalled: all of them again at the next call (those
          // removed meanwhile are found absent then), not forgotten until the name is used again
          emptiedBefore.addAll(due);
          return Future.failedFuture(e);
        });
  }
}
