package io.switchboard.room;

import java.util.Iterator;
import java.util.LinkedHashMap;

/**
 * The joins and leaves applied to a room lately, each named by the node that sent it and its
 * stamp (a node's stamps are unique: see {@link io.switchboard.presence.PresenceClock}), with
 * whether it was the user's first or last connection. When a partition's owner dies after
 * applying a change but before answering, Hazelcast runs the change again on the new owner once
 * the member is declared dead (within {@code cluster.failureTimeout}, at most ten minutes), and
 * that copy (the backup) has applied it already: counted twice, a join said "not the first" and
 * a leave "not the last", so the presence event was never sent and the other members' lists
 * stayed wrong. The re-run finds its change here and answers as the first run did.
 */
final class AppliedChanges {

  /** Longer than the longest failure detection, and the re-runs queued behind it. */
  static final long KEEP_MS = 11 * 60_000;
  /** A reconnect storm into one room is many changes before the re-run comes: a generous bound. */
  static final int MAX = 1_024;

  /** What a change answered when it was applied here; {@code name}: the user's, a leave's re-run finds the user gone. */
  record Change(boolean edge, String name, long at) {
  }

  /** node + '/' + stamp → the change, oldest first. */
  private final LinkedHashMap<String, Change> changes = new LinkedHashMap<>();

  /** The change as it was applied here, or null if it was not (or is too old to tell). */
  Change find(String node, long stamp) {
    return changes.get(key(node, stamp));
  }

  void add(String node, long stamp, boolean edge, String name, long now) {
    trim(now, MAX - 1);
    changes.put(key(node, stamp), new Change(edge, name, now));
  }

  /**
   * Forgets the changes past {@link #KEEP_MS}; true when none is left. A room that was busy and
   * went quiet would otherwise keep a storm's thousand changes until its next join or leave.
   */
  boolean trim(long now) {
    trim(now, MAX);
    return changes.isEmpty();
  }

  /** Forgets the changes past {@link #KEEP_MS}, and the oldest beyond {@code keep}. */
  private void trim(long now, int keep) {
    for (Iterator<Change> oldest = changes.values().iterator(); oldest.hasNext(); ) {
      Change first = oldest.next();
      if (changes.size() <= keep && first.at() >= now - KEEP_MS) {
        break;
      }
      oldest.remove();
    }
  }

  int size() {
    return changes.size();
  }

  private static String key(String node, long stamp) {
    return node + '/' + stamp;
  }
}
