package io.switchboard.gateway;

import static io.switchboard.gateway.SessionCommands.error;
import static io.switchboard.gateway.SessionCommands.reply;

import io.switchboard.NodeServices;
import io.switchboard.auth.Grants;
import io.switchboard.protocol.CloseCode;
import io.switchboard.protocol.Command;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.FrameEncoder;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session's {@code publish} and {@code private} frames: membership and grants checked, the
 * publish rate taken from the session's bucket (too many refusals close the connection), the
 * message stored by the room service and acknowledged with the frame's id.
 */
final class PublishCommands {

  private static final Logger LOG = LoggerFactory.getLogger(PublishCommands.class);
  // clients can bring this about at will, many at once
  private static final io.switchboard.ops.ThrottledLog ABUSE = new io.switchboard.ops.ThrottledLog(LOG);

  private final NodeServices node;
  private final io.switchboard.config.Config.Limits limits;
  private final Grants grants;

  PublishCommands(NodeServices node) {
    this.node = node;
    this.limits = node.config().limits();
    this.grants = node.grants();
  }

  Future<Void> publish(ClientSession s, Command.Publish c) {
    String refusal = notAllowed(s, c);
    if (refusal != null) {
      return reply(s, refusal);
    }
    if (rateLimited(s, c.id())) {
      return Future.succeededFuture();
    }
    JsonObject body = new JsonObject().put("room", c.room()).put("from", s.user()).put("name", s.name())
        .put("text", c.text()).put("data", c.data()).put("key", c.key());
    return node.rooms().publish(body)
        .compose(r -> reply(s, FrameEncoder.ack(c.id(), c.room(), r.getLong("seq"), r.getString("ts"), null)));
  }

  /**
   * A connection's publishes to one room that queued up ({@link SessionSteps#enqueuePublish}):
   * each is checked as it would be alone, the accepted ones are stored by one operation, and
   * every publish is answered in the order they came, refusals included, as if one by one. More
   * than one: a single publish goes through {@link SessionCommands#execute}.
   */
  Future<Void> publishAll(ClientSession s, List<Command.Publish> batch) {
    String room = batch.get(0).room();
    String[] replies = new String[batch.size()];
    List<Integer> accepted = new ArrayList<>(batch.size());
    JsonArray messages = new JsonArray();
    // the refusal that makes the session abusive ends it: one by one, the frames after it
    // would never have been read, so they are neither stored nor answered
    int answered = batch.size();
    boolean abuse = false;
    for (int i = 0; i < answered; i++) {
      Command.Publish c = batch.get(i);
      replies[i] = notAllowed(s, c);
      if (replies[i] == null) {
        replies[i] = overRate(s, c.id(), s.steps.arrivedAt(i));
        if (replies[i] != null && s.refusals.record(io.switchboard.ops.Clocks.monotonicMillis())) {
          abuse = true;
          answered = i + 1;
        }
      }
      if (replies[i] == null) {
        accepted.add(i);
        messages.add(new JsonObject().put("text", c.text()).put("data", c.data()));
      }
    }
    boolean abusive = abuse;
    int count = answered;
    if (accepted.isEmpty()) {
      return answerAll(s, replies, count, abusive);
    }
    JsonObject body = new JsonObject().put("room", room).put("from", s.user()).put("name", s.name())
        .put("messages", messages);
    return node.rooms().publishAll(body).transform(ar -> {
      for (int k = 0; k < accepted.size(); k++) {
        Command.Publish c = batch.get(accepted.get(k));
        replies[accepted.get(k)] = ar.succeeded()
            ? FrameEncoder.ack(c.id(), room, ar.result().getLong("firstSeq") + k, ar.result().getString("ts"), null)
            : SessionCommands.failure(s, c, ar.cause(), node.nodeId());
      }
      return answerAll(s, replies, count, abusive);
    });
  }

  /** Sends the first replies in order; the session is closed after them when its refusals made it abusive. */
  private Future<Void> answerAll(ClientSession s, String[] replies, int count, boolean abusive) {
    for (int i = 0; i < count; i++) {
      s.send(replies[i]);
    }
    if (abusive && !s.closed()) {
      closeForAbuse(s);
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

  Future<Void> sendPrivate(ClientSession s, Command.Private c) {
    if (c.to().equals(s.user())) {
      return error(s, c.id(), ErrorCode.BAD_REQUEST, "a private message needs another user than yourself");
    }
    if (rateLimited(s, c.id())) {
      return Future.succeededFuture();
    }
    JsonObject body = new JsonObject().put("from", s.user()).put("name", s.name()).put("to", c.to())
        .put("text", c.text()).put("data", c.data()).put("key", c.key());
    return node.rooms().sendPrivate(body)
        .compose(r -> reply(s, FrameEncoder.ack(c.id(), r.getString("room"), r.getLong("seq"), r.getString("ts"),
            r.getBoolean("online"))))
        .recover(e -> {
          if (!(e instanceof io.switchboard.room.RoomService.CreationRefused)) {
            return Future.failedFuture(e);
          }
          // a private frame refused rate_limited (a new conversation past the user's budget)
          // counts towards rate-limit abuse, as PROTOCOL.md says of every such refusal
          s.send(SessionCommands.failure(s, c, e, node.nodeId()));
          countRefusal(s);
          return Future.succeededFuture();
        });
  }

  /** Takes a token or answers {@code rate_limited}; too many refusals close the connection. */
  private boolean rateLimited(ClientSession s, Object id) {
    String refusal = overRate(s, id, s.steps.arrivedAt(0));
    if (refusal == null) {
      return false;
    }
    s.send(refusal);
    countRefusal(s);
    return true;
  }

  /**
   * Takes a token on the clock of when the frame was read ({@link SessionSteps#arrivedAt}) and
   * answers null, or the {@code rate_limited} error when the bucket is empty.
   */
  private String overRate(ClientSession s, Object id, long readAt) {
    long wait = s.bucket.take(readAt);
    if (wait == 0) {
      return null;
    }
    node.metrics().rateLimited();
    return FrameEncoder.error(id, ErrorCode.RATE_LIMITED, "over " + limits.rate() + " messages a second", wait);
  }

  /** Counts a rate refusal already answered; true when it made the session abusive, which closes it. */
  private boolean countRefusal(ClientSession s) {
    if (!s.refusals.record(io.switchboard.ops.Clocks.monotonicMillis())) {
      return false;
    }
    closeForAbuse(s);
    return true;
  }

  private static void closeForAbuse(ClientSession s) {
    ABUSE.info("session {} ({}) closed for rate limit abuse", s.id, s.user());
    s.end(CloseCode.RATE_LIMIT_ABUSE);
  }
}
