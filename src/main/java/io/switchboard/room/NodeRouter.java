package io.switchboard.room;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;

/**
 * Hands what reached this node to the gateway instances that want it: room messages and
 * presence to the instances with members in the room, private messages to every instance (each
 * knows its own users). Each listener is called on its own event loop, so sessions are only
 * ever touched by their own thread. The frame is encoded once here and shared by all of them.
 */
public final class NodeRouter {

  /** A gateway instance; called on its own context. */
  public interface Listener {
    io.vertx.core.Context context();

    void onMessage(String room, String epoch, long seq, EncodedFrame frame);

    void onPresence(String room, EncodedFrame frame);

    void onPrivate(String room, String epoch, long seq, EncodedFrame frame);

    /** A node left the cluster: messages it stored may never be sent, look in the logs. */
    void onNodeLeft();

    /** This instance's connections and room members, for reconciliation. */
    io.switchboard.presence.LocalPresence snapshot(long settleMs);

    /** The opening serials of the user's connections here (node-wide order: higher is newer). */
    java.util.List<Long> connectionsOf(String user);

    /** Closes the user's connections here whose serial is in {@code serials}, with 4003. */
    void closeConnections(String user, java.util.Set<Long> serials);

    /**
     * This instance's connections ({@code user}'s only, unless null): {count, clients}, all of
     * them counted, the first {@code limit} listed as {user, session, rooms, connectedAt}.
     */
    io.vertx.core.json.JsonObject clients(String user, int limit);

    /** Closes every connection of the user here with 4009; how many. */
    int kick(String user);

    /**
     * Where the logs of rooms with members here ended when reconciliation read them: room →
     * (epoch, last seq). A quiet stream behind that lost a delivery, and reads it.
     */
    void onTails(java.util.Map<String, java.util.Map.Entry<String, Long>> tails);
  }

  /**
   * Asks every gateway instance, each on its own event loop; the answers in a list, on the
   * caller's context. Left on the loop of the instance that answered last, the reconciler's round
   * went on there, touching state that only its own context may touch.
   */
  public <T> io.vertx.core.Future<java.util.List<T>> ask(java.util.function.Function<Listener, T> question) {
    io.vertx.core.Context caller = io.vertx.core.Vertx.currentContext();
    java.util.List<io.vertx.core.Future<T>> parts = new java.util.ArrayList<>();
    for (Listener l : all) {
      io.vertx.core.Promise<T> part = io.vertx.core.Promise.promise();
      l.context().runOnContext(v -> {
        try {
          part.complete(question.apply(l));
        } catch (RuntimeException | Error e) {
          part.fail(e); // else the asker waited for ever
        }
      });
      parts.add(part.future());
    }
    io.vertx.core.Promise<java.util.List<T>> answers = io.vertx.core.Promise.promise();
    io.vertx.core.Future.all(parts).onComplete(done -> {
      io.vertx.core.AsyncResult<java.util.List<T>> answer = done.map(all -> parts.stream().map(io.vertx.core.Future::result).toList());
      if (caller == null || caller == io.vertx.core.Vertx.currentContext()) {
        answers.handle(answer);
      } else {
        caller.runOnContext(v -> answers.handle(answer));
      }
    });
    return answers.future();
  }

  /** Closes the {@code count} newest connections of a user on this node, whichever instance holds them. */
  public io.vertx.core.Future<Void> closeNewest(String user, int count) {
    return ask(l -> l.connectionsOf(user)).map(serials -> {
      java.util.Set<Long> newest = new java.util.HashSet<>(serials.stream().flatMap(java.util.List::stream)
          .sorted(java.util.Comparator.reverseOrder()).limit(count).toList());
      for (Listener l : all) {
        l.context().runOnContext(v -> l.closeConnections(user, newest));
      }
      return null;
    });
  }

  /** MESSAGE: sequenced room message; EVENT: unsequenced room frame (presence, metrics); PRIVATE: conversation. */
  public enum Kind { MESSAGE, EVENT, PRIVATE }

  private final ConcurrentHashMap<String, Set<Listener>> byRoom = new ConcurrentHashMap<>();
  private final Set<Listener> all = new CopyOnWriteArraySet<>();
  /** Frames handed to each instance's loop and not run yet. */
  private final ConcurrentHashMap<Listener, Backlog> pending = new ConcurrentHashMap<>();
  private final int maxPending;
  private final long maxPendingBytes;

