package io.switchboard.presence;

import io.switchboard.protocol.FrameEncoder;
import io.switchboard.protocol.Member;
import io.switchboard.room.Fanout;
import io.switchboard.room.NodeRouter;
import io.switchboard.room.RoomStore;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The periodic check that keeps presence true (DESIGN property 5) whatever was lost on the way:
 * a leave that failed, a node wrongly declared dead during a network blip, counts left behind.
 * Each node writes what it knows for sure about its own connections over the cluster's view of
 * them, and announces the joins and leaves that this corrects. What changed in the last
 * {@link #SETTLE_MS} is left for the next round, since its own update may still be on its way.
 */
public final class PresenceReconciler {

  private static final Logger LOG = LoggerFactory.getLogger(PresenceReconciler.class);
  /** Users a round names in its line on the per-user limit; the others are counted. */
  private static final int LOGGED_USERS = 10;
  static final long SETTLE_MS = 2_000;

  private final Vertx vertx;
  private final Context context;
  private final String node;
  private final NodeRouter router;
  private final RoomStore rooms;
  private final UserDirectory users;
  private final Fanout fanout;
  private final int maxPerUser;
  private long timer = -1;
  private boolean running;
  /** The users over the limit in the last round, with this node's share of the excess. */
  private java.util.Map<String, Integer> overBefore = java.util.Map.of();

  public PresenceReconciler(Vertx vertx, Context context, String node, NodeRouter router, RoomStore rooms,
                            UserDirectory users, Fanout fanout, int maxPerUser) {
    this.maxPerUser = maxPerUser;
    this.vertx = vertx;
    this.context = context;
    this.node = node;
    this.router = router;
    this.rooms = rooms;
    this.users = users;
    this.fanout = fanout;
  }

  public void start(long intervalMs) {
    timer = vertx.setPeriodic(intervalMs, t -> {
      if (!running) {
        running = true;
        // the rooms are counted (and idle ones removed: RoomStore.countRooms) whatever became of
        // the round: a failed one must not leave history.maxRooms' flag stuck either way
        reconcileOnce()
            .transform(ignored -> rooms.countRooms())
            .onFailure(e -> LOG.warn("counting the cluster's rooms failed, next round will retry: {}", e.toString()))
            .onComplete(ar -> running = false);
      }
    });
  }

  public void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  /**
   * One round; completes on this verticle's context. The cluster's entries for this node are
   * read first and the node's own truth after: an entry that appears in between is in the truth
   * (or busy), and one that appears later is in neither and is left alone. Read the other way
   * round, every connection admitted while the round ran was counted out and its rooms left,
   * then put back a round later: a join and leave storm under load.
   */
  public Future<Void> reconcileOnce() {
    Future<Set<String>> userCandidates = users.onNode(node);
    Future<java.util.Map<String, java.util.List<String>>> roomCandidates = rooms.onNode(node);
    Promise<LocalPresence> onContext = Promise.promise();
    long[] since = new long[1];
    Future.join(userCandidates, roomCandidates) // both scans done, also when one failed: the next round must not overlap them
        .compose(read -> {
          since[0] = PresenceClock.now(); // before the truth: a leave sent after it is stamped later
          return router.snapshot(SETTLE_MS);
        })
        .onComplete(ar -> context.runOnContext(v -> onContext.handle(ar)));
    return onContext.future().compose(truth -> {
      Future<Integer> userHalf = users.reconcile(node, truth, userCandidates.result(), since[0]);
      Future<java.util.Map<String, io.switchboard.room.RoomReply>> roomHalf = rooms.reconcile(node, truth,
          roomCandidates.result(), since[0]);
      // the rooms' changes are made once their half succeeded, whatever the users' half did: told
      // now or never (the next round, with a new op, finds nothing to change)
      return Future.join(userHalf, roomHalf).transform(both -> {
        if (roomHalf.succeeded()) {
          tell(roomHalf.result(), userHalf.succeeded() ? userHalf.result() : 0);
        }
        return both.succeeded() ? Future.succeededFuture(truth) : Future.<LocalPresence>failedFuture(both.cause());
      });
    })
        .compose(truth -> users.perNode(truth.users.keySet()))
        .compose(this::enforceLimit)
        // whatever the round did: the rooms noted empty wait for a round's time, not its success
        .transform(round -> rooms.dropUnused().transform(dropped -> {
          if (dropped.succeeded() && dropped.result() > 0) {
            LOG.debug("{} rooms without members or messages removed", dropped.result());
          }
          Throwable failed = round.failed() ? round.cause() : dropped.cause();
          return failed == null ? Future.<Void>succeededFuture() : Future.<Void>failedFuture(failed);
        }))
        .onFailure(e -> LOG.warn("presence reconciliation failed, next round will retry: {}", e.toString()));
  }

  /**
   * Users over {@code limits.maxConnectionsPerUser} once the counts are true: this node closes
   * its share of the excess, the newest here first, 4003. Only this node's own counts are true
   * after its round; another node's may still be off (a disconnect it lost), so a user is closed
   * only when over the limit in two rounds in a row, with every node's round in between.
   */
  private Future<Void> enforceLimit(java.util.Map<String, java.util.HashMap<String, Integer>> perNode) {
    java.util.Map<String, Integer> over = new java.util.HashMap<>();
    perNode.forEach((user, counts) -> {
      int close = share(counts, maxPerUser, node);
      if (close > 0) {
        over.put(user, close);
      }
    });
    java.util.Map<String, Integer> due = confirmed(over, overBefore);
    overBefore = over;
    Future<Void> done = Future.succeededFuture();
    java.util.List<String> named = new java.util.ArrayList<>();
    for (var e : due.entrySet()) {
      if (named.size() < LOGGED_USERS) {
        named.add(e.getKey() + " (" + perNode.get(e.getKey()).values().stream().mapToInt(Integer::intValue).sum()
            + " connections, closing " + e.getValue() + " here)");
      }
      done = done.compose(v -> router.closeNewest(e.getKey(), e.getValue()));
    }
    if (!due.isEmpty()) {
      // one line a round, not one per user: after a merge they can be thousands
      LOG.info("{} users over limits.maxConnectionsPerUser {} in two rounds, their newest connections here closed: {}{}",
          due.size(), maxPerUser, String.join(", ", named), due.size() > named.size() ? ", …" : "");
    }
    return done;
  }

  /** The users over the limit now and in the round before, each with what this node closes now. */
  static java.util.Map<String, Integer> confirmed(java.util.Map<String, Integer> overNow,
                                                   java.util.Map<String, Integer> overBefore) {
    java.util.Map<String, Integer> due = new java.util.HashMap<>(overNow);
    due.keySet().retainAll(overBefore.keySet());
    return due;
  }

  /**
   * How many of a user's connections {@code node} closes so that the user keeps {@code max}
   * cluster-wide. Every node computes the same split from the same counts: the excess is taken
   * from the nodes in the order of their ids. Each closing its whole excess, two nodes with 6
   * connections each and a limit of 10 closed 4, not 2.
   */
  static int share(java.util.Map<String, Integer> perNode, int max, String node) {
    int excess = perNode.values().stream().mapToInt(Integer::intValue).sum() - max;
    if (excess <= 0) {
      return 0; // nearly every user, every round: no sorted copy of their nodes
    }
    for (String n : new java.util.TreeSet<>(perNode.keySet())) {
      if (excess <= 0) {
        return 0;
      }
      int take = Math.min(excess, perNode.get(n));
      if (n.equals(node)) {
        return take;
      }
      excess -= take;
    }
    return 0;
  }

  /** Tells the rooms' corrections (joins and leaves) to their members, and every room's tail to the streams. */
  private void tell(java.util.Map<String, io.switchboard.room.RoomReply> replies, int userFixes) {
    java.util.Map<String, java.util.Map.Entry<String, Long>> tails = new java.util.HashMap<>();
    java.util.Map<String, io.switchboard.room.RoomReply> changed = new java.util.HashMap<>();
    replies.forEach((room, reply) -> {
      tails.put(room, java.util.Map.entry(reply.epoch(), reply.seq()));
      if (reply.corrected()) {
        changed.put(room, reply);
      }
    });
    router.tails(tails);
    changed.forEach((room, reply) -> {
      // each with the count after it, as if one by one: the joins from the count before the
      // correction up, then the leaves down to the count after it
      int count = reply.count() - reply.members().size() + reply.left().size();
      for (Member m : reply.members()) {
        announce(room, "join", m, reply, ++count);
      }
      for (Member m : reply.left()) {
        announce(room, "leave", m, reply, --count);
      }
    });
    if (userFixes > 0 || !changed.isEmpty()) {
      LOG.info("presence reconciled: {} user counts and {} rooms corrected {}", userFixes, changed.size(),
          changed.keySet().stream().limit(10).toList());
    }
  }

  private void announce(String room, String event, Member m, io.switchboard.room.RoomReply reply, int count) {
    String frame = FrameEncoder.presence(room, event, m.user(), m.name(), count);
    fanout.send(reply.nodes(), NodeRouter.Kind.EVENT, room, 0, frame, null);
  }
}
