package io.switchboard.room;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.switchboard.config.Config;
import io.switchboard.protocol.FrameEncoder.MessageTemplate;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.switchboard.presence.Partitions;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The rooms as the cluster holds them: a Hazelcast map of {@link RoomState}, one entry per room,
 * changed only through {@link RoomOps} and {@link RoomAppend} on the owning partition. Every
 * method is asynchronous and completes on the caller's Vert.x context.
 */
public final class RoomStore {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RoomStore.class);

  public static final String MAP_NAME = "switchboard.rooms";
  /**
   * How long after the call an append may still be stored: 2.5 s less than the caller waits for
   * its answer ({@link io.switchboard.Addresses#LOCAL_REQUEST}). An append stored at the last
   * moment answers once its backup acknowledged, or once Hazelcast gives up on the backup: after
   * its timeout (a second: see ClusterSetup) at the next scan of its invocation monitor, which
   * runs once a second. That leaves half a second for the answer's way back. Past the window the
   * owner refuses, so that "unavailable" means "not stored".
   */
  static final long STORE_WINDOW_MS = io.switchboard.Addresses.LOCAL_REQUEST.getSendTimeout() - 2_500;

  private static final io.switchboard.ops.ThrottledLog SWEEP_FAILED = new io.switchboard.ops.ThrottledLog(LOG);
  private static final io.switchboard.ops.ThrottledLog UNCONFIRMED = new io.switchboard.ops.ThrottledLog(LOG);
  private static final io.switchboard.ops.ThrottledLog RECONCILE_FAILED = new io.switchboard.ops.ThrottledLog(LOG);

  private final Vertx vertx;
  private final IMap<String, RoomState> rooms;
  private final Config.History history;
  private final HazelcastInstance hazelcast;
  /**
   * Set by {@link #countRooms} (each reconciliation round) once the cluster held
   * {@code history.maxRooms} entries two rounds in a row: joins and appends then make no new
   * room. Approximate, by two rounds' worth of new rooms; exact would be a cluster-wide count per
   * join.
   */
  private volatile boolean full;
  /**
   * Whether the count was at the limit in the round before: a node refuses new rooms only at the
   * limit two rounds in a row, so that the sweeping member's {@link IdleRooms} has had a round
   * to make way.
   */
  private boolean atLimitBefore;
  private volatile int stored;
  private final IdleRooms idle;
  private final UnusedRooms unused;
  /** Every room's count is a visit to every partition: callers at the same time share one. */
  private final SharedScan<OccupiedRooms> occupied;

  /** For tests: a room seen idle by two scans may go, however close together. */
  public RoomStore(Vertx vertx, HazelcastInstance hazelcast, Config.History history) {
    this(vertx, hazelcast, history, 0, 15_000);
  }

  /**
   * {@code idleGraceMs}: how long a room must have been seen idle before it goes;
   * {@code roundMs}: presence.reconcileInterval, how often {@link #countRooms} is called (see
   * {@link IdleRooms}).
   */
  public RoomStore(Vertx vertx, HazelcastInstance hazelcast, Config.History history, long idleGraceMs, long roundMs) {
    this.vertx = vertx;
    this.rooms = hazelcast.getMap(MAP_NAME);
    this.hazelcast = hazelcast;
    this.history = history;
    this.idle = new IdleRooms(hazelcast, rooms, history, idleGraceMs, roundMs);
    this.unused = new UnusedRooms(vertx, hazelcast, rooms);
    this.occupied = new SharedScan<>(() -> vertx.executeBlocking(
        () -> OccupiedRooms.of(Partitions.answered(rooms.executeOnEntries(new RoomReads.Count()))), false));
  }

  /** Stores a message with the next seq; completes once it is stored with its backups. */
  public Future<RoomReply> append(String room, MessageTemplate message) {
    return append(room, List.of(message));
  }

  /**
   * Stores messages with the next seqs, in their order, in one operation; the reply's
   * {@code firstSeq} is the first message's seq, {@code seq} the last's.
   */
  public Future<RoomReply> append(String room, List<MessageTemplate> messages) {
    return append(room, messages, true);
  }

  /** {@code create} false: stored only if the room exists (the user's {@link CreationBudget} is spent). */
  public Future<RoomReply> append(String room, List<MessageTemplate> messages, boolean create) {
    return append(room, messages, create, 0);
  }

  /**
   * {@code id}: the append's id (0: a random one). One a client's key names (see
   * {@link MessageKeys#keyId}) finds the message its earlier sending stored, while the room keeps
   * it: answered with its seq (and the stored frame in {@link RoomReply#messages}), nothing stored
   * twice.
   */
  public Future<RoomReply> append(String room, List<MessageTemplate> messages, boolean create, long id) {
    String[] prefixes = new String[messages.size()];
    String[] suffixes = new String[messages.size()];
    for (int i = 0; i < prefixes.length; i++) {
      prefixes[i] = messages.get(i).prefix();
      suffixes[i] = messages.get(i).suffix();
    }
    long deadline = hazelcast.getCluster().getClusterTime() + STORE_WINDOW_MS;
    RoomAppend op = new RoomAppend(newEpoch(), history.size(), history.maxBytes(), prefixes, suffixes,
        id != 0 ? id : newOpId()).before(deadline);
    op.again = id != 0; // a key's message may have been stored by an earlier sending; a random id's not
    op.mayCreate = mayCreate(room, create);
    return withBackup(room, op).map(r -> madeBy(op, r));
  }

  /**
   * Runs an append until its backup has it: an acknowledged message must survive its owner's
   * death (DESIGN property 2). Past Hazelcast's backup timeout (see ClusterSetup) with no
   * acknowledgment from the backup, Hazelcast would answer with the owner's reply alone; if the
   * owner then died before the backup got the append, the new owner would give its seq to the
   * next message, and receivers that had the lost one would drop that one as a duplicate.
   * Instead the append runs again: the owner finds it by its id and sends the backup the same
   * messages, and only that backup's acknowledgment answers. Runs again while the append's
   * window is open; after it, the caller answers {@code unavailable}. A backup whose copy does
   * not end just before this append (it missed one) neither stores nor acknowledges it (see
   * {@link RoomAppend#atSeq}) until Hazelcast's replica sync has brought it level.
   */
  private Future<RoomReply> withBackup(String room, RoomAppend op) {
    return io.switchboard.presence.ClusterCall.onKeyWithBackups(vertx, hazelcast, rooms, room, op).recover(e -> {
      // the owner (or the backup) left before the answer: what Hazelcast re-runs by itself unless
      // asked to fail, as here, whenever it happens. The new owner finds the message (it was the
      // backup) or stores it if its deadline allows, and its backup confirms it either way
      boolean left = e instanceof com.hazelcast.core.MemberLeftException
          || e.getCause() instanceof com.hazelcast.core.MemberLeftException;
      if (!left) {
        if (!(e instanceof com.hazelcast.core.IndeterminateOperationStateException)) {
          return Future.failedFuture(e);
        }
        if (hazelcast.getCluster().getClusterTime() >= op.deadline) {
          return Future.failedFuture(new io.vertx.core.eventbus.ReplyException(io.vertx.core.eventbus.ReplyFailure.RECIPIENT_FAILURE,
              io.switchboard.protocol.ErrorCode.UNAVAILABLE.failureCode(), "the room's backup did not confirm this message in"
              + " time; it may be in the room's history: sent again with the same key, it is stored once"));
        }
        UNCONFIRMED.warn("an append in {} was stored without its backup's acknowledgment in time; running it again"
            + " to have the backup confirm it", room);
      }
      // found stored: answered as the first run would have been, so that it goes out and counts
      return withBackup(room, op.confirming()).map(RoomReply::asStored);
    });
  }

  /** Whether {@code op} made the room: the log has the epoch it brought for a new one. */
  private static RoomReply madeBy(RoomOps.Mutation op, RoomReply r) {
    // a join that counts no connection (count false) answers from a room it does not store
    r.created = !(op instanceof RoomJoin join && !join.count) && op.newEpoch.equals(r.epoch());
    return r;
  }

  /**
   * $metrics is made whatever the count and the user's budget: an operator needs it most when the
   * cluster is full. Not every system room: an admin may join any $ name, and each made that way
   * went past history.maxRooms and the budget, unlisted. {@code create}: the user's
   * {@link CreationBudget} allows it.
   */
  private boolean mayCreate(String room, boolean create) {
    return io.switchboard.protocol.Names.METRICS_ROOM.equals(room) || (create && !full);
  }

  /**
   * Counts the cluster's rooms and conversations (one call to every member); on the member that
   * sweeps for the cluster, first removes the idle ones due ({@link IdleRooms}). At
   * {@code history.maxRooms} two rounds in a row (every room has someone in it, or was written
   * within a day), no new one is made until some are removed. Called once a round.
   */
  public Future<Integer> countRooms() {
    return vertx.executeBlocking(() -> {
      int n = rooms.size();
      if (!idle.sweeps()) {
        idle.forget();
        return n;
      }
      try {
        return n - idle.sweep(n);
      } catch (RuntimeException e) { // the count stands: a failed sweep must not leave the flag as it was
        SWEEP_FAILED.warn("removing idle rooms failed, the next round will retry: {}", e.toString());
        return n;
      }
    }, false).map(n -> {
      // map, not onSuccess: the answer comes once the flag is set. Vert.x sets a blocking task's
      // result before its callbacks run, so a caller that awaited it read the flag unset
      noteCount(n);
      return n;
    });
  }

  /** Sets {@link #full} from a count: at the limit in this round and the one before. */
  private void noteCount(int n) {
    stored = n;
    boolean was = full;
    boolean atLimit = n >= history.maxRooms();
    full = atLimit && atLimitBefore;
    atLimitBefore = atLimit;
    if (full != was) {
      if (full) {
        LOG.warn("the cluster holds {} rooms and conversations, history.maxRooms is {}, and none can make way:"
            + " no new one is made until some are removed or the limit is raised", n, history.maxRooms());
      } else {
        LOG.info("the cluster holds {} rooms and conversations, under history.maxRooms ({}) again", n,
            history.maxRooms());
      }
    }
  }

  /**
   * The count once, as the node starts: a node that joins a full cluster refuses new rooms at
   * once. Left to its rounds, it made them for two rounds (30 s at the defaults) while the other
   * nodes refused them, and every node of a rolling restart did. The sweeping member has had its
   * rounds to make way; this node's own rounds lift the flag as they find room.
   */
  public Future<Void> countAtStart() {
    return vertx.executeBlocking(() -> rooms.size(), false).map(n -> {
      atLimitBefore = n >= history.maxRooms(); // as if the round before had counted as many
      noteCount(n);
      return null;
    });
  }

  /** A sweep for retention now, whenever the last was: {@link IdleRooms#sweep}. */
  Future<Integer> sweepNow() {
    return vertx.executeBlocking(() -> idle.sweep(rooms.size(), true), false);
  }

  /** The sweep of idle rooms, for tests. */
  IdleRooms idleRooms() {
    return idle;
  }

  /** Whether joins and appends make no new room now (see {@link #countRooms}). */
  public boolean full() {
    return full;
  }

  /** Rooms with messages that this node removed past history.retention, since it started. */
  public long expired() {
    return idle.expired.get();
  }

  /** Rooms with messages that this node removed at history.maxRooms, since it started. */
  public long evicted() {
    return idle.evicted.get();
  }

  /** The rooms and conversations the cluster held at the last {@link #countRooms}. */
  public int stored() {
    return stored;
  }

  /** {@code sinceEpoch} null: no recovery asked. {@code count} false: a repeated join, nothing changes. */
  public Future<RoomReply> join(String room, String user, String name, String node, boolean count,
                                long sinceSeq, String sinceEpoch, int historyCount) {
    return join(room, user, name, node, count, sinceSeq, sinceEpoch, historyCount, 0, 0);
  }

  /**
   * {@code messageBytes}: the reply's messages keep within as many bytes ({@link HistoryWindow});
   * {@code memberBytes}: it lists the first members that fit in as many. 0: no limit.
   */
  public Future<RoomReply> join(String room, String user, String name, String node, boolean count,
                                long sinceSeq, String sinceEpoch, int historyCount, long messageBytes, long memberBytes) {
    return join(room, user, name, node, count, sinceSeq, sinceEpoch, historyCount, messageBytes, memberBytes, true);
  }

  /** {@code create} false: joined only if the room exists (the user's {@link CreationBudget} is spent). */
  public Future<RoomReply> join(String room, String user, String name, String node, boolean count, long sinceSeq,
                                String sinceEpoch, int historyCount, long messageBytes, long memberBytes, boolean create) {
    // stamped before the node's own record of the join exists: see PresenceClock
    RoomJoin op = new RoomJoin(newEpoch(), history.size(), user, name, node, count,
        sinceSeq, sinceEpoch, historyCount, history.recoverMax(), messageBytes, memberBytes)
        .stamped(count ? io.switchboard.presence.PresenceClock.next() : 0);
    op.mayCreate = mayCreate(room, create);
    return onKey(room, op).map(r -> madeBy(op, r));
  }

  public Future<RoomReply> leave(String room, String user, String node) {
    // stamped after the node's own record of the leave changed: see PresenceClock
    return onKey(room, new RoomOps.Leave(user, node, io.switchboard.presence.PresenceClock.next()))
        .map(r -> unused.noteIfUnused(room, r));
  }

  /**
   * Removes the rooms a leave or a node's death left with neither members nor messages, a round
   * later (see {@link UnusedRooms#dropUnused}). Called from one context (the reconciler's). How
   * many were removed.
   */
  public Future<Integer> dropUnused() {
    return unused.dropUnused();
  }

  /** {@code before}/{@code after}: -1 when absent. */
  public Future<RoomReply> history(String room, long before, long after, int limit) {
    return history(room, before, after, limit, 0);
  }

  /** {@code messageBytes}: the page keeps within as many bytes ({@link HistoryWindow}); 0: no limit. */
  public Future<RoomReply> history(String room, long before, long after, int limit, long messageBytes) {
    return onKey(room, RoomReads.Read.history(before, after, limit, messageBytes));
  }

  /**
   * Where each room's log ends (epoch, last seq), one read-only call per partition; the rooms of
   * a partition that fails, or does not answer within {@code ms}, are left out. Rooms that do not
   * exist answer an empty epoch.
   */
  public Future<Map<String, Map.Entry<String, Long>>> tails(java.util.Set<String> names, long ms) {
    List<Future<Map<String, RoomReply>>> calls = new java.util.ArrayList<>();
    for (java.util.Set<String> part : Partitions.byPartition(hazelcast, names)) {
      calls.add(RequestDeadline.within(vertx,
          io.switchboard.presence.ClusterCall.call(vertx, () -> rooms.submitToKeys(part, RoomReads.Read.members(1))), ms));
    }
    return Future.join(calls).transform(done -> {
      Map<String, Map.Entry<String, Long>> tails = new java.util.HashMap<>();
      for (Future<Map<String, RoomReply>> call : calls) {
        if (call.succeeded()) {
          call.result().forEach((room, reply) -> {
            if (reply != null) {
              tails.put(room, new java.util.AbstractMap.SimpleImmutableEntry<>(reply.epoch(), reply.seq()));
            }
          });
        }
      }
      return Future.succeededFuture(tails);
    });
  }

  public Future<RoomReply> members(String room) {
    return members(room, 0);
  }

  /** {@code memberBytes}: the reply lists the first members that fit in as many bytes (0: all). */
  public Future<RoomReply> members(String room, long memberBytes) {
    return onKey(room, RoomReads.Read.members(memberBytes));
  }

  /** The room's member count (and nodes), with a budget of one byte: no member is listed. */
  public Future<RoomReply> count(String room) {
    return members(room, 1);
  }

  /**
   * Room → the users the cluster says have connections of {@code node} there: the candidates
   * for {@link #reconcile}. Read by a read-only processor, so that only the names travel.
   */
  public Future<Map<String, List<String>>> onNode(String node) {
    return vertx.executeBlocking(() -> Partitions.answered(
        rooms.executeOnEntries(new RoomReads.UsersOn(node), new io.switchboard.presence.OnNode<RoomState>(node))), false);
  }

  /**
   * Sets this node's connections in every room to what the node knows; the rooms that changed,
   * with who joined ({@code members}) and who left ({@code left}). Only the {@code candidates}
   * from {@link #onNode}, read before the truth was taken, can be removed: a join after the
   * snapshot is in neither, so it is not undone; a room where the node sent a leave after
   * {@code since} (the {@link io.switchboard.presence.PresenceClock} read before the truth was
   * taken) is left for the next round. One call per partition with that partition's share (see
   * Partitions).
   */
  public Future<Map<String, RoomReply>> reconcile(String node, io.switchboard.presence.LocalPresence truth,
                                                  Map<String, List<String>> candidates, long since) {
    return vertx.executeBlocking(() -> {
      Set<String> keys = new HashSet<>(candidates.keySet());
      keys.addAll(truth.rooms.keySet());
      // the partitions that answered have changed their rooms: their joins and leaves are told
      // even if another partition failed (the next round, with a new op, would find nothing to tell)
      return Partitions.submitEach(hazelcast, rooms, keys, part -> new RoomReconcile(node,
          Partitions.slice(truth.rooms, part), Partitions.slice(candidates, part),
          Partitions.slice(truth.busyRooms, part), Partitions.slice(truth.busyMembers, part), since, newEpoch(),
          history.size()), e -> RECONCILE_FAILED.warn("presence reconciliation: a partition of the rooms failed,"
              + " its rooms wait for the next round: {}", e.toString())).join();
    }, false);
  }

  /** The nodes the rooms hold connections or stamps of, besides {@code known}: a scan of every room. */
  public Future<Set<String>> strangers(Set<String> known) {
    return vertx.executeBlocking(() -> io.switchboard.presence.Strangers.union(
        rooms.executeOnEntries(new io.switchboard.presence.Strangers<RoomState>(known))), false);
  }

  /** Rooms with at least one member, cluster-wide, system rooms and conversations left out. */
  public Future<OccupiedRooms> occupied() {
    return occupied.get();
  }

  /**
   * Removes a dead node's connections from every room, a partition at a time: {@code removed}
   * gets each partition's rooms that changed, with who left, on the caller's context as soon as
   * they are. One call over every partition failed as a whole when one partition failed (moving
   * just then, or an entry it could not process): the leaves already made in the others were
   * never announced, and the retry found those rooms clean. Fails if a partition failed; done
   * again, it finds only what is left to remove.
   */
  public Future<Void> purgeNode(String node, java.util.function.Consumer<Map<String, RoomReply>> removed) {
    return purgeNode(node, newOpId(), java.util.concurrent.ConcurrentHashMap.newKeySet(), removed);
  }

  /**
   * {@link #purgeNode(String, java.util.function.Consumer)} as one of the tries of one purge: the
   * same {@code op} each time, and {@code done} the partitions a try finished, which the next
   * skips. A partition whose call failed may have been purged all the same (its owner did it and
   * died, and the backup applied it): tried again under the same op, its rooms answer with the
   * leaves made then (see {@link RoomState#answeredBy}); under a new one they looked clean, and
   * those leaves were never told.
   */
  public Future<Void> purgeNode(String node, long op, java.util.Set<String> done,
                                java.util.function.Consumer<Map<String, RoomReply>> removed) {
    io.vertx.core.Context context = vertx.getOrCreateContext();
    return vertx.executeBlocking(() -> {
      RuntimeException failed = null;
      for (String key : partitionKeys()) {
        if (done.contains(key)) {
          continue;
        }
        try {
          Map<String, RoomReply> changed = Partitions.answered(rooms.executeOnEntries(new RoomOps.Purge(node, op),
              com.hazelcast.query.Predicates.partitionPredicate(key, com.hazelcast.query.Predicates.alwaysTrue())));
          done.add(key);
          if (!changed.isEmpty()) {
            context.runOnContext(v -> {
              changed.forEach(unused::noteIfUnused);
              removed.accept(changed);
            });
          }
        } catch (RuntimeException e) {
          if (failed == null) {
            failed = e;
          }
        }
      }
      if (failed != null) {
        throw failed;
      }
      return null;
    }, false);
  }

  private volatile List<String> partitionKeys;

  private List<String> partitionKeys() {
    List<String> keys = partitionKeys;
    if (keys == null) {
      keys = Partitions.keyPerPartition(hazelcast);
      partitionKeys = keys;
    }
    return keys;
  }

  private Future<RoomReply> onKey(String room, com.hazelcast.map.EntryProcessor<String, RoomState, RoomReply> op) {
    return io.switchboard.presence.ClusterCall.onKey(vertx, hazelcast, rooms, room, op);
  }

  /** An id for one cluster-wide operation (never 0, which is "none"). */
  public static long newOpId() {
    long id;
    do {
      id = ThreadLocalRandom.current().nextLong();
    } while (id == 0);
    return id;
  }

  /**
   * The epoch a log gets if this call creates it. Only has to differ from the room's earlier
   * epochs, not be secret, and every append carries one: ThreadLocalRandom, not SecureRandom.
   */
  static String newEpoch() {
    return "e-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
  }
}
