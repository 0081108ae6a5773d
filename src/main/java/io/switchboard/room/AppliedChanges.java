package io.switchboard.room;

/**
 * The last joins and leaves applied to a room, each named by the node that sent it and its
 * stamp (a node's stamps are unique: see {@link io.switchboard.presence.PresenceClock}), with
 * whether it was the user's first or last connection. When a partition's owner dies after
 * applying a change but before answering, Hazelcast runs the change again on the new owner,
 * whose copy (the backup) has applied it already: counted twice, a join said "not the first"
 * and a leave "not the last", so the presence event was never sent and the other members' lists
 * stayed wrong. The re-run finds its change here and answers as the first run did.
 */
final class AppliedChanges {

  /** Changes in flight on one room when its owner dies: a handful, in a reconnect storm a few more. */
  private static final int SIZE = 8;

  private final String[] nodes = new String[SIZE];
  private final long[] stamps = new long[SIZE];
  private final boolean[] edges = new boolean[SIZE];
  /** The user's display name as it was: a leave's re-run finds the user gone. */
  private final String[] names = new String[SIZE];
  private int next;

  /** What a change answered when it was applied here. */
  record Change(boolean edge, String name) {
  }

  /** The change as it was applied here, or null if it was not (or is too old to tell). */
  Change find(String node, long stamp) {
    for (int i = 0; i < SIZE; i++) {
      if (stamps[i] == stamp && node.equals(nodes[i])) {
        return new Change(edges[i], names[i]);
      }
    }
    return null;
  }

  void add(String node, long stamp, boolean edge, String name) {
    nodes[next] = node;
    stamps[next] = stamp;
    edges[next] = edge;
    names[next] = name;
    next = (next + 1) % SIZE;
  }
}
