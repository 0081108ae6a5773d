package io.switchboard.gateway;

import io.switchboard.room.EncodedFrame;
import io.vertx.core.Vertx;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A room as one gateway instance sees it: its ordered stream and the local connections joined
 * to it. Each member has a floor seq: it gets only messages above what its {@code joined}
 * answer already held, so history and live stream meet without gap or duplicate.
 */
final class LocalRoom {

  private final String room;
  private final OrderedStream stream;
  private final LogReader log;
  private final Map<ClientSession, Long> members = new LinkedHashMap<>();
  /** Members held since the log restarted, until they are told of the new one (see {@link #resumeAt}). */
  private final java.util.Set<ClientSession> resetting = new java.util.HashSet<>();
  /** Members catching up from the log → that catch-up: a read of an earlier membership is let go. */
  private final Map<ClientSession, Object> catchingUp = new java.util.HashMap<>();
  /** user → joins of the user here still on their way to the cluster. */
  private final Map<String, Integer> joining = new java.util.HashMap<>();
  /**
   * Sessions whose first join is on its way → the presence events that came meanwhile. The
   * join's member list was taken on the room's partition at some point of that round trip, and
   * an event of another node can arrive before the answer: dropped, the joiner's list stayed
   * wrong until it asked again. See {@link #joined}.
   */
  private Map<ClientSession, JoinAttempt> awaiting; // null while none: most rooms, most of the time
  /**
   * user → when the user's membership here last changed: reconciliation leaves that user (not
   * the whole room) alone for a moment after, while the change may still be on its way.
   */
  private final RecentChanges changed = new RecentChanges();

  private final io.switchboard.ops.NodeMetrics metrics;
  private final Vertx vertx;
  private final EpochReset onReset;
  /** How long a member catching up waits before it reads the log again after a failed read; twice that after the next. */
  static final long RETRY_MS = 500;
  /**
   * The longest wait between a catching-up member's reads. It reads until the log answers, as
   * the stream's own gap reads do: closing it would not make the partition readable sooner, and
   * every member of a busy room closed at once is a storm of leaves and rejoins.
   */
  static final long RETRY_MAX_MS = OrderedStream.MAX_GAP_WAIT_MS;
  /** The first wait after a failed read ({@link #RETRY_MS}; shorter in tests). */
  long retryBaseMs = RETRY_MS;

  LocalRoom(Vertx vertx, String room, LogReader log, io.switchboard.ops.NodeMetrics metrics) {
    this(vertx, room, log, metrics, null, HeldBudget.unbounded());
  }

  LocalRoom(Vertx vertx, String room, LogReader log, io.switchboard.ops.NodeMetrics metrics,
            EpochReset onReset) {
    this(vertx, room, log, metrics, onReset, HeldBudget.unbounded());
  }

  /**
   * {@code onReset}: told, with the members, when the room's log restarted under a new epoch (it
   * was lost, or a split brain healed); the members get nothing more until each is {@link
   * #resumeAt resumed}, from where its new {@code joined} left it. Null: each goes on at once.
   * {@code held}: what the loop's streams may hold back for gaps together.
   */
  LocalRoom(Vertx vertx, String room, LogReader log, io.switchboard.ops.NodeMetrics metrics,
            EpochReset onReset, HeldBudget held) {
    this.vertx = vertx;
    this.metrics = metrics;
    this.room = room;
    this.log = log;
    this.stream = new OrderedStream(vertx, room, log, this::deliver, held);
    this.onReset = onReset;
    // the members' floors are seqs of the old log, and their clients' seqs too: each is held
    // until it has been told of the new log, then goes on from there
    stream.onEpochReset(() -> hold(new java.util.ArrayList<>(members.keySet())));
  }

  /** Holds {@code sessions} until each is told of the log that restarted under it. */
  private void hold(List<ClientSession> sessions) {
    sessions.forEach(s -> members.put(s, Long.MAX_VALUE));
    catchingUp.keySet().removeAll(sessions);
    if (onReset == null) {
      sessions.forEach(s -> attach(s, stream.cursor()));
    } else {
      resetting.addAll(sessions);
      // their presence waits for the joined frame that tells them of the new log, as a join's does
      sessions.forEach(this::rejoinStarted);
      onReset.reset(room, sessions, stream.cursor(), stream.epoch());
    }
  }

  /** What the gateway does when a room's log restarts under its members. */
  interface EpochReset {
    /** {@code from}: the stream's seq before the new log's first message here; {@code epoch}: the new log's. */
    void reset(String room, List<ClientSession> members, long from, String epoch);
  }

  /**
   * A held member goes on after {@code seq} of the log {@code epoch} (the frames since come from
   * the recent window or the log). An answer about an older log, or for a session no longer held
   * (it left and joined again meanwhile), changes nothing: the newer one decides.
   */
  void resumeAt(ClientSession session, long seq, String epoch) {
    resumeAt(session, seq, epoch, null, 0);
  }

