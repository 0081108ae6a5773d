package io.switchboard.presence;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.spi.merge.MergingValue;
import com.hazelcast.spi.merge.SplitBrainMergePolicy;

/**
 * A split-brain merge policy that keeps what both sides hold of an entry: an entry only one side
 * has stays as it is, and one both have is {@link #both}. Hazelcast's default keeps one side's
 * entry whole. The policy has no settings, so nothing is serialized.
 */
public abstract class BothSidesMerge<T> implements SplitBrainMergePolicy<T, MergingValue<T>, Object> {

  @Override
  public final Object merge(MergingValue<T> merging, MergingValue<T> existing) {
    if (merging == null) {
      return existing == null ? null : existing.getRawValue();
    }
    if (existing == null) {
      return merging.getRawValue();
    }
    return both(existing.getDeserializedValue(), merging.getDeserializedValue());
  }

  /** The entry of the larger side ({@code existing}, which may be changed and returned) with the smaller side's. */
  protected abstract T both(T existing, T merging);

  @Override
  public final void writeData(ObjectDataOutput out) {
  }

  @Override
  public final void readData(ObjectDataInput in) {
  }
}
