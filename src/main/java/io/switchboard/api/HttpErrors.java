package io.switchboard.api;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** The JSON error bodies of PROTOCOL.md section 4: {@code {"code":…,"message":…}} with its status. */
public final class HttpErrors {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(HttpErrors.class);
  /** A bug that every request hits must not write a stack trace per request. */
  private static final io.switchboard.ops.ThrottledLog FAILURES = new io.switchboard.ops.ThrottledLog(LOG);

  private HttpErrors() {
  }

  public static void send(RoutingContext ctx, int status, String code, String message) {
    send(ctx, status, new JsonObject().put("code", code).put("message", message));
  }

  /**
   * 429 {@code rate_limited}: the wait in the body's {@code retryAfterMs}, as the frame's error
   * carries it, and in whole seconds in {@code Retry-After} for HTTP clients that honour it.
   */
  public static void rateLimited(RoutingContext ctx, long retryAfterMs, String message) {
    if (!ctx.response().ended()) {
      ctx.response().putHeader("Retry-After", Long.toString((retryAfterMs + 999) / 1000));
    }
    send(ctx, 429, new JsonObject().put("code", "rate_limited").put("message", message).put("retryAfterMs", retryAfterMs));
  }

  private static io.vertx.core.Future<Void> send(RoutingContext ctx, int status, JsonObject body) {
    if (ctx.response().ended()) {
      return io.vertx.core.Future.failedFuture("answered already");
    }
    return ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
  }

  /**
   * 413 for a body past the limit, and the connection closed once it is written: the rest of the
   * body is not wanted, and the connection stayed open to read all of it (a declared 10 GB to its
   * end; 20 such clients had the node read 2.8 GB a second after saying 413). It cannot serve
   * another request before that rest is read anyway.
   */
  private static void tooLargeThenClose(RoutingContext ctx) {
    if (!ctx.response().ended()) {
      ctx.response().putHeader("Connection", "close");
    }
    send(ctx, 413, new JsonObject().put("code", "too_large").put("message", "the body is too large"))
        .onSuccess(written -> {
          if (ctx.request().version() != io.vertx.core.http.HttpVersion.HTTP_2) {
            ctx.request().connection().close();
          }
        });
  }

  /** The router's failure handler: no stack traces to clients, no SEVERE log per 4xx. */
  public static void onFailure(RoutingContext ctx) {
    int status = ctx.statusCode() > 0 ? ctx.statusCode() : 500;
    switch (status) {
      case 400 -> send(ctx, 400, "bad_request", "the request is not valid");
      case 401 -> send(ctx, 401, "unauthorized", "a valid token is needed");
      case 403 -> send(ctx, 403, "forbidden", "the token does not grant this");
      case 404 -> send(ctx, 404, "not_found", "no such path");
      case 405 -> send(ctx, 405, "bad_request", "method not allowed");
      case 413 -> tooLargeThenClose(ctx);
      // another refusal of the request itself (417 for an Expect header, 416 for a Range): the
      // client's to fix, not a node failure to log
      case 406, 408, 411, 412, 414, 415, 416, 417, 431 -> send(ctx, 400, "bad_request", "the request is not valid");
      default -> {
        // the answer says it was logged: Vert.x Web logs nothing once a failure handler is set
        if (ctx.failure() == null) {
          FAILURES.warn("{} {} failed ({}), no cause given", ctx.request().method(), ctx.request().path(), status);
        } else {
          FAILURES.warn("{} {} failed ({}): {}", ctx.request().method(), ctx.request().path(), status,
              ctx.failure().toString(), ctx.failure());
        }
        send(ctx, 500, "internal", "unexpected failure; it was logged on the node");
      }
    }
  }
}