  /**
   * As above, once the {@code joined} frame of the new log, listing {@code listed} of {@code
   * count} members, was sent: the presence events held since are passed on where they change
   * that list (null: no list was sent, all of them are).
   */
  void resumeAt(ClientSession session, long seq, String epoch, java.util.Set<String> listed, int count) {
    if (epoch.equals(stream.epoch()) && resetting.remove(session) && members.containsKey(session)) {
      release(session, awaiting == null ? null : awaiting.get(session), listed, count);
      attach(session, seq);
    }
  }

  /** {@code attempt} (null: whichever) no longer awaited for {@code session}. */
  private void stopAwaiting(ClientSession session, JoinAttempt attempt) {
    if (awaiting == null) {
      return;
    }
    if (attempt == null) {
      awaiting.remove(session);
    } else {
      awaiting.remove(session, attempt);
    }
    if (awaiting.isEmpty()) {
      awaiting = null; // an idle room keeps no map (10 000 connections in rooms of ten: 50 bytes each)
    }
  }

  /** Whether {@code session} is still held for the restart of the log {@code epoch}. */
  boolean heldFor(ClientSession session, String epoch) {
    return epoch.equals(stream.epoch()) && resetting.contains(session);
  }

  OrderedStream stream() {
    return stream;
  }

  /** A first join of {@code session} is sent to the cluster; its answer comes to {@link #joined}. */
  JoinAttempt joinStarted(ClientSession session) {
    joining.merge(session.user(), 1, Integer::sum);
    if (awaiting == null) {
      awaiting = new java.util.HashMap<>(4);
    }
    JoinAttempt attempt = new JoinAttempt(stream.epochChanges());
    awaiting.put(session, attempt);
    touched(session.user());
    return attempt;
  }

  void joinFailed(ClientSession session, JoinAttempt attempt) {
    stopAwaiting(session, attempt);
    joinEnded(session.user());
  }

  private void joinEnded(String user) {
    joining.computeIfPresent(user, (u, n) -> n == 1 ? null : n - 1);
    touched(user);
  }

  /** Notes a change of {@code user}'s membership. */
  private void touched(String user) {
    changed.touch(user);
  }

  /**
   * The join answered {@code seq}, and the {@code joined} frame with history up to it has been
   * sent: from here the session gets every later message, live or caught up.
   */
  void joined(ClientSession session, long seq, String epoch) {
    joined(session, joinStarted(session), seq, epoch, java.util.Set.of());
  }

  /**
   * As above, for the join {@code attempt}, with the users of the {@code joined} frame's member
   * list: the presence events that came while the join was on its way are passed on where they
   * change that list (see {@link #awaiting}). One that does not was already in it: the list was
   * taken after that event.
   *
   * <p>An answer from another log than the stream's is followed when the stream took up no log
   * while the join was away: read after the stream's log was, it is the newer (the log was lost
   * and began again, or a split brain healed, and no message of the new one came yet). One that
   * crossed a change of the stream's log may be the older, and epochs are random: its session is
   * held and joined again, and that fresh answer decides (see {@link #followIfUnchanged}).
   * Followed on one such answer, the stream went back to a log the room had left, dropped the
   * room's new messages as the old log's, and closed its members after three tries.
   */
  void joined(ClientSession session, JoinAttempt attempt, long seq, String epoch, java.util.Set<String> listed) {
    joined(session, attempt, seq, epoch, listed, listed.size());
  }

  /** As above; {@code count}: the room's members when listed, more than {@code listed} when the list was cut. */
  void joined(ClientSession session, JoinAttempt attempt, long seq, String epoch, java.util.Set<String> listed,
              int count) {
    joinEnded(session.user());
    stopAwaiting(session, attempt);
    attempt.passOn(session, listed, count);
    stream.start(seq, epoch); // a stream not started yet takes up this answer's log
    if (!epoch.equals(stream.epoch()) && !followIfUnchanged(epoch, seq, attempt.epochChanges)) {
      hold(List.of(session));
      return;
    }
    attach(session, seq);
  }

  /**
   * A member's repeat join is on its way: the presence events that come meanwhile are held for
   * it, as for a first join, and passed on after its {@code joined} frame where they change that
   * frame's list (see {@link #rejoined}). Sent live, an event that came before the answer was
   * followed by a list taken before it, which the client takes as the room's.
   */
  JoinAttempt rejoinStarted(ClientSession session) {
    if (awaiting == null) {
      awaiting = new java.util.HashMap<>(4);
    }
    JoinAttempt attempt = new JoinAttempt(stream.epochChanges());
    awaiting.put(session, attempt);
    // its messages wait too, and follow the joined frame: sent live meanwhile, those stored after
    // the join's read came before a frame whose seq is older, and a client that takes up the
    // joined frame's seq saw a gap
    Long floor = members.get(session);
    if (floor != null && floor != Long.MAX_VALUE) {
      if (paused == null) {
        paused = new java.util.HashMap<>(4);
      }
      paused.put(session, Math.max(floor, stream.cursor()));
      members.put(session, Long.MAX_VALUE);
    }
    return attempt;
  }

