package io.switchboard.gateway;

import io.switchboard.room.EncodedFrame;
import io.switchboard.room.NodeRouter;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one gateway instance receives from its node: room messages and presence for the rooms
 * its connections joined, private messages for its users. Event-loop confined; the
 * {@link NodeRouter} calls it on this instance's context.
 */
final class RoomStreams implements NodeRouter.Listener {

  /** A stream behind its log's end that got nothing for this long lost a delivery (see onTails). */
  static final long QUIET_MS = 1_000;

  private final Vertx vertx;
  private final Context context;
  private final NodeRouter router;
  private final LogReader log;
  private final Map<String, LocalRoom> rooms = new HashMap<>();
  /** What this loop's room and conversation streams hold back for gaps, together. */
  private final HeldBudget held = new HeldBudget(HeldBudget.LOOP_MAX_BYTES);
  private final Map<String, Set<ClientSession>> byUser = new HashMap<>();
  private final ConversationStreams conversations;
  /** When a user's or a closed room's connections here last changed, until that has settled. */
  private final RecentChanges userChanged = new RecentChanges();
  private final RecentChanges roomClosed = new RecentChanges();
  /** room → user → that user's leaves of the room held back (HeldLeaves) or on their way. */
  private final Map<String, Map<String, Integer>> leaving = new HashMap<>();
  /** room + NUL + user, of each leave answered: that member settles as one just changed. */
  private final RecentChanges leaveSent = new RecentChanges();
  /**
   * Users with a connection the cluster is counting that is not open here yet. Reconciliation
   * must leave them alone: the cluster already has the count, this node's truth not yet the
   * session, and setting the count to the truth would count a live connection out.
   */
  private final Map<String, Integer> connecting = new HashMap<>();
  /** Kicks of a user that came while a connection of theirs was being counted, while any is. */
  private final Map<String, Integer> kicksWhileConnecting = new HashMap<>();

  private final io.switchboard.ops.NodeMetrics metrics;
  private LocalRoom.EpochReset onEpochReset = (room, members, from, epoch) ->
      members.forEach(s -> rooms.get(room).resumeAt(s, from, epoch));

  RoomStreams(Vertx vertx, Context context, NodeRouter router, LogReader log,
              io.switchboard.ops.NodeMetrics metrics) {
    this.metrics = metrics;
    this.vertx = vertx;
    this.context = context;
    this.router = router;
    this.log = log;
    this.conversations = new ConversationStreams(vertx, log, held, metrics, byUser);
  }

  @Override
  public Context context() {
    return context;
  }

  /** The local room, created (and this instance subscribed to it) on first use. */
  LocalRoom open(String room) {
    return rooms.computeIfAbsent(room, r -> {
      router.subscribe(r, this);
      return new LocalRoom(vertx, r, log, metrics, (name, members, from, epoch) -> onEpochReset.reset(name, members, from, epoch),
          held);
    });
  }

  /** What happens to a room's members when its log restarts (see {@link LocalRoom}). */
  void onEpochReset(LocalRoom.EpochReset action) {
    this.onEpochReset = action;
  }

  LocalRoom get(String room) {
    return rooms.get(room);
  }

  void closeIfEmpty(String room) {
    LocalRoom local = rooms.get(room);
    if (local != null && local.isEmpty()) {
      rooms.remove(room);
      roomClosed.touch(room);
      router.unsubscribe(room, this);
      local.close();
    }
  }

  /**
   * A connection of {@code user} goes to the cluster to be counted, or counted out (before the
   * request is sent): until answered, and a settle after, reconciliation leaves the user's count
   * alone. A disconnect retried by Hazelcast after a round had set the count took one from it
   * again, and the user read as offline.
   */
  void connectStarted(String user) {
    connecting.merge(user, 1, Integer::sum);
  }

  /** The cluster answered that count, whatever the answer; the user stays busy until it settles. */
  void connectEnded(String user) {
    if (connecting.computeIfPresent(user, (u, n) -> n > 1 ? n - 1 : null) == null) {
      kicksWhileConnecting.remove(user);
    }
    userChanged.touch(user);
  }

  /**
   * How many times {@code user} was kicked while a connection of theirs was being counted: a
   * connection that reads another number when its count comes than when it started was kicked
   * on its way in, where {@link #kick} cannot reach it.
   */
  int kicksWhileConnecting(String user) {
    return kicksWhileConnecting.getOrDefault(user, 0);
  }

