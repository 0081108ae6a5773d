package io.switchboard.support;

import com.hazelcast.map.EntryProcessor;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/** Holds the partition thread of its key, as a stuck cluster operation would. */
public final class PartitionStall implements EntryProcessor<String, Object, Object> {
  private final long millis;

  public PartitionStall(long millis) {
    this.millis = millis;
  }

  @Override
  public Object process(Map.Entry<String, Object> entry) {
    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(millis)); // the stuck operation itself, not a wait in the test
    return null;
  }
}
