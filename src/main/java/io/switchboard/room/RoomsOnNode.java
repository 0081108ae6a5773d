package io.switchboard.room;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import com.hazelcast.query.Predicate;
import java.io.IOException;
import java.util.Map;

/** Rooms that hold a connection of one node: what that node must reconcile besides its own truth. */
public final class RoomsOnNode implements Predicate<String, RoomState>, DataSerializable {

  private String node;

  public RoomsOnNode() {
    // for Hazelcast
  }

  RoomsOnNode(String node) {
    this.node = node;
  }

  @Override
  public boolean apply(Map.Entry<String, RoomState> entry) {
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