  void addUser(ClientSession session) {
    userChanged.touch(session.user());
    byUser.computeIfAbsent(session.user(), u -> new LinkedHashSet<>()).add(session);
  }

  void removeUser(ClientSession session) {
    Set<ClientSession> sessions = byUser.get(session.user());
    if (sessions == null) {
      return;
    }
    sessions.remove(session);
    userChanged.touch(session.user());
    if (sessions.isEmpty()) {
      byUser.remove(session.user());
      conversations.userGone(session.user());
    }
  }

  @Override
  public void onMessage(String room, String epoch, long seq, EncodedFrame frame) {
    LocalRoom local = rooms.get(room);
    if (local != null) {
      local.stream().offer(seq, frame, epoch);
    }
  }

  @Override
  public void onPresence(String room, EncodedFrame frame) {
    LocalRoom local = rooms.get(room);
    if (local != null) {
      local.presence(frame);
    }
  }

  @Override
  public void onPrivate(String room, String epoch, long seq, EncodedFrame frame) {
    conversations.onPrivate(room, epoch, seq, frame);
  }

  /**
   * A leave of {@code room} by {@code user} is held back (a dropped connection's, see HeldLeaves)
   * or on its way to the cluster: until it is answered, the cluster's count of the user's
   * connections here may be ahead of the node's own, and reconciliation must leave that member
   * alone rather than announce the leave itself, or set the count that the leave, retried by
   * Hazelcast after a migration, would then take one from again. That member only: in a large
   * room with clients dropping all the time, some leave is always under way, and holding back the
   * whole room left its other members unreconciled for as long as the churn lasted.
   */
  void leaveUnderWay(String room, String user) {
    leaving.computeIfAbsent(room, r -> new HashMap<>()).merge(user, 1, Integer::sum);
  }

  /** The leave was answered (or failed): the member settles like one just changed. */
  void leaveDone(String room, String user) {
    Map<String, Integer> users = leaving.get(room);
    if (users != null && users.computeIfPresent(user, (u, n) -> n == 1 ? null : n - 1) == null && users.isEmpty()) {
      leaving.remove(room);
    }
    leaveSent.touch(room + '\u0000' + user);
  }

  @Override
  public io.switchboard.presence.LocalPresence snapshot(long settleMs) {
    io.switchboard.presence.LocalPresence out = new io.switchboard.presence.LocalPresence();
    out.busyUsers.addAll(userChanged.settling(settleMs));
    out.busyUsers.addAll(connecting.keySet());
    out.busyRooms.addAll(roomClosed.settling(settleMs));
    leaving.forEach((room, users) -> out.busyMembers.computeIfAbsent(room, r -> new java.util.HashSet<>()).addAll(users.keySet()));
    for (String member : leaveSent.settling(settleMs)) {
      int cut = member.indexOf('\u0000');
      out.busyMembers.computeIfAbsent(member.substring(0, cut), r -> new java.util.HashSet<>()).add(member.substring(cut + 1));
    }
    byUser.forEach((user, sessions) -> {
      if (!userChanged.contains(user) && !connecting.containsKey(user)) {
        out.addUser(user, sessions.size());
      }
    });
    rooms.values().forEach(r -> r.describe(out, settleMs));
    return out;
  }

  @Override
  public java.util.List<Long> connectionsOf(String user) {
    Set<ClientSession> sessions = byUser.get(user);
    return sessions == null ? java.util.List.of() : sessions.stream().map(s -> s.serial).toList();
  }

  @Override
  public void closeConnections(String user, Set<Long> serials) {
    Set<ClientSession> sessions = byUser.get(user);
    if (sessions != null) {
      sessions.stream().filter(s -> serials.contains(s.serial)).toList()
          .forEach(s -> s.end(io.switchboard.protocol.CloseCode.TOO_MANY_CONNECTIONS));
    }
  }

  @Override
  public io.vertx.core.json.JsonObject clients(String user, int limit) {
    io.vertx.core.json.JsonArray out = new io.vertx.core.json.JsonArray();
    int count = 0;
    for (Set<ClientSession> sessions : user == null ? byUser.values() : List.of(byUser.getOrDefault(user, Set.of()))) {
      for (ClientSession s : sessions) {
        if (count++ < limit) {
          out.add(new io.vertx.core.json.JsonObject().put("user", s.user()).put("session", s.id)
              .put("rooms", new io.vertx.core.json.JsonArray(new java.util.ArrayList<Object>(s.rooms.keySet())))
              .put("connectedAt", io.switchboard.protocol.Timestamps.format(s.connectedAt)));
        }
      }
    }
    return new io.vertx.core.json.JsonObject().put("count", count).put("clients", out);
  }

