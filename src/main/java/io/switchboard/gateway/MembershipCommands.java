package io.switchboard.gateway;

import static io.switchboard.gateway.SessionCommands.error;
import static io.switchboard.gateway.SessionCommands.reply;

import io.switchboard.NodeServices;
import io.switchboard.auth.Grants;
import io.switchboard.protocol.CloseCode;
import io.switchboard.protocol.Command;
import io.switchboard.protocol.CommandDecoder;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.FrameEncoder;
import io.switchboard.protocol.NodeReplies;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session's rooms: {@code join} and {@code leave}, the join again after a room's log restarted,
 * and the rooms a narrower token no longer grants. Keeps the session's room map, the node-local
 * {@link LocalRoom}s and the cluster's presence in step.
 */
final class MembershipCommands {

  private static final Logger LOG = LoggerFactory.getLogger(MembershipCommands.class);
  /** Leaves fail together when the cluster stalls: one line a second. */
  private static final io.switchboard.ops.ThrottledLog LEAVE_FAILED = new io.switchboard.ops.ThrottledLog(LOG);
  /** Per room and event loop after a merge with the cluster still stalled: a line a second. */
  private static final io.switchboard.ops.ThrottledLog UNTOLD = new io.switchboard.ops.ThrottledLog(LOG);
  private static final int REJOIN_ATTEMPTS = 3;
  private static final long REJOIN_RETRY_MS = 1_000;

  private final Vertx vertx;
  private final NodeServices node;
  private final io.switchboard.config.Config.Limits limits;
  private final ReplyBudget budget;
  private final Grants grants;
  private final RoomStreams streams;

  MembershipCommands(Vertx vertx, NodeServices node, RoomStreams streams, ReplyBudget budget) {
    this.vertx = vertx;
    this.node = node;
    this.limits = node.config().limits();
    this.budget = budget;
    this.grants = node.grants();
    this.streams = streams;
  }

  Future<Void> join(ClientSession s, Command.Join c) {
    if (!grants.mayJoin(s.identity, c.room())) {
      return error(s, c.id(), ErrorCode.FORBIDDEN, "your token does not grant room '" + c.room() + "'");
    }
    boolean again = s.rooms.containsKey(c.room());
    if (!again && s.rooms.size() >= limits.maxRooms()) {
      return error(s, c.id(), ErrorCode.LIMIT, "a connection may join at most " + limits.maxRooms() + " rooms");
    }
    long wait = again ? 0 : joinTokens(s).take(io.switchboard.ops.Clocks.monotonicMillis());
    if (wait > 0) {
      node.metrics().rateLimited();
      return reply(s, FrameEncoder.error(c.id(), ErrorCode.RATE_LIMITED,
          "over " + limits.rate() + " joins a second", wait));
    }
    return reserved(s, c, again);
  }

  /**
   * Joins once the node's budget for read replies has room for the reply: a join's holds history
   * and members as a history read's does. A join of a room joined already is a read (its bucket
   * too), and reserves as one; a first join of a room whose size another join is learning here
   * waits for that one ({@link ReadBytes#LEARNING}), at most as long as a join may take.
   */
  private Future<Void> reserved(ClientSession s, Command.Join c, boolean again) {
    long most = (c.history() > 0 || c.since() != null ? budget.messageBytes() : 0) + budget.memberBytes();
    return SessionCommands.reserveRead(vertx, node, s, c.id(), again ? null : c.room(), most).compose(reserved -> {
      if (reserved == ReadBytes.LEARNING) {
        // rare (first joins of one room within one join's time), so Future.timeout's thread will do
        return node.readBytes().learnt(c.room()).timeout(ReadBytes.LEARNING_MS, java.util.concurrent.TimeUnit.MILLISECONDS)
            .transform(learnt -> s.closed() ? Future.succeededFuture() : reserved(s, c, again));
      }
      return reserved == 0 ? Future.succeededFuture() : joinReserved(s, c, again, reserved);
    });
  }