  /** An instance's frames waiting for its loop: how many, and their bytes (each frame counted once per loop). */
  private static final class Backlog {
    final java.util.concurrent.atomic.AtomicInteger frames = new java.util.concurrent.atomic.AtomicInteger();
    final java.util.concurrent.atomic.AtomicLong bytes = new java.util.concurrent.atomic.AtomicLong();

    boolean add(int size, int maxFrames, long maxBytes) {
      int n = frames.incrementAndGet();
      long b = bytes.addAndGet(size);
      return n <= maxFrames && b <= maxBytes;
    }

    /** Takes a frame off; whether the loop is down to half of both bounds. */
    boolean remove(int size, int maxFrames, long maxBytes) {
      long b = bytes.addAndGet(-size);
      return frames.decrementAndGet() <= maxFrames / 2 && b <= maxBytes / 2;
    }
  }
  private final java.util.concurrent.atomic.AtomicLong dropped = new java.util.concurrent.atomic.AtomicLong();
  /** The instances that frames were dropped for since they last caught up. */
  private final Set<Listener> owed = java.util.concurrent.ConcurrentHashMap.newKeySet();
  /**
   * Private frames not handed to a loop that was past its bound, kept for it until it caught up:
   * a room's dropped message is read back from its stream's log, but a conversation with no
   * stream on that loop yet (its first message since its user connected) had nothing to read
   * it, and the message waited for the conversation's next one.
   */
  private final java.util.Map<Listener, KeptAside> keptAside = new java.util.concurrent.ConcurrentHashMap<>();
  /** What one loop's {@link #keptAside} may hold; past it a private frame is dropped, as before. */
  static final int KEPT_ASIDE_FRAMES = 10_000;
  static final long KEPT_ASIDE_BYTES = 8L << 20;

  /** One private frame kept aside, with what {@link Listener#onPrivate} takes. */
  private record Kept(String room, String tag, long seq, EncodedFrame frame) {
  }

  /** Private frames kept for one loop, in the order they came. */
  private static final class KeptAside {
    private final java.util.ArrayDeque<Kept> frames = new java.util.ArrayDeque<>();
    private long bytes;

    synchronized boolean keep(Kept kept) {
      if (frames.size() >= KEPT_ASIDE_FRAMES || bytes + kept.frame().length() > KEPT_ASIDE_BYTES) {
        return false;
      }
      frames.add(kept);
      bytes += kept.frame().length();
      return true;
    }

    synchronized java.util.List<Kept> takeAll() {
      java.util.List<Kept> all = new java.util.ArrayList<>(frames);
      frames.clear();
      bytes = 0;
      return all;
    }
  }

  public NodeRouter() {
    this(MAX_PENDING, MAX_PENDING_BYTES);
  }

  NodeRouter(int maxPending, long maxPendingBytes) {
    this.maxPending = maxPending;
    this.maxPendingBytes = maxPendingBytes;
  }

  /**
   * Sequenced frames an instance's loop may have waiting before more are dropped. The loop's task
   * queue has no bound of its own: a loop slower than its rooms' messages (a burst into rooms of
   * thousands) grew the heap until the node died. A dropped room message or private message is
   * read back from the log (the stream sees the gap at the next one, or reconciliation's tails
   * find it behind, and once its loop is down to half this, every stream there reads where its
   * log ends, as after a node died); presence is never dropped, as nothing would bring it back.
   */
  static final int MAX_PENDING = 100_000;
  /**
   * And their bytes: 100 000 frames of small messages are a few MB, but as many at the frame
   * limit (a 64 KiB {@code data} each) were over 6 GB on one loop before any was dropped.
   */
  static final long MAX_PENDING_BYTES = 32L << 20;

  public void register(Listener listener) {
    pending.putIfAbsent(listener, new Backlog());
    all.add(listener);
  }

  public void unregister(Listener listener) {
    all.remove(listener);
    byRoom.keySet().forEach(room -> unsubscribe(room, listener));
    pending.remove(listener);
    owed.remove(listener);
    keptAside.remove(listener);
  }

  /** Sequenced frames dropped so far because an instance's loop had {@link #MAX_PENDING} waiting. */
  public long dropped() {
    return dropped.get();
  }

