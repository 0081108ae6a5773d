package io.switchboard.api;

import io.switchboard.Addresses;
import io.switchboard.protocol.ErrorCode;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.ext.web.RoutingContext;

/**
 * The server API's answers from the room service's results: the reply's JSON, or the error's
 * status and body. Static; runs on the event loop of the gateway instance that accepted the
 * request.
 */
final class ApiReplies {

  /** Under ServerApi's name: the API's log lines keep the one logger to filter or tune. */
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ServerApi.class);
  private static final io.switchboard.ops.ThrottledLog TIMEOUTS = new io.switchboard.ops.ThrottledLog(LOG);

  private ApiReplies() {
  }

  /**
   * A second longer than the room service's own deadline, so that its answer (which says what was
   * stored) arrives before the event bus gives up with a bare timeout. Local only: every address
   * here is node-local, and a clustered send looks the address up in Hazelcast's subscription
   * map first, a cluster call per request that waits behind any stalled partition it shares.
   */
  static final io.vertx.core.eventbus.DeliveryOptions API_REQUEST = new io.vertx.core.eventbus.DeliveryOptions()
      .setSendTimeout(Addresses.LOCAL_REQUEST.getSendTimeout() + 1_000).setLocalOnly(true);

  static void reply(RoutingContext ctx, io.vertx.core.AsyncResult<String> result) {
    if (result.succeeded()) {
      ctx.response().putHeader("Content-Type", "application/json").end(result.result());
      return;
    }
    Throwable failure = result.cause();
    ErrorCode code = codeOf(failure);
    String message = failure.getMessage();
    if (code == ErrorCode.INTERNAL && failure instanceof ReplyException r && r.failureType() == ReplyFailure.TIMEOUT) {
      TIMEOUTS.warn("{} {}: the node's room service did not answer within {} ms", ctx.request().method(),
          ctx.request().path(), API_REQUEST.getSendTimeout());
      message = ctx.request().method() == io.vertx.core.http.HttpMethod.POST
          ? "no answer from the node in time, and it may still complete this: the message may yet be stored,"
              + " so look for it before sending it again"
          : "no answer from the node in time; try again";
    }
    if (failure instanceof io.switchboard.room.RoomService.CreationRefused r) {
      HttpErrors.rateLimited(ctx, r.retryAfterMs(), message);
      return;
    }
    HttpErrors.send(ctx, status(code), code.wire(), message);
  }

  /**
   * The error code of a failed request to the room service. Its own answers say what happened;
   * no handler means nothing was done ({@code unavailable}, "not stored"). A bare timeout is past
   * the service's own deadline, which always answers: unexpected, and the request may still
   * complete, so {@code internal}, never {@code unavailable}, which would say "not stored".
   */
  static ErrorCode codeOf(Throwable failure) {
    if (failure instanceof ReplyException r) {
      return switch (r.failureType()) {
        case RECIPIENT_FAILURE -> ErrorCode.ofFailureCode(r.failureCode());
        case TIMEOUT -> ErrorCode.INTERNAL;
        default -> ErrorCode.UNAVAILABLE;
      };
    }
    return ErrorCode.UNAVAILABLE;
  }

  static int status(ErrorCode code) {
    return switch (code) {
      case BAD_REQUEST, UNKNOWN_TYPE, NOT_MEMBER, LIMIT -> 400;
      case FORBIDDEN -> 403;
      case TOO_LARGE -> 413;
      case RATE_LIMITED -> 429;
      case UNAVAILABLE -> 503;
      case TOKEN_EXPIRED -> 401;
      case INTERNAL -> 500;
    };
  }
}