  @Override
  public int kick(String user) {
    if (connecting.containsKey(user)) {
      kicksWhileConnecting.merge(user, 1, Integer::sum);
    }
    Set<ClientSession> sessions = byUser.get(user);
    if (sessions == null) {
      return 0;
    }
    // one the node is closing already keeps its own code (a 4002 in the same turn): not counted as kicked
    java.util.List<ClientSession> open = sessions.stream().filter(s -> s.closedWith == null && !s.closed()).toList();
    open.forEach(s -> s.end(io.switchboard.protocol.CloseCode.KICKED));
    return open.size();
  }

  @Override
  public void onTails(Map<String, Map.Entry<String, Long>> tails) {
    tails.forEach((room, tail) -> {
      LocalRoom local = rooms.get(room);
      if (local != null) {
        long quietSince = io.switchboard.ops.Clocks.monotonicMillis() - QUIET_MS;
        local.stream().restartIfAnother(tail.getKey(), tail.getValue(), quietSince);
        local.stream().catchUpIfBehind(tail.getKey(), tail.getValue(), quietSince);
      }
    });
  }

  /**
   * A node died, or a node (or this node's router) dropped frames for this loop: what was stored
   * and never came is in the logs. Where they end is read first (a call per partition), and only
   * the streams behind read theirs; a room whose partition did not answer (moving just then) is
   * read as before. Asked again while a read is under way (a node hovering around its backlog
   * limit sends one RESYNC after another), it reads once more when that read is done: one sweep
   * after it covers them all, where each used to cost a call per partition.
   */
  @Override
  public void onNodeLeft() {
    if (tailsPending) {
      sweepAgain = true;
      return;
    }
    Set<String> names = new java.util.HashSet<>(rooms.keySet());
    // and the conversations, those let go for quiet too: one whose message was dropped on the way
    // (or whose node died before sending it) has no stream to notice, and would wait for its next
    conversations.addNames(names);
    if (names.isEmpty()) {
      return;
    }
    // meanwhile no conversation is let go for quiet: the quiet one is the likeliest to miss the
    // dead node's last message, and once let go it would wait for its next one
    tailsPending = true;
    log.tails(names).onComplete(ar -> {
      tailsPending = false;
      for (String room : names) {
        LocalRoom local = rooms.get(room);
        OrderedStream stream = local != null ? local.stream() : conversations.stream(room);
        Map.Entry<String, Long> tail = ar.succeeded() ? ar.result().get(room) : null;
        Map.Entry<String, Long> quiet = stream == null ? conversations.quietEnd(room) : null;
        // behind, or not known (its partition did not answer: likely one the dead node owned)
        if (quiet != null && (tail == null || (tail.getKey().equals(quiet.getKey()) && tail.getValue() > quiet.getValue()))
            && !conversations.nobodyHere(room)) {
          conversations.conversation(room, quiet.getKey()).catchUp(); // started where it went quiet: the rest is read
        } else if (stream == null) {
          continue; // gone with its members, or quiet and nothing since: nobody here to tell
        } else if (tail == null) {
          stream.catchUp();
        } else {
          stream.catchUpUnlessAt(tail.getKey(), tail.getValue());
        }
      }
      if (sweepAgain) {
        sweepAgain = false;
        onNodeLeft();
      }
    });
  }

  /** A read of where logs end under way (see {@link #onNodeLeft}). */
  private boolean tailsPending;
  /** Asked again while {@link #tailsPending}: one more read once it is done. */
  private boolean sweepAgain;

  /** Lets go of the conversations quiet for long (see {@link ConversationStreams}); how many. {@code now}: monotonic. */
  int closeIdleConversations(long now) {
    // meanwhile no conversation is let go for quiet (see onNodeLeft)
    return tailsPending ? 0 : conversations.closeIdle(now);
  }

  void close() {
    router.unregister(this);
    rooms.values().forEach(LocalRoom::close);
    conversations.close();
    rooms.clear();
  }
}
