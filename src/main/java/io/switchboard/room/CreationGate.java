package io.switchboard.room;

import io.switchboard.ops.NodeMetrics;
import io.switchboard.protocol.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import java.util.concurrent.TimeoutException;

/**
 * What making a room costs the user who makes it: a token of this node's {@link CreationBudget}
 * taken before a join or append that may make one, given back when it made nothing, and the
 * refusals when none was left ({@link RoomService.CreationRefused}) or the cluster holds
 * history.maxRooms. One per {@link RoomService}; called on the caller's context, as the
 * service is (the budget is thread-safe).
 */
final class CreationGate {

  private final CreationBudget creations;
  private final NodeMetrics metrics;

  CreationGate(io.switchboard.config.Config.Limits limits, NodeMetrics metrics) {
    // limits.rate a minute (a second's worth of publishes), a burst that makes all of maxRooms twice
    this.creations = new CreationBudget(limits.rate(), 2 * limits.maxRooms());
    this.metrics = metrics;
  }

  /** See {@link CreationBudget#take}. */
  boolean take(String user) {
    return creations.take(user);
  }

  /**
   * An append its owner came to after the deadline stored nothing: the same answer as a timeout.
   * For an append that may make the room on {@code user}'s budget (null: none).
   */
  Future<RoomReply> stored(Future<RoomReply> append, String user, boolean create) {
    Future<RoomReply> inTime = append.compose(r -> r.expired()
        ? Future.failedFuture(new TimeoutException("the room's owner came to the append after its deadline"))
        : r.lowMemory() ? Future.failedFuture(new ReplyException(ReplyFailure.RECIPIENT_FAILURE,
            ErrorCode.UNAVAILABLE.failureCode(), "the node that keeps this room is short of memory; nothing was stored;"
            + " retry later"))
        : Future.succeededFuture(r));
    return refundOnFailure(inTime, user, create).compose(r -> made(r, user, create, ErrorCode.UNAVAILABLE));
  }

  /** A request that failed made nothing: the token taken for it goes back. */
  <T> Future<T> refundOnFailure(Future<T> request, String user, boolean create) {
    return user == null || !create ? request : request.onFailure(e -> creations.refund(user));
  }

  /**
   * A join's or append's reply, where it may have made the room on {@code user}'s budget (null:
   * none): the token taken for it is given back if it made nothing, and one refused because none
   * was left ({@code create} false) is {@code rate_limited}, with when to try again.
   */
  Future<RoomReply> made(RoomReply r, String user, boolean create, ErrorCode whenFull) {
    if (user == null) {
      return notFull(r, whenFull);
    }
    if (create && !r.created()) {
      creations.refund(user);
    }
    if (r.full() && !create) {
      metrics.rateLimited();
      return Future.failedFuture(new RoomService.CreationRefused(creations.waitMs(user)));
    }
    return notFull(r, whenFull);
  }

  /**
   * A room refused because the cluster holds history.maxRooms: nothing stored. A join says
   * {@code limit}, as for a connection's own room limit; a message {@code unavailable}, which
   * PROTOCOL.md gives for "not stored, retry later" (HTTP 503, not a 400 that says "do not retry").
   */
  private static Future<RoomReply> notFull(RoomReply r, ErrorCode code) {
    return r.full()
        ? Future.failedFuture(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, code.failureCode(),
            "the service holds as many rooms and conversations as it may (history.maxRooms): this one does not"
                + " exist and cannot be made now; nothing was stored"))
        : Future.succeededFuture(r);
  }
}