  /** The join itself, its reply's bytes {@code reserved}. */
  private Future<Void> joinReserved(ClientSession s, Command.Join c, boolean again, long reserved) {
    LocalRoom local = streams.open(c.room());
    if (!again) {
      s.rooms.put(c.room(), Boolean.FALSE);
    }
    JoinAttempt attempt = again ? local.rejoinStarted(s) : local.joinStarted(s);
    // a first join's history is cut to what it reserved: a guess too small is a shorter history, not more bytes
    JsonObject body = joinRequest(s, c.room(), !again, c.history(), again ? budget.messageBytes()
        : Math.min(budget.messageBytes(), reserved));
    if (c.since() != null) {
      body.put("since", new JsonObject().put("seq", c.since().seq()).put("epoch", c.since().epoch()));
    }
    return node.rooms().join(body)
        .onFailure(e -> {
          settleJoin(again, c.room(), reserved, 0);
          if (again) {
            local.rejoinFailed(s, attempt);
          } else {
            s.rooms.remove(c.room());
            // a join the node gave up on may still go through (and be undone): the user stays
            // "joining" here till then, so that reconciliation does not count it meanwhile
            settledOf(e).onComplete(done -> {
              local.joinFailed(s, attempt);
              streams.closeIfEmpty(c.room());
            });
          }
        })
        .compose(r -> {
          long seq = r.getLong("seq");
          String epoch = r.getString("epoch");
          List<String> history = NodeReplies.strings(r.getJsonArray("messages"));
          long first = seq - history.size() + 1; // the history is the newest messages, up to seq
          // cut to the budget on the room's partition (HistoryWindow): recovered is false there
          // when what was missed did not fit, and the client pages with history after since.seq
          if (again) {
            local.beforeRejoined(s, first, epoch);
          }
          String joined = FrameEncoder.joined(c.id(), c.room(), epoch, seq, r.getBoolean("recovered"),
              history, NodeReplies.members(r.getJsonArray("members")), r.getInteger("count"));
          settleJoin(again, c.room(), reserved, joined.length());
          s.send(joined);
          if (again) {
            local.rejoined(s, attempt, first, seq, epoch,
                NodeReplies.users(r.getJsonArray("members")), r.getInteger("count"));
          } else if (s.closed()) {
            // closed while the join was on its way: its clean-up left the joins under way to
            // their answers, and this one is in the room now
            sendLeave(c.room(), s.user()).onFailure(e ->
                LEAVE_FAILED.warn("session {}: leaving {} after a close was not recorded: {}", s.id, c.room(), e.toString()));
            local.joinFailed(s, attempt);
            streams.closeIfEmpty(c.room());
          } else {
            s.rooms.put(c.room(), Boolean.TRUE);
            local.joined(s, attempt, seq, epoch, NodeReplies.users(r.getJsonArray("members")), r.getInteger("count"));
          }
          return Future.succeededFuture();
        });
  }

  /** Settles a join's reservation: a first join's size is what the next of {@code room} is guessed to take. */
  private void settleJoin(boolean again, String room, long reserved, long used) {
    long now = io.switchboard.ops.Clocks.monotonicMillis();
    if (again) {
      node.readBytes().settle(now, reserved, used);
    } else {
      node.readBytes().settleJoin(now, room, reserved, used);
    }
  }

  /**
   * The room's log restarted under its members here (it was lost, or a split brain healed): their
   * seqs name other messages now. They are told with a {@code joined} frame without {@code id}:
   * the new epoch, the latest messages and the members, as a client's own join would answer, and
   * live delivery goes on from that {@code seq}. One join for all of them, counting nobody again:
   * the answer is the same for every member, and a join each was thousands of calls to one
   * partition, all at once, for a large room.
   */
  void joinAgain(String room, List<ClientSession> members, long from, String epoch) {
    joinAgain(streams.get(room), room, members, epoch, 1);
  }

  /**
   * The held members' join after a restart. Members no longer held when it answers (they left,
   * or the log restarted once more: that restart's join decides) are left out. An answer from
   * another log, sent after the stream took up its own, is the room's log now: the stream follows
   * it, and that restart tells every member. A failed one, or one that crossed a change of the
   * stream's log, is tried again a second later, three times; then the connections are closed
   * with 1011, and the clients reconnect and recover: going on untold, they would take the new
   * log's seqs for ones they already have.
   */
  private void joinAgain(LocalRoom local, String room, List<ClientSession> members, String epoch, int attempt) {
    List<ClientSession> held = stillHeld(local, room, members, epoch);
    if (held.isEmpty()) {
      return;
    }
    int changes = local.stream().epochChanges();
    node.rooms().join(joinRequest(held.get(0), room, false, CommandDecoder.DEFAULT_HISTORY, budget.messageBytes())).onComplete(ar -> {
      List<ClientSession> waiting = stillHeld(local, room, held, epoch);
      if (waiting.isEmpty()) {
        return;
      }
      if (ar.succeeded() && local.followIfUnchanged(ar.result().getString("epoch"), ar.result().getLong("seq"), changes)) {
        return; // the room's log is another one than the stream's: every member is told of that one
      }
      if (ar.failed() || !epoch.equals(ar.result().getString("epoch"))) {
        if (attempt >= REJOIN_ATTEMPTS) {
          UNTOLD.warn("could not tell {} sessions that room {} restarted ({}); closing them so that they recover",
              waiting.size(), room, ar.failed() ? ar.cause().toString() : "answered from another log");
          waiting.forEach(s -> s.end(CloseCode.INTERNAL_ERROR));
        } else {
          vertx.setTimer(REJOIN_RETRY_MS, t -> joinAgain(local, room, waiting, epoch, attempt + 1));
        }
        return;
      }
      JsonObject r = ar.result();
      long seq = r.getLong("seq");
      // encoded once for every member held (DESIGN property 3): up to 768 KiB of messages and
      // members, which a string each re-encoded for thousands of members of a large room
      io.switchboard.room.EncodedFrame joined = io.switchboard.room.EncodedFrame.of(FrameEncoder.joined(null, room,
          epoch, seq, null, NodeReplies.strings(r.getJsonArray("messages")), NodeReplies.members(r.getJsonArray("members")),
          r.getInteger("count")));
      java.util.Set<String> listed = NodeReplies.users(r.getJsonArray("members"));
      for (ClientSession s : waiting) {
        s.send(joined);
        local.resumeAt(s, seq, epoch, listed, r.getInteger("count"));
      }
    });
  }

