package io.switchboard.gateway;

import io.switchboard.Addresses;
import io.switchboard.NodeServices;
import io.switchboard.auth.Grants;
import io.switchboard.auth.TokenRejected;
import io.switchboard.protocol.Command;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.FrameEncoder;
import io.switchboard.protocol.NodeReplies;
import io.switchboard.protocol.Timestamps;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Executes one client command for a session: checks grants, membership and limits, asks the
 * node's {@link io.switchboard.room.RoomService} (on this event loop), and answers with the
 * frame's id. Joins and leaves are {@link MembershipCommands}', publishes and private messages
 * {@link PublishCommands}'; reads and the token's refresh are here. Every failure ends as an
 * {@code error} frame; nothing here closes the connection except rate-limit abuse.
 */
final class SessionCommands {

  private static final Logger LOG = LoggerFactory.getLogger(SessionCommands.class);
  private static final io.switchboard.ops.ThrottledLog INTERNAL_FAILURES = new io.switchboard.ops.ThrottledLog(LOG);
  static final int ABUSE_REFUSALS = 20;
  static final long ABUSE_WINDOW_MS = 10_000;

  private final Vertx vertx;
  private final NodeServices node;
  private final ReplyBudget budget;
  private final Grants grants;
  private final MembershipCommands membership;
  private final PublishCommands publishing;

  SessionCommands(Vertx vertx, NodeServices node, RoomStreams streams) {
    this.vertx = vertx;
    this.node = node;
    this.budget = new ReplyBudget(node.config().limits().outboundBytes());
    this.grants = node.grants();
    this.membership = new MembershipCommands(vertx, node, streams, budget);
    this.publishing = new PublishCommands(node);
  }

  Future<Void> execute(ClientSession s, Command command) {
    Future<Void> done;
    if ((isRead(command) || isJoinAgain(s, command)) && readRefused(s, command.id(), readCost(command))) {
      done = Future.succeededFuture();
    } else if (command instanceof Command.Join c) {
      done = membership.join(s, c);
    } else if (command instanceof Command.Leave c) {
      done = membership.leave(s, c);
    } else if (command instanceof Command.Publish c) {
      done = publishing.publish(s, c);
    } else if (command instanceof Command.Private c) {
      done = publishing.sendPrivate(s, c);
    } else if (command instanceof Command.History c) {
      done = history(s, c);
    } else if (command instanceof Command.Members c) {
      done = members(s, c);
    } else if (command instanceof Command.Conversations c) {
      done = conversations(s, c);
    } else if (command instanceof Command.Refresh c) {
      done = refresh(s, c);
    } else if (command instanceof Command.Heartbeat c) {
      done = reply(s, FrameEncoder.heartbeatAck(c.id(), Timestamps.now()));
    } else {
      done = reply(s, FrameEncoder.pong(command.id(), Timestamps.now()));
    }
    return done.recover(e -> reply(s, failure(s, command, e, node.nodeId())));
  }

  /** A connection's publishes to one room that queued up: see {@link PublishCommands#publishAll}. */
  Future<Void> publishAll(ClientSession s, List<Command.Publish> batch) {
    return batch.size() == 1 ? execute(s, batch.get(0)) : publishing.publishAll(s, batch);
  }

  /** See {@link MembershipCommands#joinAgain}: the room's log restarted under its members here. */
  void joinAgain(String room, List<ClientSession> members, long from, String epoch) {
    membership.joinAgain(room, members, from, epoch);
  }

  /** See {@link MembershipCommands#sendLeave}. */
  Future<JsonObject> sendLeave(String room, String user) {
    return membership.sendLeave(room, user);
  }

  /** Takes a session out of the local room; the cluster's presence is updated by the caller. */
  void detach(ClientSession s, String room) {
    membership.detach(s, room);
  }

  /** The error frame answering {@code command}, which failed with {@code e}. */
  static String failure(ClientSession s, Command command, Throwable e, String nodeId) {
    ErrorCode code = codeOf(e);
    if (code == ErrorCode.INTERNAL) {
      // a defect fails every command that takes its path (each of a batch's 32 publishes): once a second
      INTERNAL_FAILURES.error("session {} ({}): {} failed", s.id, s.user(), command.getClass().getSimpleName(), e);
    }
    long retryAfterMs = e instanceof io.switchboard.room.RoomService.CreationRefused r ? r.retryAfterMs() : -1;
    return FrameEncoder.error(command.id(), code, messageOf(code, e, nodeId), retryAfterMs);
  }

  private static boolean isRead(Command command) {
    return command instanceof Command.History || command instanceof Command.Members || command instanceof Command.Refresh
        || command instanceof Command.Conversations;
  }

