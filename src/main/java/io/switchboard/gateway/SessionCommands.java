package io.switchboard.gateway;

import io.switchboard.Addresses;
import io.switchboard.NodeServices;
import io.switchboard.auth.Grants;
import io.switchboard.auth.TokenRejected;
import io.switchboard.config.Config;
import io.switchboard.protocol.CloseCode;
import io.switchboard.protocol.Command;
import io.switchboard.protocol.CommandDecoder;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.FrameEncoder;
import io.switchboard.protocol.NodeReplies;
import io.switchboard.protocol.Timestamps;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Executes one client command for a session: checks grants, membership and limits, asks the
 * node's {@link io.switchboard.room.RoomService} (on this event loop), and answers with the frame's id. Every failure
 * ends as an {@code error} frame; nothing here closes the connection except rate-limit abuse.
 */
final class SessionCommands {

  private static final Logger LOG = LoggerFactory.getLogger(SessionCommands.class);
  static final int ABUSE_REFUSALS = 20;
  static final long ABUSE_WINDOW_MS = 10_000;

  private final Vertx vertx;
  private final NodeServices node;
  private final Config.Limits limits;
  private final ReplyBudget budget;
  private final Grants grants;
  private final RoomStreams streams;

  SessionCommands(Vertx vertx, NodeServices node, RoomStreams streams) {
    this.vertx = vertx;
    this.node = node;
    this.limits = node.config().limits();
    this.budget = new ReplyBudget(limits.outboundBytes());
    this.grants = node.grants();
    this.streams = streams;
  }

  Future<Void> execute(ClientSession s, Command command) {
    Future<Void> done;
    if (command instanceof Command.Join c) {
      done = join(s, c);
    } else if (command instanceof Command.Leave c) {
      done = leave(s, c);
    } else if (command instanceof Command.Publish c) {
      done = publish(s, c);
    } else if (command instanceof Command.Private c) {
      done = sendPrivate(s, c);
    } else if (command instanceof Command.History c) {
      done = history(s, c);
    } else if (command instanceof Command.Members c) {
      done = members(s, c);
    } else if (command instanceof Command.Refresh c) {
      done = refresh(s, c);
    } else if (command instanceof Command.Heartbeat c) {
      done = reply(s, FrameEncoder.heartbeatAck(c.id(), Timestamps.now()));
    } else {
      done = reply(s, FrameEncoder.pong(command.id(), Timestamps.now()));
    }
    return done.recover(e -> reply(s, failure(s, command, e)));
  }

  /** The error frame answering {@code command}, which failed with {@code e}. */
  private String failure(ClientSession s, Command command, Throwable e) {
    ErrorCode code = codeOf(e);
    if (code == ErrorCode.INTERNAL) {
      LOG.error("session {} ({}): {} failed", s.id, s.user(), command.getClass().getSimpleName(), e);
    }
    return FrameEncoder.error(command.id(), code, messageOf(code, e, node.nodeId()), -1);
  }

  private Future<Void> join(ClientSession s, Command.Join c) {
    if (!grants.mayJoin(s.identity, c.room())) {
      return error(s, c.id(), ErrorCode.FORBIDDEN, "your token does not grant room '" + c.room() + "'");
    }
    boolean again = s.rooms.containsKey(c.room());
    if (!again && s.rooms.size() >= limits.maxRooms()) {
      return error(s, c.id(), ErrorCode.LIMIT, "a connection may join at most " + limits.maxRooms() + " rooms");
    }
    LocalRoom local = streams.open(c.room());
    if (!again) {
      s.rooms.put(c.room(), Boolean.FALSE);
      local.joinStarted();
    }
    JsonObject body = joinRequest(s, c.room(), !again, c.history());
    if (c.since() != null) {
      body.put("since", new JsonObject().put("seq", c.since().seq()).put("epoch", c.since().epoch()));
    }
    return node.rooms().join(body)
        .onFailure(e -> {
          if (!again) {
            s.rooms.remove(c.room());
            local.joinFailed();
            streams.closeIfEmpty(c.room());
          }
        })
        .compose(r -> {
          long seq = r.getLong("seq");
          String epoch = r.getString("epoch");
          List<String> history = NodeReplies.strings(r.getJsonArray("messages"));
          // cut to the budget on the room's partition (HistoryWindow): recovered is false there
          // when what was missed did not fit, and the client pages with history after since.seq
          s.send(FrameEncoder.joined(c.id(), c.room(), epoch, seq, r.getBoolean("recovered"),
              history, NodeReplies.members(r.getJsonArray("members")), r.getInteger("count")));
          if (again) {
            // the history is the newest messages, up to seq
            local.rejoined(s, seq - history.size() + 1, seq, epoch);
          } else if (s.closed()) {
            // closed while the join was on its way: its clean-up already sent the leave
            local.joinFailed();
            streams.closeIfEmpty(c.room());
          } else {
            s.rooms.put(c.room(), Boolean.TRUE);
            local.joined(s, seq, epoch);
          }
          return Future.succeededFuture();
        });
  }

