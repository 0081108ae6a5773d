package io.switchboard.gateway;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Names (users, rooms) whose connections here changed lately, until the change has settled:
 * reconciliation leaves them alone meanwhile, as the change may still be on its way to the
 * cluster. Kept in the order of their last change, so that the settled ones are let go from the
 * front as new ones come, whether or not a reconciliation round asks (its scans may fail for a
 * while, or rounds be an hour apart); on a clock that only goes forward, so that a wall clock
 * stepped back does not keep them busy for as long. Event-loop confined.
 */
final class RecentChanges {

  private final LongSupplier clock;
  private final LinkedHashMap<String, Long> changedAt = new LinkedHashMap<>();
  /** The settle time the last round asked with. */
  private long settleMs = 2_000;

  RecentChanges() {
    this(io.switchboard.ops.Clocks::monotonicMillis);
  }

  RecentChanges(LongSupplier clock) {
    this.clock = clock;
  }

  void touch(String name) {
    long now = clock.getAsLong();
    changedAt.remove(name); // to the back: the order is that of the last change
    changedAt.put(name, now);
    forgetSettled(now);
  }

  boolean contains(String name) {
    return changedAt.containsKey(name);
  }

  /** The names still settling with {@code settleMs}, which later changes let go by too. A live view. */
  Set<String> settling(long settleMs) {
    this.settleMs = settleMs;
    forgetSettled(clock.getAsLong());
    return changedAt.keySet();
  }

  int size() {
    return changedAt.size();
  }

  private void forgetSettled(long now) {
    for (Iterator<Map.Entry<String, Long>> oldest = changedAt.entrySet().iterator(); oldest.hasNext(); ) {
      if (now - oldest.next().getValue() < settleMs) {
        return;
      }
      oldest.remove();
    }
  }
}