  /**
   * A join of a room the connection has joined (or is joining) counts no member and takes no
   * join's token, but it is a read of the room's history and members all the same: in a loop,
   * unthrottled, each 40-byte frame had the room's partition build a reply of up to 768 KiB.
   */
  private static boolean isJoinAgain(ClientSession s, Command command) {
    return command instanceof Command.Join c && s.rooms.containsKey(c.room());
  }

  /**
   * Each read is a cluster call whose reply may take half of limits.outboundBytes (a token's
   * check, an RSA signature): unthrottled, one connection asking in a loop had the node build
   * hundreds of MB a second. limits.rate a second (a publish rate: at least {@link Buckets#READS_PER_SECOND}),
   * with a burst that reads every room a connection may join twice (a page filling its gaps after
   * a reconnect; at least {@link Buckets#READ_BURST}). Refused {@code rate_limited}
   * with {@code retryAfterMs}, not counted towards rate-limit abuse (PROTOCOL.md ties that to
   * publish and private), like a join's refusal. True when refused (and answered).
   */
  private boolean readRefused(ClientSession s, Object id, int tokens) {
    var limits = node.config().limits();
    if (s.reads == null) {
      s.reads = Buckets.reads(limits, io.switchboard.ops.Clocks.monotonicMillis());
    }
    long wait = s.reads.take(io.switchboard.ops.Clocks.monotonicMillis(), tokens);
    if (wait == 0) {
      return false;
    }
    node.metrics().rateLimited();
    s.send(FrameEncoder.error(id, ErrorCode.RATE_LIMITED,
        "over " + Buckets.readRate(limits) + " reads (history, members, conversations, refresh, joins of a room joined) a second",
        wait));
    return true;
  }

  /** The read tokens a read takes: see {@link Buckets#conversationsReadCost}. */
  private static int readCost(Command command) {
    return command instanceof Command.Conversations c ? Buckets.conversationsReadCost(c.limit()) : 1;
  }

  private Future<Void> history(ClientSession s, Command.History c) {
    if (!grants.mayRead(s.identity, c.room())) {
      return error(s, c.id(), ErrorCode.FORBIDDEN, "your token does not grant reading '" + c.room() + "'");
    }
    return withinNodeBudget(s, c.id(), budget.messageBytes(), () -> node.rooms().history(
            Addresses.historyRequest(c.room(), c.before(), c.after(), c.limit()).put("messageBytes", budget.messageBytes()))
        // cut to the budget on the room's partition (HistoryWindow), which says more when it cut
        .map(r -> FrameEncoder.history(c.id(), c.room(), NodeReplies.strings(r.getJsonArray("messages")),
            r.getBoolean("more"))));
  }

  private Future<Void> members(ClientSession s, Command.Members c) {
    if (!grants.mayJoin(s.identity, c.room())) {
      return error(s, c.id(), ErrorCode.FORBIDDEN, "your token does not grant room '" + c.room() + "'");
    }
    return withinNodeBudget(s, c.id(), budget.memberBytes(), () -> node.rooms().members(
            new JsonObject().put("room", c.room()).put("memberBytes", budget.memberBytes()))
        .map(r -> FrameEncoder.members(c.id(), c.room(), NodeReplies.members(r.getJsonArray("members")),
            r.getInteger("count"))));
  }

  /**
   * The user's own conversations (a {@code dm:} room is readable by its two users whatever the
   * token's rooms grant), cut to the reply budget on this node: a conversation first seen here
   * shows up even when its first message came while the user was offline.
   */
  private Future<Void> conversations(ClientSession s, Command.Conversations c) {
    return withinNodeBudget(s, c.id(), budget.messageBytes(), () -> node.rooms().conversations(
            new JsonObject().put("user", s.user()).put("limit", c.limit()).put("messageBytes", budget.messageBytes()))
        .map(r -> FrameEncoder.conversations(c.id(), NodeReplies.objects(r.getJsonArray("conversations")),
            r.getBoolean("more"))));
  }

  /**
   * Sends the reply that {@code read} builds (of up to {@code most} bytes of messages or members)
   * within the node's budget for read replies ({@link ReadBytes}), or refuses it
   * {@code rate_limited} with {@code retryAfterMs} when that is spent. A refusal here counts as
   * the connection's own read bucket's do: not towards rate-limit abuse.
   */
  private Future<Void> withinNodeBudget(ClientSession s, Object id, long most, java.util.function.Supplier<Future<String>> read) {
    return reserveRead(vertx, node, s, id, null, most).compose(reserved -> reserved == 0 ? Future.succeededFuture()
        : node.readBytes().settledWhenBuilt(reserved, read.get()).compose(frame -> reply(s, frame)));
  }

