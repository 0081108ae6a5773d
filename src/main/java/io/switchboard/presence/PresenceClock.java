package io.switchboard.presence;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Orders a node's own presence changes against its reconciliation rounds. A round reads
 * {@link #now} before it takes the node's truth; a change sent to the cluster after that (a
 * connect, a join, a leave, a disconnect) takes a later {@link #next} stamp, which the entry
 * keeps, so the round can tell that the entry changed after its truth was taken and leave it to
 * the next round. Stamps are only ever compared with stamps of the same node (one JVM; node ids
 * are new on every start).
 */
public final class PresenceClock {

  private static final AtomicLong LAST = new AtomicLong();

  private PresenceClock() {
  }

  /** The stamp of a change being sent now: later than every {@link #now} read before. */
  public static long next() {
    return LAST.incrementAndGet();
  }

  /** The latest stamp given out: a change stamped later happened after this call. */
  public static long now() {
    return LAST.get();
  }
}