  /**
   * The room's log restarted under its members here (it was lost, or a split brain healed): their
   * seqs name other messages now. Each is joined again, without counting it twice, and told with
   * a {@code joined} frame without {@code id}: the new epoch, the latest messages and the members,
   * as a client's own join would answer. Live delivery then goes on from that {@code seq}.
   */
  void joinAgain(String room, List<ClientSession> members, long from, String epoch) {
    LocalRoom local = streams.get(room);
    for (ClientSession s : members) {
      joinAgain(local, room, s, epoch, 1);
    }
  }

  /**
   * One member's join after a restart. An answer that comes too late (the member left, or the
   * log restarted once more: that restart's join decides) is dropped. A failed one, or one about
   * another log, is tried again a second later, three times; then the connection is closed with
   * 1011, and the client reconnects and recovers: going on untold, it would take the new log's
   * seqs for ones it already has.
   */
  private void joinAgain(LocalRoom local, String room, ClientSession s, String epoch, int attempt) {
    node.rooms().join(joinRequest(s, room, false, CommandDecoder.DEFAULT_HISTORY)).onComplete(ar -> {
      if (streams.get(room) != local || !local.heldFor(s, epoch) || s.closed()) {
        return;
      }
      if (ar.failed() || !epoch.equals(ar.result().getString("epoch"))) {
        if (attempt >= REJOIN_ATTEMPTS) {
          LOG.warn("session {}: could not tell it that room {} restarted ({}); closing it so that it recovers",
              s.id, room, ar.failed() ? ar.cause().toString() : "answered from another log");
          s.end(CloseCode.INTERNAL_ERROR);
        } else {
          vertx.setTimer(REJOIN_RETRY_MS, t -> joinAgain(local, room, s, epoch, attempt + 1));
        }
        return;
      }
      JsonObject r = ar.result();
      s.send(FrameEncoder.joined(null, room, epoch, r.getLong("seq"), null,
          NodeReplies.strings(r.getJsonArray("messages")), NodeReplies.members(r.getJsonArray("members")),
          r.getInteger("count")));
      local.resumeAt(s, r.getLong("seq"), epoch);
    });
  }

  /** A join of the room service for {@code s}, its reply cut to what the connection may take. */
  private JsonObject joinRequest(ClientSession s, String room, boolean count, int history) {
    return new JsonObject().put("room", room).put("user", s.user()).put("name", s.name())
        .put("session", s.id).put("count", count).put("history", history)
        .put("messageBytes", budget.messageBytes()).put("memberBytes", budget.memberBytes());
  }

  private static final int REJOIN_ATTEMPTS = 3;
  private static final long REJOIN_RETRY_MS = 1_000;

  private Future<Void> leave(ClientSession s, Command.Leave c) {
    if (s.rooms.remove(c.room()) == null) {
      return reply(s, FrameEncoder.left(c.id(), c.room()));
    }
    detach(s, c.room());
    return node.rooms().leave(new JsonObject().put("room", c.room()).put("user", s.user()))
        .transform(ar -> {
          if (ar.failed()) {
            LOG.warn("session {}: leaving {} was not recorded: {}", s.id, c.room(), ar.cause().toString());
          }
          return reply(s, FrameEncoder.left(c.id(), c.room()));
        });
  }

  /** Takes a session out of the local room; the cluster's presence is updated by the caller. */
  void detach(ClientSession s, String room) {
    LocalRoom local = streams.get(room);
    if (local != null) {
      local.remove(s);
      streams.closeIfEmpty(room);
    }
  }

  private Future<Void> publish(ClientSession s, Command.Publish c) {
    String refusal = notAllowed(s, c);
    if (refusal != null) {
      return reply(s, refusal);
    }
    if (rateLimited(s, c.id())) {
      return Future.succeededFuture();
    }
    JsonObject body = new JsonObject().put("room", c.room()).put("from", s.user()).put("name", s.name())
        .put("text", c.text()).put("data", c.data());
    return node.rooms().publish(body)
        .compose(r -> reply(s, FrameEncoder.ack(c.id(), c.room(), r.getLong("seq"), r.getString("ts"), null)));
  }