  /**
   * Members whose repeat join is on its way → the seq up to which they had their messages: they
   * get none until the answer (see {@link #rejoinStarted}). Null while none.
   */
  private Map<ClientSession, Long> paused;

  /** A repeat join failed: the member keeps the list it had, gets the events held for it, and its messages go on. */
  void rejoinFailed(ClientSession session, JoinAttempt attempt) {
    release(session, attempt, null, 0);
    Long had = paused == null ? null : paused.remove(session);
    if (had != null) {
      resumePaused(session, had);
    }
  }

  /** A paused member goes on after {@code seq}, unless something else holds it now (a restart of the log). */
  private void resumePaused(ClientSession session, long seq) {
    Long floor = members.get(session);
    if (floor != null && floor == Long.MAX_VALUE && !resetting.contains(session) && !catchingUp.containsKey(session)) {
      attach(session, seq);
    }
  }

  /**
   * Ends {@code attempt} if it is still the one awaited for {@code session} (not replaced by a
   * later one), and passes its events on (see {@link JoinAttempt#passOn}).
   */
  private void release(ClientSession session, JoinAttempt attempt, java.util.Set<String> listed, int count) {
    if (attempt != null && awaiting != null && awaiting.get(session) == attempt) {
      stopAwaiting(session, attempt);
      attempt.passOn(session, listed, count);
    }
  }

  /**
   * A join sent when the stream had taken up {@code epochChanges} logs answered from the log
   * {@code epoch} at {@code seq}: when it is not the stream's and the stream took up none since,
   * the stream follows it (its members are held and told of it). Whether it did.
   */
  boolean followIfUnchanged(String epoch, long seq, int epochChanges) {
    if (stream.epochChanges() != epochChanges || !stream.started() || epoch.equals(stream.epoch())) {
      return false;
    }
    stream.restart(epoch, seq);
    return true;
  }

  /**
   * A repeat join's answer, with its history from {@code first} (seq + 1 when it held none), is
   * about to be sent. Where that history starts after what the member had (it asked for fewer),
   * the messages in between go first, from the recent window: the member's messages then run on
   * into that history, and on after it, with no gap and none twice. Sent after the answer, from
   * what the member had, they repeated the history's messages and went back in seq.
   */
  void beforeRejoined(ClientSession session, long first, String epoch) {
    Long had = paused == null ? null : paused.get(session);
    if (had == null || first <= had + 1 || !epoch.equals(stream.epoch()) || stream.cursor() < first - 1) {
      return;
    }
    List<EncodedFrame> between = stream.recent(had, first - 1);
    if (between != null) {
      between.forEach(session::send);
      paused.put(session, first - 1);
    }
  }

  /**
   * The repeat join {@code attempt} (see {@link #rejoinStarted}) answered {@code seq} with its
   * history from {@code first} (seq + 1 when it held none), in a frame that listed {@code listed}
   * of {@code count} members and has been sent. The member's messages go on after {@code seq}:
   * the joined frame's history runs on into them with no gap and none twice, as a first join's
   * does. Where that history does not join what the member had (it asked for fewer, and the
   * messages in between were no longer in the recent window or had not reached this node yet),
   * those are skipped as a first join skips them; the client can read them with {@code history}.
   * Resumed after what it had instead, it got them after the joined frame, back in seq, and the
   * history's messages a second time. An answer from another log resumes after what the member
   * had. A member catching up from the log, or held by a restart of it, goes on as that decides.
   */
  void rejoined(ClientSession session, JoinAttempt attempt, long first, long seq, String epoch,
                java.util.Set<String> listed, int count) {
    release(session, attempt, listed, count);
    Long had = paused == null ? null : paused.remove(session);
    if (had == null) {
      return;
    }
    // an answer from a log that has restarted since says nothing of this one's seqs
    boolean thisLog = epoch.equals(stream.epoch());
    resumePaused(session, thisLog ? Math.max(had, seq) : had);
  }

  private void attach(ClientSession session, long seq) {
    attach(session, seq, 0);
  }

  /** How long to wait after {@code failures} failed reads in a row: doubling from {@code baseMs}, at most {@link #RETRY_MAX_MS}. */
  static long retryDelay(long baseMs, int failures) {
    return OrderedStream.doubled(baseMs, failures - 1, RETRY_MAX_MS);
  }