  private List<ClientSession> stillHeld(LocalRoom local, String room, List<ClientSession> members, String epoch) {
    if (local == null || streams.get(room) != local) {
      return List.of();
    }
    return members.stream().filter(s -> !s.closed() && local.heldFor(s, epoch)).toList();
  }

  /**
   * Each join of a room not joined yet is a cluster call, may make a room, and tells every member
   * of it: a join and leave loop was the one unthrottled way to flood a room with presence and the
   * cluster with rooms. At {@code limits.rate} a second, with a burst that rejoins {@code maxRooms}
   * twice at once (a page coming back after a reconnect). Leaves are never refused, and a refused
   * join does not count towards rate-limit abuse (PROTOCOL.md ties that to publish and private).
   */
  private TokenBucket joinTokens(ClientSession s) {
    if (s.joins == null) {
      s.joins = Buckets.joins(limits, io.switchboard.ops.Clocks.monotonicMillis());
    }
    return s.joins;
  }

  /** A join of the room service for {@code s}, its history cut to {@code messageBytes}, its members to what the connection may take. */
  private JsonObject joinRequest(ClientSession s, String room, boolean count, int history, long messageBytes) {
    return new JsonObject().put("room", room).put("user", s.user()).put("name", s.name())
        .put("count", count).put("history", history)
        .put("messageBytes", messageBytes).put("memberBytes", budget.memberBytes());
  }

  Future<Void> leave(ClientSession s, Command.Leave c) {
    if (s.rooms.remove(c.room()) == null) {
      return reply(s, FrameEncoder.left(c.id(), c.room()));
    }
    detach(s, c.room());
    return sendLeave(c.room(), s.user())
        .transform(ar -> {
          if (ar.failed()) {
            LEAVE_FAILED.warn("session {}: leaving {} was not recorded: {}", s.id, c.room(), ar.cause().toString());
          }
          return reply(s, FrameEncoder.left(c.id(), c.room()));
        });
  }

  /**
   * Sends a leave to the cluster; until it is answered, reconciliation leaves its member alone.
   * One the node gave up on (past its deadline) may still be retried by Hazelcast: the member
   * stays "leaving" till the cluster has answered it.
   */
  Future<JsonObject> sendLeave(String room, String user) {
    streams.leaveUnderWay(room, user);
    return node.rooms().leave(new JsonObject().put("room", room).put("user", user))
        .andThen(ar -> settledOf(ar.cause()).onComplete(done -> streams.leaveDone(room, user)));
  }

  /**
   * When a request that ended with {@code failure} (null: it succeeded) is really over: at once,
   * or, for one the node gave up on, once the cluster answered it.
   */
  static Future<Void> settledOf(Throwable failure) {
    return failure instanceof io.switchboard.room.RoomService.Unsettled u ? u.settled() : Future.succeededFuture();
  }

  /** Takes a session out of the local room; the cluster's presence is updated by the caller. */
  void detach(ClientSession s, String room) {
    LocalRoom local = streams.get(room);
    if (local != null) {
      local.remove(s);
      streams.closeIfEmpty(room);
    }
  }

  /**
   * After a refresh to a narrower token: the rooms it no longer grants are left, each told with
   * a {@code left} frame without id. Delivery does not look at grants again, so the connection
   * would otherwise go on receiving a room that its token no longer lets it read.
   */
  void leaveUngranted(ClientSession s) {
    for (String room : new ArrayList<>(s.rooms.keySet())) {
      if (grants.mayJoin(s.identity, room)) {
        continue;
      }
      s.rooms.remove(room);
      detach(s, room);
      sendLeave(room, s.user()).onFailure(e ->
          LEAVE_FAILED.warn("session {}: leaving {} after a refresh was not recorded: {}", s.id, room, e.toString()));
      s.send(FrameEncoder.left(null, room));
    }
  }
}