  /**
   * A connection's publishes to one room that queued up ({@link ClientSession#enqueuePublish}):
   * each is checked as it would be alone, the accepted ones are stored by one operation, and
   * every publish is answered in the order they came, refusals included, as if one by one.
   */
  Future<Void> publishAll(ClientSession s, List<Command.Publish> batch) {
    if (batch.size() == 1) {
      return execute(s, batch.get(0));
    }
    String room = batch.get(0).room();
    String[] replies = new String[batch.size()];
    List<Integer> accepted = new ArrayList<>(batch.size());
    JsonArray messages = new JsonArray();
    int overRate = 0;
    for (int i = 0; i < batch.size(); i++) {
      Command.Publish c = batch.get(i);
      replies[i] = notAllowed(s, c);
      if (replies[i] == null) {
        replies[i] = overRate(s, c.id());
        overRate += replies[i] == null ? 0 : 1;
      }
      if (replies[i] == null) {
        accepted.add(i);
        messages.add(new JsonObject().put("text", c.text()).put("data", c.data()));
      }
    }
    int refusals = overRate;
    if (accepted.isEmpty()) {
      return answerAll(s, replies, refusals);
    }
    JsonObject body = new JsonObject().put("room", room).put("from", s.user()).put("name", s.name())
        .put("messages", messages);
    return node.rooms().publishAll(body).transform(ar -> {
      for (int k = 0; k < accepted.size(); k++) {
        Command.Publish c = batch.get(accepted.get(k));
        replies[accepted.get(k)] = ar.succeeded()
            ? FrameEncoder.ack(c.id(), room, ar.result().getLong("firstSeq") + k, ar.result().getString("ts"), null)
            : failure(s, c, ar.cause());
      }
      return answerAll(s, replies, refusals);
    });
  }

  private Future<Void> answerAll(ClientSession s, String[] replies, int rateRefusals) {
    for (String reply : replies) {
      s.send(reply);
    }
    for (int i = 0; i < rateRefusals && !s.closed(); i++) {
      if (countRefusal(s)) {
        break;
      }
    }
    return Future.succeededFuture();
  }

  /** The error refusing a publish that the session may not make (not a member, not granted), or null. */
  private String notAllowed(ClientSession s, Command.Publish c) {
    if (!Boolean.TRUE.equals(s.rooms.get(c.room()))) {
      return FrameEncoder.error(c.id(), ErrorCode.NOT_MEMBER, "join room '" + c.room() + "' before publishing to it", -1);
    }
    if (!grants.mayPublish(s.identity, c.room())) {
      return FrameEncoder.error(c.id(), ErrorCode.FORBIDDEN, "room '" + c.room() + "' is written by the service only", -1);
    }
    return null;
  }

  private Future<Void> sendPrivate(ClientSession s, Command.Private c) {
    if (c.to().equals(s.user())) {
      return error(s, c.id(), ErrorCode.BAD_REQUEST, "a private message needs another user than yourself");
    }
    if (rateLimited(s, c.id())) {
      return Future.succeededFuture();
    }
    JsonObject body = new JsonObject().put("from", s.user()).put("name", s.name()).put("to", c.to())
        .put("text", c.text()).put("data", c.data());
    return node.rooms().sendPrivate(body)
        .compose(r -> reply(s, FrameEncoder.ack(c.id(), r.getString("room"), r.getLong("seq"), r.getString("ts"),
            r.getBoolean("online"))));
  }

  private Future<Void> history(ClientSession s, Command.History c) {
    if (!grants.mayRead(s.identity, c.room())) {
      return error(s, c.id(), ErrorCode.FORBIDDEN, "your token does not grant reading '" + c.room() + "'");
    }
    return node.rooms().history(Addresses.historyRequest(c.room(), c.before(), c.after(), c.limit())
            .put("messageBytes", budget.messageBytes()))
        // cut to the budget on the room's partition (HistoryWindow), which says more when it cut
        .compose(r -> reply(s, FrameEncoder.history(c.id(), c.room(), NodeReplies.strings(r.getJsonArray("messages")),
            r.getBoolean("more"))));
  }

