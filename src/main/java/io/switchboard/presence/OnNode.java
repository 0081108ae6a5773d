package io.switchboard.presence;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import com.hazelcast.query.Predicate;
import java.io.IOException;
import java.util.Map;

/**
 * Entries that hold connections of one node (users or rooms): what that node must reconcile
 * besides what it knows itself.
 */
public final class OnNode<V extends HasNode> implements Predicate<String, V>, DataSerializable {

  private String node;

  public OnNode() {
    // for Hazelcast
  }

  public OnNode(String node) {
    this.node = node;
  }

  @Override
  public boolean apply(Map.Entry<String, V> entry) {
    return entry.getValue() != null && entry.getValue().hasNode(node);
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeString(node);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    node = in.readString();
  }
}
