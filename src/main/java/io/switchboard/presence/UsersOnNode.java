package io.switchboard.presence;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import com.hazelcast.query.Predicate;
import java.io.IOException;
import java.util.Map;

/** Users the directory counts connections of on one node: what that node must reconcile besides its own truth. */
public final class UsersOnNode implements Predicate<String, UserConnections>, DataSerializable {

  private String node;

  public UsersOnNode() {
    // for Hazelcast
  }

  public UsersOnNode(String node) {
    this.node = node;
  }

  @Override
  public boolean apply(Map.Entry<String, UserConnections> entry) {
    return entry.getValue() != null && entry.getValue().has(node);
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
