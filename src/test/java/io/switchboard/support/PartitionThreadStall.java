package io.switchboard.support;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.impl.proxy.MapProxyImpl;
import com.hazelcast.spi.impl.PartitionSpecificRunnable;
import com.hazelcast.spi.impl.operationservice.impl.OperationServiceImpl;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Holds one member's thread of one partition, whether the member owns the partition or keeps its
 * backup: as a member in a long pause would, it applies none of that partition's operations (its
 * backups included) until the stall ends.
 */
public final class PartitionThreadStall {

  /** {@code started} once the thread is held; {@code endedAt}: the {@link System#nanoTime} it was let go. */
  public record Held(CompletableFuture<Void> started, CompletableFuture<Long> endedAt) {
  }

  private PartitionThreadStall() {
  }

  /**
   * The index of the thread that runs {@code key}'s partition on {@code member}: keys whose threads
   * differ do not wait behind each other's stall. Read from the member, since Hazelcast sizes its
   * partition threads by the machine's cores.
   */
  public static int threadOf(HazelcastInstance member, String key) {
    int partitionId = member.getPartitionService().getPartition(key).getPartitionId();
    return partitionId % operations(member).getPartitionThreadCount();
  }

  /** The first of {@code prefix + 0 … 999} whose partition thread on {@code member} is not {@code key}'s. */
  public static String keyOffThreadOf(HazelcastInstance member, String key, String prefix) {
    int held = threadOf(member, key);
    return java.util.stream.IntStream.range(0, 1000).mapToObj(i -> prefix + i)
        .filter(k -> threadOf(member, k) != held).findFirst().orElseThrow();
  }

  public static Held hold(HazelcastInstance member, int partitionId, long millis) {
    return holdUntil(member, partitionId, new CompletableFuture<>(), millis);
  }

  /**
   * As {@link #hold}, until {@code release} completes (or {@code maxMillis} pass): for a test
   * that must do something while the thread is held, whatever the machine's speed.
   */
  public static Held holdUntil(HazelcastInstance member, int partitionId, java.util.concurrent.Future<?> release,
                               long maxMillis) {
    Held held = new Held(new CompletableFuture<>(), new CompletableFuture<>());
    OperationServiceImpl operations = operations(member);
    operations.execute(new PartitionSpecificRunnable() {
      @Override
      public int getPartitionId() {
        return partitionId;
      }

      @Override
      public void run() {
        held.started().complete(null);
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxMillis);
        while (!release.isDone() && System.nanoTime() < until) {
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5)); // the pause itself, not a wait in the test
        }
        held.endedAt().complete(System.nanoTime());
      }
    });
    return held;
  }

  private static OperationServiceImpl operations(HazelcastInstance member) {
    return (OperationServiceImpl) ((MapProxyImpl<?, ?>) member.getMap("stall")).getNodeEngine().getOperationService();
  }
}
