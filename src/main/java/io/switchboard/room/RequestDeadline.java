package io.switchboard.room;

import io.switchboard.Addresses;
import io.switchboard.protocol.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One failure path for every room request: a bug answers {@code internal}, a cluster that is
 * gone or too slow ({@link Addresses#LOCAL_REQUEST}'s timeout) {@code unavailable}, never a
 * hang. A request given up on may still complete in the cluster: its {@code unavailable} is a
 * {@link RoomService.Unsettled} that says when it has.
 */
final class RequestDeadline {

  private static final Logger LOG = LoggerFactory.getLogger(RoomService.class);
  /** A stalled cluster fails every request: a line a second, not one per message. */
  private static final io.switchboard.ops.ThrottledLog FAILURES = new io.switchboard.ops.ThrottledLog(LOG);
  /** A defect on the request path fails every request that takes it: its stack trace once a second. */
  private static final io.switchboard.ops.ThrottledLog DEFECTS = new io.switchboard.ops.ThrottledLog(LOG);

  private final Vertx vertx;

  RequestDeadline(Vertx vertx) {
    this.vertx = vertx;
  }

  /** {@code late}: undoes a success that came after the caller was answered {@code unavailable} (null: none). */
  Future<JsonObject> answer(String what, JsonObject b, Function<JsonObject, Future<JsonObject>> handler,
                            Function<JsonObject, Future<?>> late) {
    Future<JsonObject> answer;
    try {
      answer = handler.apply(b);
    } catch (com.hazelcast.core.HazelcastException | com.hazelcast.core.HazelcastInstanceNotActiveException e) {
      // thrown at once (not through the future) when the member is shutting down or gone
      answer = Future.failedFuture(e);
    } catch (RuntimeException e) {
      DEFECTS.error("{} failed", what, e);
      return Future.failedFuture(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, ErrorCode.INTERNAL.failureCode(),
          "unexpected failure"));
    }
    return withDeadline(answer, late).recover(e -> {
      if (e instanceof ReplyException) {
        return Future.failedFuture(e);
      }
      FAILURES.warn("cluster storage failed for {}: {}", what, e.toString());
      // a message's append carries a deadline its owner keeps (RoomStore.STORE_WINDOW_MS): one
      // that timed out here is not stored later, so "retry" cannot store it twice
      String message = !(e instanceof TimeoutException)
          ? "the cluster could not complete this now; nothing was stored; retry later"
          : what.equals("publish") || what.equals("private")
              ? "the cluster did not store this within " + Addresses.LOCAL_REQUEST.getSendTimeout()
                  + " ms; nothing was stored; retry later"
              : "the cluster did not answer within " + Addresses.LOCAL_REQUEST.getSendTimeout() + " ms; retry later";
      if (e instanceof GaveUp gaveUp) {
        return Future.failedFuture(new RoomService.Unsettled(message, gaveUp.settled));
      }
      return Future.failedFuture(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, ErrorCode.UNAVAILABLE.failureCode(),
          message));
    });
  }

  /**
   * Fails the answer after {@link Addresses#LOCAL_REQUEST}'s timeout: in the {@link DeadlineQueue}
   * of the caller's context (its own Vert.x timer where there is none), not {@code Future.timeout},
   * which schedules on Netty's global executor thread: waking that thread twice per publish cost
   * 17 % of a core.
   */
  private Future<JsonObject> withDeadline(Future<JsonObject> answer, Function<JsonObject, Future<?>> late) {
    if (answer.isComplete()) {
      return answer;
    }
    Promise<JsonObject> deadline = io.switchboard.ops.Promises.here();
    Promise<Void> settled = io.switchboard.ops.Promises.here();
    DeadlineQueue.Deadline due = DeadlineQueue.schedule(vertx, this, Addresses.LOCAL_REQUEST.getSendTimeout(),
        () -> deadline.tryFail(new GaveUp(settled.future())));
    answer.onComplete(ar -> {
      due.cancel();
      if (ar.succeeded()) {
        if (!deadline.tryComplete(ar.result()) && late != null) {
          late.apply(ar.result()).onComplete(undone -> settled.tryComplete());
          return;
        }
      } else {
        deadline.tryFail(ar.cause());
      }
      settled.tryComplete();
    });
    return deadline.future();
  }

  /** The timer's failure, with what completes once the cluster's own answer has come. */
  static final class GaveUp extends TimeoutException {
    final transient Future<Void> settled;

    GaveUp(Future<Void> settled) {
      super("no answer from the cluster in time");
      this.settled = settled;
    }
  }

  /** {@code future}, or a {@link TimeoutException} once {@code ms} passed (a timer on this loop). */
  static <T> Future<T> within(Vertx vertx, Future<T> future, long ms) {
    if (future.isComplete()) {
      return future;
    }
    if (ms < 1) {
      return Future.failedFuture(new TimeoutException("no time left to wait"));
    }
    Promise<T> bounded = io.switchboard.ops.Promises.here();
    long timer = vertx.setTimer(ms, t -> bounded.tryFail(new TimeoutException("no answer within " + ms + " ms")));
    future.onComplete(ar -> {
      vertx.cancelTimer(timer);
      if (ar.succeeded()) {
        bounded.tryComplete(ar.result());
      } else {
        bounded.tryFail(ar.cause());
      }
    });
    return bounded.future();
  }
}
