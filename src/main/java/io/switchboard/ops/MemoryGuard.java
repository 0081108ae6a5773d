package io.switchboard.ops;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import javax.management.ListenerNotFoundException;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether this JVM's heap is too full to take more history ({@code history.maxHeapPercent}).
 * Every room keeps its own bounded log, but rooms times their bound is far more than a heap:
 * users who keep writing large messages into many rooms would fill it, and a member that dies
 * of it hands its partitions to the others, which then fill up in turn. Past the share, read
 * after each garbage collection, the rooms this member owns refuse new messages
 * ({@code unavailable}: not stored) until the heap after a collection is back under nine tenths
 * of it. Read in entry processors through the member's user context ({@link #KEY}). As a backup,
 * the member still replays what an owner stored: a copy that refused would go on with other
 * seqs than its owner's.
 */
public final class MemoryGuard implements AutoCloseable {

  /** Where a node's guard sits in its Hazelcast member's user context. */
  public static final String KEY = "switchboard.memoryGuard";
  private static final Logger LOG = LoggerFactory.getLogger(MemoryGuard.class);

  private final int percent;
  private volatile boolean low;
  private final List<Runnable> removals = new ArrayList<>();

  private MemoryGuard(int percent) {
    this.percent = percent;
  }

  /** A guard fed by this JVM's garbage collections; {@code percent} 0 never refuses. */
  public static MemoryGuard start(int percent) {
    MemoryGuard guard = new MemoryGuard(percent);
    if (percent > 0) {
      guard.listen();
    }
    return guard;
  }

  /** A guard that only {@link #observe} feeds (tests, tools). */
  public static MemoryGuard unfed(int percent) {
    return new MemoryGuard(percent);
  }

  /** Whether new messages are refused now. */
  public boolean isLow() {
    return low;
  }

  /** One reading of the heap in use after a collection. */
  public void observe(long used, long max) {
    if (percent == 0 || max <= 0) {
      return;
    }
    double share = 100.0 * used / max;
    if (!low && share > percent) {
      low = true;
      LOG.warn("heap {}% full after a garbage collection, over history.maxHeapPercent {}%: rooms kept here refuse new"
          + " messages until it is under {}%", Math.round(share), percent, Math.round(percent * 0.9));
    } else if (low && share < percent * 0.9) {
      low = false;
      LOG.info("heap {}% full after a garbage collection: rooms kept here take new messages again", Math.round(share));
    }
  }

  private void listen() {
    Set<String> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
        .filter(p -> p.getType() == MemoryType.HEAP).map(MemoryPoolMXBean::getName).collect(Collectors.toSet());
    long max = maxHeap();
    for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (!(collector instanceof NotificationEmitter emitter)) {
        continue;
      }
      NotificationListener listener = (notification, handback) -> {
        if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
          return;
        }
        var after = GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData())
            .getGcInfo().getMemoryUsageAfterGc();
        long used = 0;
        for (var pool : after.entrySet()) {
          if (heapPools.contains(pool.getKey())) {
            used += pool.getValue().getUsed();
          }
        }
        observe(used, max);
      };
      emitter.addNotificationListener(listener, null, null);
      removals.add(() -> {
        try {
          emitter.removeNotificationListener(listener);
        } catch (ListenerNotFoundException gone) {
          // removed already
        }
      });
    }
  }

  private static long maxHeap() {
    MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    return heap.getMax() > 0 ? heap.getMax() : Runtime.getRuntime().maxMemory();
  }

  @Override
  public void close() {
    removals.forEach(Runnable::run);
    removals.clear();
  }
}