  private Future<Void> members(ClientSession s, Command.Members c) {
    if (!grants.mayJoin(s.identity, c.room())) {
      return error(s, c.id(), ErrorCode.FORBIDDEN, "your token does not grant room '" + c.room() + "'");
    }
    return node.rooms().members(new JsonObject().put("room", c.room()).put("memberBytes", budget.memberBytes()))
        .compose(r -> reply(s, FrameEncoder.members(c.id(), c.room(),
            NodeReplies.members(r.getJsonArray("members")), r.getInteger("count"))));
  }

  private Future<Void> refresh(ClientSession s, Command.Refresh c) {
    return node.tokens().verify(c.token())
        .compose(identity -> {
          if (!identity.user().equals(s.user())) {
            return error(s, c.id(), ErrorCode.FORBIDDEN, "the new token is for another user");
          }
          // the display name stays as presence knows it; grants and expiry follow the new token
          s.identity = new io.switchboard.auth.Identity(s.user(), s.name(), identity.roles(), identity.rooms(),
              identity.expiresAt());
          leaveUngranted(s);
          String expiresAt = identity.expiresAt() > 0 ? Timestamps.format(identity.expiresAt()) : null;
          return reply(s, FrameEncoder.refreshed(c.id(), expiresAt));
        }, e -> error(s, c.id(), ErrorCode.FORBIDDEN,
            e instanceof TokenRejected r && r.expired() ? "the new token has expired" : "the new token is not valid"));
  }

  /**
   * After a refresh to a narrower token: the rooms it no longer grants are left, each told with
   * a {@code left} frame without id. Delivery does not look at grants again, so the connection
   * would otherwise go on receiving a room that its token no longer lets it read.
   */
  private void leaveUngranted(ClientSession s) {
    for (String room : new ArrayList<>(s.rooms.keySet())) {
      if (grants.mayJoin(s.identity, room)) {
        continue;
      }
      s.rooms.remove(room);
      detach(s, room);
      node.rooms().leave(new JsonObject().put("room", room).put("user", s.user())).onFailure(e ->
          LOG.warn("session {}: leaving {} after a refresh was not recorded: {}", s.id, room, e.toString()));
      s.send(FrameEncoder.left(null, room));
    }
  }

  /** Takes a token or answers {@code rate_limited}; too many refusals close the connection. */
  private boolean rateLimited(ClientSession s, Object id) {
    String refusal = overRate(s, id);
    if (refusal == null) {
      return false;
    }
    s.send(refusal);
    countRefusal(s);
    return true;
  }

  /** Takes a token and answers null, or the {@code rate_limited} error when the bucket is empty. */
  private String overRate(ClientSession s, Object id) {
    long wait = s.bucket.take(System.currentTimeMillis());
    if (wait == 0) {
      return null;
    }
    node.metrics().rateLimited();
    return FrameEncoder.error(id, ErrorCode.RATE_LIMITED, "over " + limits.rate() + " messages a second", wait);
  }

  /** Counts a rate refusal already answered; true when it made the session abusive, which closes it. */
  private boolean countRefusal(ClientSession s) {
    if (!s.refusals.record(System.currentTimeMillis())) {
      return false;
    }
    LOG.info("session {} ({}) closed for rate limit abuse", s.id, s.user());
    s.end(CloseCode.RATE_LIMIT_ABUSE);
    return true;
  }

  private static Future<Void> reply(ClientSession s, String frame) {
    s.send(frame);
    return Future.succeededFuture();
  }

  private static Future<Void> error(ClientSession s, Object id, ErrorCode code, String message) {
    return reply(s, FrameEncoder.error(id, code, message, -1));
  }

  private static ErrorCode codeOf(Throwable e) {
    if (e instanceof ReplyException r) {
      return r.failureType() == ReplyFailure.RECIPIENT_FAILURE ? ErrorCode.ofFailureCode(r.failureCode())
          : ErrorCode.UNAVAILABLE;
    }
    return ErrorCode.INTERNAL;
  }

  private static String messageOf(ErrorCode code, Throwable e, String nodeId) {
    return switch (code) {
      // the room service's own words say whether the request may still complete (a timeout)
      case UNAVAILABLE -> e instanceof ReplyException r && r.failureType() == ReplyFailure.RECIPIENT_FAILURE
          ? r.getMessage() : "the cluster could not complete this now; nothing was stored; retry later";
      case INTERNAL -> "unexpected failure; it was logged on node " + nodeId;
      default -> e.getMessage();
    };
  }
}