  /**
   * A refusal that the budget makes good within this long is waited out here, not answered: in a
   * wave of reconnects, the first joins reserve their most until their replies are built and give
   * back what they did not use, a few ms later. Refused meanwhile, the others were told to wait
   * 1 ms, and a page waits 3 s before it asks again.
   */
  static final long SHORT_WAIT_MS = 50;
  /** At most this long in all for one request: a budget spent for longer is answered rate_limited. */
  static final long SHORT_WAITS_MAX_MS = 1_000;

  /**
   * Reserves a read reply of up to {@code most} bytes from the node's budget, or a first join of
   * {@code firstJoinOf} (null: a read): what was reserved; {@link ReadBytes#LEARNING} when that
   * join must wait for another of its room; or 0 when the budget is spent (and
   * {@code rate_limited} has been answered) or the session closed while it waited.
   */
  static Future<Long> reserveRead(Vertx vertx, NodeServices node, ClientSession s, Object id, String firstJoinOf,
                                  long most) {
    return reserveRead(vertx, node, s, id, firstJoinOf, most, 0);
  }

  private static Future<Long> reserveRead(Vertx vertx, NodeServices node, ClientSession s, Object id,
                                          String firstJoinOf, long most, long waited) {
    long now = io.switchboard.ops.Clocks.monotonicMillis();
    long reserved = firstJoinOf == null ? node.readBytes().reserve(now, most)
        : node.readBytes().reserveJoin(now, firstJoinOf, most);
    if (reserved != 0) {
      return Future.succeededFuture(reserved);
    }
    long wait = node.readBytes().waitMs(now);
    if (wait <= SHORT_WAIT_MS && waited + wait <= SHORT_WAITS_MAX_MS) {
      // the session's steps wait meanwhile, as behind a slow answer of the cluster
      return vertx.timer(wait).compose(t -> s.closed() ? Future.succeededFuture(0L)
          : reserveRead(vertx, node, s, id, firstJoinOf, most, waited + wait));
    }
    node.metrics().rateLimited();
    s.send(FrameEncoder.error(id, ErrorCode.RATE_LIMITED, node.readBytes().refusal("connections"), wait));
    return Future.succeededFuture(0L);
  }

  private Future<Void> refresh(ClientSession s, Command.Refresh c) {
    return node.tokens().verify(c.token())
        .compose(identity -> {
          if (!identity.user().equals(s.user())) {
            return error(s, c.id(), ErrorCode.FORBIDDEN, "the new token is for another user");
          }
          // the display name stays as presence knows it; grants and expiry follow the new token.
          // A refresh is answered ahead of the steps queued before it (GatewayVerticle.onText):
          // its expiry holds at once, so that the old one closes nothing meanwhile
          var before = s.identity;
          s.identity = new io.switchboard.auth.Identity(s.user(), s.name(), before.roles(), before.rooms(),
              identity.expiresAt());
          // its grants after them: the frames sent before it are judged by the token they were sent
          // under (a publish to a room it takes away was refused as a system room's). The rooms it
          // no longer grants are left then too: a join on its way, left at once, came back when
          // its answer did, and the session went on reading a room it lost
          s.steps.enqueue(() -> {
            s.identity = new io.switchboard.auth.Identity(s.user(), s.name(), identity.roles(), identity.rooms(),
                s.identity.expiresAt());
            membership.leaveUngranted(s);
            return Future.succeededFuture();
          });
          String expiresAt = identity.expiresAt() > 0 ? Timestamps.format(identity.expiresAt()) : null;
          return reply(s, FrameEncoder.refreshed(c.id(), expiresAt));
        }, e -> error(s, c.id(), ErrorCode.FORBIDDEN,
            e instanceof TokenRejected r && r.expired() ? "the new token has expired" : "the new token is not valid"));
  }

  static Future<Void> reply(ClientSession s, String frame) {
    s.send(frame);
    return Future.succeededFuture();
  }

  static Future<Void> error(ClientSession s, Object id, ErrorCode code, String message) {
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
      // the room service's own words (what was stored, how long it waited)
      case UNAVAILABLE -> e instanceof ReplyException r && r.failureType() == ReplyFailure.RECIPIENT_FAILURE
          ? r.getMessage() : "the cluster could not complete this now; nothing was stored; retry later";
      case INTERNAL -> "unexpected failure; it was logged on node " + nodeId;
      default -> e.getMessage();
    };
  }
}
