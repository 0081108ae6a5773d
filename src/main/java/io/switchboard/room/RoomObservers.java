package io.switchboard.room;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.EntryListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.MapEvent;
import com.hazelcast.multimap.MultiMap;
import io.switchboard.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which {@code switchboard.room.<room>} addresses a program in the cluster consumes. A clustered
 * publish to an address that nobody consumes still asks Hazelcast for its subscribers, and the
 * benchmark measured that at about 200 µs of CPU per message: more than the rest of a publish
 * together. So each node follows the cluster manager's subscription map (vertx-hazelcast keeps
 * every consumer's address there, in {@value #SUBS}) and publishes to an observer address only
 * when someone consumes it. Events arrive as fast as Vert.x's own view of the registrations.
 */
final class RoomObservers implements EntryListener<String, Object>, com.hazelcast.core.LifecycleListener {

  /** vertx-hazelcast's registrations: address → one value per consumer (its SubsMapHelper). */
  static final String SUBS = "__vertx.subs";
  private static final Logger LOG = LoggerFactory.getLogger(RoomObservers.class);
  private static final String PREFIX = Addresses.room("");

  private final Vertx vertx;
  private final HazelcastInstance hazelcast;
  private final MultiMap<String, Object> subs;
  private volatile UUID lifecycle;
  /** room → its observers' count (the address without {@link #PREFIX}). */
  private final Map<String, Integer> counts = new ConcurrentHashMap<>();
  private volatile UUID listener;
  /** Observer addresses whose count is queued in {@link #counting}, so that it is queued once. */
  private final java.util.Set<String> waiting = ConcurrentHashMap.newKeySet();
  /** Where the counts change: in the order the events came; its thread ends when idle. */
  private final java.util.concurrent.ThreadPoolExecutor counting = new java.util.concurrent.ThreadPoolExecutor(1, 1,
      30, java.util.concurrent.TimeUnit.SECONDS, new java.util.concurrent.LinkedBlockingQueue<>(), r -> {
        Thread t = new Thread(r, "switchboard-observers");
        t.setDaemon(true);
        return t;
      });

  /**
   * How often the whole map is read again whatever the events said. After a split brain heals,
   * only the side that merged hears of it (LifecycleState.MERGED); the other side's members get
   * no event for the registrations that came back with it (a multimap's merge is not an add),
   * and they published those rooms to nobody until the registrations changed.
   */
  static final long RESYNC_EVERY_MS = 60_000;
  private final long resyncEveryMs;
  private long resyncTimer = -1;
  /** A full read is queued: the next asks for none more. */
  private final java.util.concurrent.atomic.AtomicBoolean resyncQueued = new java.util.concurrent.atomic.AtomicBoolean();

  RoomObservers(Vertx vertx, HazelcastInstance hazelcast) {
    this(vertx, hazelcast, RESYNC_EVERY_MS);
  }

  RoomObservers(Vertx vertx, HazelcastInstance hazelcast, long resyncEveryMs) {
    counting.allowCoreThreadTimeOut(true);
    this.vertx = vertx;
    this.hazelcast = hazelcast;
    this.subs = hazelcast.getMultiMap(SUBS);
    this.resyncEveryMs = resyncEveryMs;
  }

  /**
   * Listens first, then reads what is there, so no registration falls between the two. Every
   * change of {@link #counts} after that is a read of the map, one at a time on a thread of its
   * own (Hazelcast calls block): counted from the events instead (+1, −1), a registration whose
   * event came while a {@link #resync} read the map was lost or counted twice, and its room then
   * went on being published to nobody, or never to its program.
   */
  Future<Void> start() {
    resyncTimer = vertx.setPeriodic(resyncEveryMs, t -> resyncLater());
    return Future.fromCompletionStage(java.util.concurrent.CompletableFuture.runAsync(() -> {
      listener = subs.addEntryListener(this, false);
      lifecycle = hazelcast.getLifecycleService().addLifecycleListener(this);
      resync();
    }, counting), vertx.getOrCreateContext()); // completes where it was asked
  }

