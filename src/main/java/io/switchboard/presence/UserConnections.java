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
 * {@link PresenceClock} stamp of each node's latest disconnect. The stamp keeps an entry whose
 * last connection closed for one reconciliation round of that node (a tombstone): the round
 * that may still have the connection in its truth must see that it closed since.
 */
public final class UserConnections implements DataSerializable, HasNode {

  private final Map<String, Integer> perNode = new HashMap<>(2);
  private final Map<String, Long> removedAt = new HashMap<>(1);

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

  void add(String node) {
    perNode.merge(node, 1, Integer::sum);
  }

  /** Forgets one connection of {@code node}, closed there before {@code stamp} was taken. */
  void remove(String node, long stamp) {
    perNode.computeIfPresent(node, (n, c) -> c > 1 ? c - 1 : null);
    removedAt.merge(node, stamp, Math::max);
  }

  /** Whether {@code node} sent a disconnect after {@code since}. */
  boolean removedSince(String node, long since) {
    Long stamp = removedAt.get(node);
    return stamp != null && stamp > since;
  }

  /** Drops {@code node}'s stamp once a round that began after it has run; whether there was one. */
  boolean forgetRemovals(String node) {
    return removedAt.remove(node) != null;
  }

  /** Neither a connection nor a stamp left: the entry can go. */
  boolean isEmpty() {
    return perNode.isEmpty() && removedAt.isEmpty();
  }

  /** Sets a node's count (0 removes it); whether anything changed. */
  boolean set(String node, int count) {
    Integer before = count == 0 ? perNode.remove(node) : perNode.put(node, count);
    return before == null ? count != 0 : before != count;
  }

  /** A connection or a stamp of {@code node}: its reconciliation round looks at the entry. */
  @Override
  public boolean hasNode(String node) {
    return perNode.containsKey(node) || removedAt.containsKey(node);
  }

  boolean removeNode(String node) {
    removedAt.remove(node);
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
    out.writeInt(removedAt.size());
    for (Map.Entry<String, Long> e : removedAt.entrySet()) {
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
    int removals = in.readInt();
    for (int i = 0; i < removals; i++) {
      removedAt.put(in.readString(), in.readLong());
    }
  }

}
