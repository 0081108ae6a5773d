package io.switchboard.presence;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;

import java.util.Map;

/**
 * A user's open connections, per node, as the cluster stores them (one entry per user), and the
 * {@link PresenceClock} stamp of each node's latest connect or disconnect. The stamp tells that
 * node's reconciliation round whose truth was taken before it to leave the entry alone: that
 * truth may still hold a connection that closed since, or lack one that opened since. It keeps
 * an entry whose last connection closed for one round of that node (a tombstone).
 */
public final class UserConnections implements DataSerializable, HasNode {

  private final Map<String, Integer> perNode = new HashMap<>(2);
  private final Map<String, Long> changedAt = new HashMap<>(1);
  /**
   * The last few changes applied here, by node and stamp: when an owner dies, Hazelcast re-runs
   * every operation of the partition it left unanswered, in any order, and the new owner (a
   * backup until then) has applied them all. In memory only: a copy rebuilt by serialization
   * (migration) knows only each node's latest stamp ({@link #changedAt}).
   */
  private transient String[] recentNodes;
  private transient long[] recentStamps;
  private transient int recentNext;
  private static final int RECENT = 4;

  public UserConnections() {
    // for Hazelcast
  }

  int total() {
    int total = 0;
    for (int c : perNode.values()) {
      total += c;
    }
    return total;
  }

  HashMap<String, Integer> perNode() {
    return new HashMap<>(perNode);
  }

  /** Counts one connection of {@code node}, opened there after {@code stamp} was taken. */
  void add(String node, long stamp) {
    perNode.merge(node, 1, Integer::sum);
    changedAt.merge(node, stamp, Math::max);
    remember(node, stamp);
  }

  /** Forgets one connection of {@code node}, closed there before {@code stamp} was taken. */
  void remove(String node, long stamp) {
    perNode.computeIfPresent(node, (n, c) -> c > 1 ? c - 1 : null);
    changedAt.merge(node, stamp, Math::max);
    remember(node, stamp);
  }

  private void remember(String node, long stamp) {
    if (stamp == 0) {
      return;
    }
    if (recentNodes == null) {
      recentNodes = new String[RECENT];
      recentStamps = new long[RECENT];
    }
    recentNodes[recentNext] = node;
    recentStamps[recentNext] = stamp;
    recentNext = (recentNext + 1) % RECENT;
  }

  /**
   * Whether the change of {@code node} stamped {@code stamp} was applied here already, as the
   * node's latest or among the last few ({@link #recentNodes}): Hazelcast
   * re-runs an operation on a partition's new owner when the old one died before answering, and
   * the new owner had it from its backup already. Stamps are unique per node (0: unstamped).
   */
  boolean alreadyApplied(String node, long stamp) {
    if (stamp == 0) {
      return false;
    }
    if (Long.valueOf(stamp).equals(changedAt.get(node))) {
      return true;
    }
    for (int i = 0; recentNodes != null && i < RECENT; i++) {
      if (recentStamps[i] == stamp && node.equals(recentNodes[i])) {
        return true;
      }
    }
    return false;
  }

  /** Whether {@code node} sent a connect or a disconnect after {@code since}. */
  boolean changedSince(String node, long since) {
    Long stamp = changedAt.get(node);
    return stamp != null && stamp > since;
  }

  /** Drops {@code node}'s stamp once a round that began after it has run; whether there was one. */
  boolean forgetStamp(String node) {
    return changedAt.remove(node) != null;
  }

  /** Neither a connection nor a stamp left: the entry can go. */
  boolean isEmpty() {
    return perNode.isEmpty() && changedAt.isEmpty();
  }

  /** Sets a node's count (0 removes it); whether anything changed. */
  boolean set(String node, int count) {
    Integer before = count == 0 ? perNode.remove(node) : perNode.put(node, count);
    return before == null ? count != 0 : before != count;
  }

  /** A connection or a stamp of {@code node}: its reconciliation round looks at the entry. */
  @Override
  public boolean hasNode(String node) {
    return perNode.containsKey(node) || changedAt.containsKey(node);
  }

  /**
   * Adds the nodes {@code other} (the same user on the other side of a healed split brain)
   * counts and this one lacks: each side purged the other's nodes, and counted its own. A node
   * both list keeps this side's count; each node's stamp is the later of the two.
   */
  void adopt(UserConnections other) {
    other.perNode.forEach(perNode::putIfAbsent);
    other.changedAt.forEach((node, stamp) -> changedAt.merge(node, stamp, Math::max));
  }

  @Override
  public void addNodes(java.util.Set<String> out) {
    out.addAll(perNode.keySet());
    out.addAll(changedAt.keySet());
  }

  boolean removeNode(String node) {
    changedAt.remove(node);
    return perNode.remove(node) != null;
  }

  ArrayList<String> nodes() {
    return new ArrayList<>(perNode.keySet());
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeInt(perNode.size());
    for (Map.Entry<String, Integer> e : perNode.entrySet()) {
      out.writeString(e.getKey());
      out.writeInt(e.getValue());
    }
    out.writeInt(changedAt.size());
    for (Map.Entry<String, Long> e : changedAt.entrySet()) {
      out.writeString(e.getKey());
      out.writeLong(e.getValue());
    }
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    int n = in.readInt();
    for (int i = 0; i < n; i++) {
      perNode.put(in.readString(), in.readInt());
    }
    int stamps = in.readInt();
    for (int i = 0; i < stamps; i++) {
      changedAt.put(in.readString(), in.readLong());
    }
  }

}
