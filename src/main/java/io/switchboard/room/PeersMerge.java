package io.switchboard.room;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.spi.merge.MergingValue;
import com.hazelcast.spi.merge.SplitBrainMergePolicy;

/**
 * A user's conversations after a split brain healed: both sides' peers. Hazelcast's default keeps
 * one side's entry, and the conversations begun only on the other side would no longer be listed.
 */
public final class PeersMerge implements SplitBrainMergePolicy<Peers, MergingValue<Peers>, Object> {

  public PeersMerge() {
    // for Hazelcast
  }

  @Override
  public Object merge(MergingValue<Peers> merging, MergingValue<Peers> existing) {
    if (merging == null) {
      return existing == null ? null : existing.getRawValue();
    }
    if (existing == null) {
      return merging.getRawValue();
    }
    return Peers.union(existing.getDeserializedValue(), merging.getDeserializedValue());
  }

  @Override
  public void writeData(ObjectDataOutput out) {
  }

  @Override
  public void readData(ObjectDataInput in) {
  }
}
