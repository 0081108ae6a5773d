package io.switchboard.room;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.switchboard.config.Config;
import io.switchboard.ops.Clocks;
import io.switchboard.presence.NodeIds;
import io.switchboard.presence.Partitions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes rooms and conversations that nobody is in and that hold messages: those whose newest
 * message is older than {@code history.retention}, and, while the cluster holds
 * {@code history.maxRooms}, those written longest ago (but not within {@link #EVICT_MIN_AGE_MS})
 * down to 90 % of the limit. Without the first, every room that ever held a message stayed and
 * use alone reached the limit; without the second, the limit refused every new room and
 * conversation until the retention had passed. The floor keeps a flood of new names from
 * pushing out what was written today: past it the cluster refuses instead.
 *
 * <p>A room is removed only when the scan before found it idle too, the scans have found it
 * idle for {@link #graceMs}, and nobody has been in it for as long ({@link RoomState#emptiedAt}):
 * a node's death takes its members out of every room at once ({@link RoomOps.Purge}), and they
 * are back only once their clients have reconnected elsewhere. Empty rooms never written in that
 * are still there then (a round that emptied them, or a node that stopped, does not remove them)
 * go the same way. Run by one member for
 * the cluster (the oldest Switchboard node: not a program that joined as a lite member), from
 * the reconciliation rounds; blocking, one caller at a time.
 */
final class IdleRooms {

  private static final Logger LOG = LoggerFactory.getLogger(IdleRooms.class);
  /** A sweep for retention visits every partition: once a minute is close enough for days. */
  static final long SWEEP_EVERY_MS = 60_000;
  /** Rooms written within this never make way at the limit. */
  static final long EVICT_MIN_AGE_MS = 24 * 3_600_000L;

  private final HazelcastInstance hazelcast;
  private final IMap<String, RoomState> rooms;
  private final Config.History history;
  /** The idle rooms the last scan found, with when a scan first found each idle since. */
  private Map<String, Long> firstSeen = new HashMap<>();
  private long lastScan = Long.MIN_VALUE / 2;
  private long nextSweep = Long.MIN_VALUE;
  /**
   * How long a room must have been seen idle, on {@link Clocks#monotonicMillis}: a node's death
   * takes its members out of every room at once, and they are back only once their clients have
   * noticed (heartbeat.timeout) and reconnected elsewhere.
   */
  private final long graceMs;
  /** The reconciliation rounds' interval: scans further apart than a few of them start over. */
  private final long roundMs;
  final AtomicLong expired = new AtomicLong();
  final AtomicLong evicted = new AtomicLong();

  IdleRooms(HazelcastInstance hazelcast, IMap<String, RoomState> rooms, Config.History history, long graceMs,
            long roundMs) {
    this.roundMs = roundMs;
    this.graceMs = graceMs;
    this.hazelcast = hazelcast;
    this.rooms = rooms;
    this.history = history;
  }

  /** Whether this member sweeps for the cluster. */
  boolean sweeps() {
    return NodeIds.oldestIsLocal(hazelcast.getCluster());
  }

  /**
   * One sweep, if one is due: {@code count} is the number of rooms the cluster holds now. How
   * many it removed.
   */
  synchronized int sweep(int count) {
    return sweep(count, false);
  }

  /** This member does not sweep (now): what it saw is stale by the time it does again. */
  synchronized void forget() {
    firstSeen.clear();
  }

  /** {@code retentionNow}: sweep for retention even if the last one was less than a minute ago (tests). */
  synchronized int sweep(int count, boolean retentionNow) {
    int max = history.maxRooms();
    boolean atLimit = count >= max;
    // near the limit, every round notes the rooms that could make way, so that they have been
    // seen idle for the grace by the time the limit is reached, and make way at once
    boolean nearLimit = count >= max - max / 10;
    long monotonic = Clocks.monotonicMillis();
    boolean retentionDue = history.retention() > 0 && (retentionNow || monotonic >= nextSweep);
    if (!nearLimit && !retentionDue) {
      return 0;
    }
    if (retentionDue) {
      nextSweep = monotonic + Math.min(SWEEP_EVERY_MS, history.retention());
    }
    long now = hazelcast.getCluster().getClusterTime();
    long expireBefore = history.retention() > 0 ? now - history.retention() : Long.MIN_VALUE;
    long scanBefore = nearLimit ? Math.max(expireBefore, now - EVICT_MIN_AGE_MS) : expireBefore;
    long emptiedBefore = now - graceMs;
    Map<String, Long> idle = rooms.executeOnEntries(new IdleOps.Idle(scanBefore, emptiedBefore));
    Set<String> eligible = sighted(idle.keySet(), monotonic);

    Set<String> due = new HashSet<>();
    List<Map.Entry<String, Long>> candidates = new ArrayList<>();
    int unwrittenPending = 0;
    for (Map.Entry<String, Long> e : idle.entrySet()) {
      boolean ready = eligible.contains(e.getKey());
      if (e.getValue() == IdleOps.Idle.UNWRITTEN) {
        if (ready) {
          due.add(e.getKey()); // left by a round or a node that never removed it (DropUnused's otherwise)
        } else {
          unwrittenPending++;
        }
      } else if (ready && e.getValue() < expireBefore) {
        due.add(e.getKey());
      } else if (ready) {
        candidates.add(e);
      }
    }
    if (atLimit) {
      // the empty rooms not yet due go within a round or two: not made way for twice
      int excess = count - unwrittenPending - (max - max / 10) - due.size();
      candidates.sort(Map.Entry.comparingByValue());
      candidates.stream().limit(Math.max(0, excess)).forEach(e -> due.add(e.getKey()));
    }
    if (due.isEmpty()) {
      return 0;
    }
    int removed = 0;
    int old = 0;
    int made = 0;
    for (Map.Entry<String, Boolean> gone : Partitions.submit(hazelcast, rooms, due,
        part -> new IdleOps.Expire(scanBefore, emptiedBefore)).join().entrySet()) {
      if (gone.getValue()) {
        long newest = idle.get(gone.getKey());
        removed++;
        firstSeen.remove(gone.getKey());
        if (newest != IdleOps.Idle.UNWRITTEN && newest < expireBefore) {
          old++;
        } else if (newest != IdleOps.Idle.UNWRITTEN) {
          made++;
        }
      }
    }
    expired.addAndGet(old);
    evicted.addAndGet(made);
    if (old > 0) {
      LOG.info("{} rooms and conversations nobody is in and nobody wrote to for history.retention removed", old);
    }
    if (made > 0) {
      LOG.warn("the cluster held {} rooms and conversations (history.maxRooms {}): removed the {} nobody is in that"
          + " were written longest ago", count, max, made);
    }
    return removed;
  }

  /**
   * Notes the idle rooms of this scan; those idle in the scan before too and for at least
   * {@link #graceMs}. A scan long after the last (this member swept not, or seldom) starts over.
   * A node's departure does not: a room its purge emptied is not idle until the grace has passed
   * since ({@link RoomState#emptiedAt}), and the rest are as idle as they were.
   */
  private Set<String> sighted(Set<String> idleNow, long monotonic) {
    if (monotonic - lastScan > 3 * Math.max(SWEEP_EVERY_MS, roundMs)) {
      firstSeen.clear();
    }
    lastScan = monotonic;
    Map<String, Long> next = new HashMap<>(idleNow.size() * 2);
    Set<String> eligible = new HashSet<>();
    for (String room : idleNow) {
      Long first = firstSeen.get(room);
      next.put(room, first == null ? monotonic : first);
      if (first != null && monotonic - first >= graceMs) {
        eligible.add(room);
      }
    }
    firstSeen = next;
    return eligible;
  }
}