  /** {@code failures}: the member's catch-up reads that failed in a row before this one. */
  private void attach(ClientSession session, long seq, int failures) {
    if (session.closed()) {
      return;
    }
    List<EncodedFrame> missed = stream.recentAfter(seq);
    if (missed != null) {
      catchingUp.remove(session);
      missed.forEach(session::send);
      members.put(session, Math.max(seq, stream.cursor()));
      return;
    }
    // more went by than the recent window holds: read them from the log, then try again
    members.put(session, Long.MAX_VALUE);
    Object catchUp = new Object();
    catchingUp.put(session, catchUp);
    String epoch = stream.epoch();
    // gone, left and joined again (a new catch-up, or none), or the log restarted meanwhile (the
    // reset holds the member and resumes it): this read is no longer the member's
    java.util.function.BooleanSupplier current = () -> catchingUp.get(session) == catchUp
        && java.util.Objects.equals(epoch, stream.epoch());
    log.after(room, seq, 100).onComplete(ar -> {
      if (!current.getAsBoolean()) {
        return;
      }
      boolean anotherLog = ar.succeeded() && !stream.ofThisLog(ar.result());
      if (!current.getAsBoolean()) {
        return; // read from a new log, which the stream now follows: its reset holds this member
      }
      if (ar.failed() || anotherLog) {
        // the cluster did not answer (or from a log the stream left): read again in a moment, not
        // at once (a failure that comes back synchronously recursed until the stack overflowed,
        // and a slow one spun), less often each time, each member at its own moment (members
        // resumed together after a reset would all read the partition at once)
        int failed = failures + 1;
        long wait = Math.max(1, Math.round(retryDelay(retryBaseMs, failed)
            * (0.8 + 0.4 * java.util.concurrent.ThreadLocalRandom.current().nextDouble())));
        vertx.setTimer(wait, t -> {
          if (current.getAsBoolean()) {
            attach(session, seq, failed);
          }
        });
        return;
      }
      long next = Math.max(seq, ar.result().firstSeq() - 1);
      for (String m : ar.result().messages()) {
        next++;
        if (next <= stream.cursor()) {
          session.send(EncodedFrame.of(m));
        }
      }
      next = Math.min(next, stream.cursor());
      if (next <= seq) {
        // the log holds nothing after seq though the stream went past it (its log was lost and
        // restarted): what it held is gone, so the member goes on from the stream's cursor
        next = stream.cursor();
      }
      attach(session, next);
    });
  }

  void remove(ClientSession session) {
    members.remove(session);
    if (paused != null) {
      paused.remove(session);
    }
    stopAwaiting(session, null);
    catchingUp.remove(session);
    resetting.remove(session);
    touched(session.user());
  }

  /**
   * This room's members for reconciliation; a user whose membership here changed within {@code
   * settleMs}, or is changing, is "busy" instead.
   */
  void describe(io.switchboard.presence.LocalPresence out, long settleMs) {
    java.util.Set<String> busy = new java.util.HashSet<>(changed.settling(settleMs));
    busy.addAll(joining.keySet());
    if (!busy.isEmpty()) {
      out.busyMembers.computeIfAbsent(room, r -> new java.util.HashSet<>()).addAll(busy);
    }
    members.keySet().forEach(s -> {
      if (!busy.contains(s.user())) {
        out.addJoined(room, s.user(), s.name());
      }
    });
  }

  boolean has(ClientSession session) {
    return members.containsKey(session);
  }

  boolean isEmpty() {
    return members.isEmpty() && joining.isEmpty();
  }

  /**
   * A presence event for the room's members here. A user is not told of their own coming and
   * going (PROTOCOL.md: the joiner does not receive its own join): no session of the user the
   * event names gets it. Not only the session that made the edge: the user had no other
   * connection in the room then, but one may have joined on another node since and be a member
   * here before the event comes.
   */
  void presence(EncodedFrame frame) {
    String about = new io.vertx.core.json.JsonObject(frame.text()).getString("user");
    if (awaiting != null) {
      awaiting.forEach((s, attempt) -> {
        if (told(s, about)) {
          attempt.hold(frame);
        }
      });
    }
    for (ClientSession s : members.keySet()) {
      if (told(s, about) && (awaiting == null || !awaiting.containsKey(s))) { // a repeat join's: held
        s.send(frame);
      }
    }
  }

  private static boolean told(ClientSession s, String about) {
    return !s.user().equals(about);
  }

  private void deliver(long seq, EncodedFrame frame) {
    long t0 = System.nanoTime();
    int written = 0;
    for (Map.Entry<ClientSession, Long> e : members.entrySet()) {
      if (seq > e.getValue() && e.getKey().send(frame)) {
        written++;
      }
    }
    metrics.delivered(written, (long) written * frame.length());
    metrics.fannedOut(System.nanoTime() - t0);
  }

  void close() {
    stream.close();
    members.clear();
    catchingUp.clear();
    awaiting = null;
  }
}