  /**
   * Adds within the map's atomic step: adding to a set taken out of it could land in a set that
   * another loop's last unsubscribe had just removed, and that loop's members would get nothing
   * more from the room.
   */
  public void subscribe(String room, Listener listener) {
    byRoom.compute(room, (r, set) -> {
      Set<Listener> listeners = set == null ? new CopyOnWriteArraySet<>() : set;
      listeners.add(listener);
      return listeners;
    });
  }

  /** The instances that get the room's frames (tests). */
  Set<Listener> listenersOf(String room) {
    return byRoom.getOrDefault(room, Set.of());
  }

  public void unsubscribe(String room, Listener listener) {
    byRoom.computeIfPresent(room, (r, set) -> {
      set.remove(listener);
      return set.isEmpty() ? null : set;
    });
  }

  /** Rooms with at least one local listener: the rooms this node holds members of. */
  public Set<String> rooms() {
    return byRoom.keySet();
  }

  /** How many rooms have members on this node, system rooms ($metrics) left out, as GET /api/rooms leaves them. */
  public long userRooms() {
    return byRoom.keySet().stream().filter(room -> !io.switchboard.protocol.Names.isSystemRoom(room)).count();
  }

  /**
   * Every gateway instance's part of the node's presence, merged on a worker (answered on the
   * caller's context); busy entries set aside. At 100 000 connections in three rooms each the
   * merge took 50 to 250 ms, on the loop that also serves the node's cross-node frames.
   */
  public io.vertx.core.Future<io.switchboard.presence.LocalPresence> snapshot(long settleMs) {
    io.vertx.core.Vertx vertx = all.isEmpty() ? null : all.iterator().next().context().owner();
    return ask(l -> l.snapshot(settleMs)).compose(parts -> vertx == null ? io.vertx.core.Future.succeededFuture(merged(parts))
        : vertx.executeBlocking(() -> merged(parts), false));
  }

  private static io.switchboard.presence.LocalPresence merged(java.util.List<io.switchboard.presence.LocalPresence> parts) {
    io.switchboard.presence.LocalPresence merged = new io.switchboard.presence.LocalPresence();
    parts.forEach(merged::merge);
    merged.settle();
    return merged;
  }

  /** See {@link Listener#onTails}: handed to every gateway instance. */
  public void tails(java.util.Map<String, java.util.Map.Entry<String, Long>> tails) {
    for (Listener l : all) {
      l.context().runOnContext(v -> l.onTails(tails));
    }
  }

  public void nodeLeft() {
    for (Listener l : all) {
      l.context().runOnContext(v -> l.onNodeLeft());
    }
  }

  /** On {@code l}'s loop, once it is down to half its bound: the private frames kept for it, then the logs. */
  private void caughtUp(Listener l) {
    KeptAside kept = keptAside.get(l);
    if (kept != null) {
      for (Kept f : kept.takeAll()) {
        l.onPrivate(f.room(), f.tag(), f.seq(), f.frame());
      }
    }
    l.onNodeLeft();
  }

  /** {@code tag}: the log's epoch for messages and private messages; none for events. */
  public void route(Kind kind, String room, long seq, String frame, String tag) {
    Set<Listener> targets = kind == Kind.PRIVATE ? all : byRoom.get(room);
    if (targets == null || targets.isEmpty()) {
      return;
    }
    EncodedFrame encoded = EncodedFrame.of(frame);
    int size = encoded.length();
    for (Listener l : targets) {
      Backlog waiting = pending.get(l);
      if (waiting == null) {
        continue; // unregistered since the targets were read: its gateway stopped
      }
      if (!waiting.add(size, maxPending, maxPendingBytes) && kind != Kind.EVENT) {
        owed.add(l);
        if (kind != Kind.PRIVATE || !keptAside.computeIfAbsent(l, x -> new KeptAside()).keep(new Kept(room, tag, seq, encoded))) {
          dropped.incrementAndGet();
        }
        if (waiting.remove(size, maxPending, maxPendingBytes) && owed.remove(l)) {
          l.context().runOnContext(v -> caughtUp(l)); // its loop caught up in between
        }
        continue;
      }
      l.context().runOnContext(v -> {
        if (waiting.remove(size, maxPending, maxPendingBytes) && owed.remove(l)) {
          caughtUp(l); // caught up: it reads what it missed, as after a node died
        }
        switch (kind) {
          case MESSAGE -> l.onMessage(room, tag, seq, encoded);
          case EVENT -> l.onPresence(room, encoded);
          case PRIVATE -> l.onPrivate(room, tag, seq, encoded);
        }
      });
    }
  }
}