  void stop() {
    vertx.cancelTimer(resyncTimer);
    counting.shutdown(); // what is queued still runs (a start completes, failing if the member is gone)
    try {
      if (listener != null) {
        subs.removeEntryListener(listener);
      }
      if (lifecycle != null) {
        hazelcast.getLifecycleService().removeLifecycleListener(lifecycle);
      }
    } catch (RuntimeException e) {
      // the member is already gone
    }
  }

  /**
   * A split brain healed: this side's copy of the map was replaced by the other side's without
   * an event for what came back (during the split it dropped the other side's consumers, with
   * events), and Vert.x's own re-registrations find their values there and make none either.
   * Read whole again, or those rooms stayed unpublished to their programs for good.
   */
  @Override
  public void stateChanged(com.hazelcast.core.LifecycleEvent event) {
    if (event.getState() == com.hazelcast.core.LifecycleEvent.LifecycleState.MERGED) {
      resyncLater();
    }
  }

  /**
   * Whether some consumer in the cluster listens on {@code room}'s observer address. Asked for
   * every publish, mostly with nobody observing at all: then it hashes nothing.
   */
  boolean observed(String room) {
    return !counts.isEmpty() && counts.containsKey(room);
  }

  private void resync() {
    Map<String, Integer> now = new java.util.HashMap<>();
    for (String key : subs.keySet()) {
      if (key.startsWith(PREFIX)) {
        now.put(key.substring(PREFIX.length()), subs.valueCount(key));
      }
    }
    counts.keySet().retainAll(now.keySet());
    counts.putAll(now);
  }

  /**
   * An observer address's registrations changed: counted again from the map, after what is queued.
   * One count waits per address at most: a program that registers and unregisters in a loop (or
   * a stalled partition that holds the counts up) adds nothing to the queue while its address's
   * count is still waiting, and the count that runs reads what the map holds then.
   */
  private void change(String address) {
    if (address != null && address.startsWith(PREFIX) && waiting.add(address)) {
      run(() -> {
        waiting.remove(address); // before the read: an event after this point counts again
        int n = subs.valueCount(address);
        String room = address.substring(PREFIX.length());
        if (n > 0) {
          counts.put(room, n);
        } else {
          counts.remove(room);
        }
      });
    }
  }

  @Override
  public void entryAdded(EntryEvent<String, Object> event) {
    change(event.getKey());
  }

  @Override
  public void entryRemoved(EntryEvent<String, Object> event) {
    change(event.getKey());
  }

  @Override
  public void entryUpdated(EntryEvent<String, Object> event) {
    // a multimap adds and removes values; nothing is updated in place
  }

  @Override
  public void entryEvicted(EntryEvent<String, Object> event) {
    change(event.getKey());
  }

  @Override
  public void entryExpired(EntryEvent<String, Object> event) {
    change(event.getKey());
  }

  @Override
  public void mapCleared(MapEvent event) {
    resyncLater();
  }

  /** A full read after what is queued, unless one is queued already (it reads what the map holds then). */
  private void resyncLater() {
    if (resyncQueued.compareAndSet(false, true)) {
      run(() -> {
        resyncQueued.set(false);
        resync();
      });
    }
  }

  /** The id of the listener that hears the registrations' events (tests). */
  UUID listener() {
    return listener;
  }

  private void run(Runnable count) {
    try {
      counting.execute(() -> {
        try {
          count.run();
        } catch (com.hazelcast.core.HazelcastInstanceNotActiveException gone) {
          // the member is going: nothing publishes any more
        } catch (RuntimeException e) {
          LOG.warn("observer addresses not counted: {}", e.toString());
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException stopped) {
      // stopped: nothing publishes any more
    }
  }

  /** Counts queued and not yet started: at most one per observer address (tests). */
  int queued() {
    return counting.getQueue().size();
  }

  @Override
  public void mapEvicted(MapEvent event) {
    mapCleared(event);
  }
}
