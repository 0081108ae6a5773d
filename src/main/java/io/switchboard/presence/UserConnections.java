package io.switchboard.presence;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;

import java.util.Map;

/** A user's open connections, per node, as the cluster stores them (one entry per user). */
public final class UserConnections implements DataSerializable, HasNode {

  private final Map<String, Integer> perNode = new HashMap<>(2);

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

  void add(String node) {
    perNode.merge(node, 1, Integer::sum);
  }

  void remove(String node) {
    perNode.computeIfPresent(node, (n, c) -> c > 1 ? c - 1 : null);
  }

  /** Sets a node's count (0 removes it); whether anything changed. */
  boolean set(String node, int count) {
    Integer before = count == 0 ? perNode.remove(node) : perNode.put(node, count);
    return before == null ? count != 0 : before != count;
  }

  @Override
  public boolean hasNode(String node) {
    return perNode.containsKey(node);
  }

  boolean removeNode(String node) {
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
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    int n = in.readInt();
    for (int i = 0; i < n; i++) {
      perNode.put(in.readString(), in.readInt());
    }
  }

}
