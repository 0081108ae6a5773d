package io.switchboard.presence;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.spi.merge.MergingValue;
import com.hazelcast.spi.merge.SplitBrainMergePolicy;

/**
 * A user's connections after a split brain healed: each side's nodes with their counts. Hazelcast's
 * default keeps one side's entry, and until the other side's nodes ran a reconciliation round
 * their connections went uncounted: the user could open that many more than
 * {@code limits.maxConnectionsPerUser}, and private messages went to none of them (the sender was
 * told the user is online, and the receiver's tabs there saw the message only at the next one).
 */
public final class UsersMerge implements SplitBrainMergePolicy<UserConnections, MergingValue<UserConnections>, Object> {

  public UsersMerge() {
    // for Hazelcast
  }

  @Override
  public Object merge(MergingValue<UserConnections> merging, MergingValue<UserConnections> existing) {
    if (merging == null) {
      return existing == null ? null : existing.getRawValue();
    }
    if (existing == null) {
      return merging.getRawValue();
    }
    UserConnections ours = existing.getDeserializedValue();
    ours.adopt(merging.getDeserializedValue());
    return ours;
  }

  @Override
  public void writeData(ObjectDataOutput out) {
  }

  @Override
  public void readData(ObjectDataInput in) {
  }
}
