package io.switchboard.api;

import io.switchboard.NodeServices;
import io.switchboard.auth.Identity;
import io.switchboard.auth.TokenRejected;
import io.switchboard.gateway.Buckets;
import io.switchboard.gateway.KeyedBuckets;
import io.switchboard.gateway.TokenBucket;
import io.switchboard.protocol.Names;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;

/**
 * Who calls the server API and whether they may: the bearer token (401), the role (403), the
 * room's grant, and the caller's rate buckets (429). A refusal is answered here, and its future
 * fails with "answered". One per {@link ServerApi}; runs on the event loop of the gateway
 * instance that accepted the request.
 */
final class ApiCallers {

  /** Where {@link #callerFirst} leaves the caller for the route's own handler. */
  private static final String CALLER = "switchboard.caller";

  private final NodeServices node;
  /** Rate buckets per API caller, node-wide. */
  private final KeyedBuckets buckets;

  ApiCallers(NodeServices node, KeyedBuckets buckets) {
    this.node = node;
    this.buckets = buckets;
  }

  /**
   * The caller's token is checked before the body is read: without one, or with a bad or
   * expired one, the answer is 401 (PROTOCOL.md), where the body handler answered an oversized
   * body 413 and had buffered up to maxFrameBytes of it for nobody. The request's stream is held
   * while the check runs (Vert.x drops what arrives with no handler set), as Vert.x Web's own
   * authentication handlers hold it. (A SecurityPolicyHandler: Vert.x Web refuses plain handlers
   * before a body handler.) {@code adminOnly}: the route's role too, so that a publisher's kick
   * with a large body is 403 as well, not 413.
   */
  void callerFirst(RoutingContext ctx, boolean adminOnly) {
    boolean hold = !ctx.request().isEnded();
    if (hold) {
      ctx.request().pause();
    }
    (adminOnly ? admin(ctx) : caller(ctx)).onSuccess(who -> {
      ctx.put(CALLER, who);
      if (hold) {
        ctx.request().resume();
      }
      ctx.next();
    });
  }

  /** The token of the request's {@code Authorization: Bearer} header, or null. */
  private static String bearer(RoutingContext ctx) {
    String auth = ctx.request().getHeader("Authorization");
    return auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7) ? null : auth.substring(7).trim();
  }

  /** The caller, if it has role admin; otherwise 401/403 has been answered. */
  Future<Identity> admin(RoutingContext ctx) {
    return caller(ctx).compose(who -> {
      if (!who.hasRole(Identity.ADMIN)) {
        HttpErrors.send(ctx, 403, "forbidden", "this needs a token with role admin");
        return Future.failedFuture("answered");
      }
      return Future.succeededFuture(who);
    });
  }

  /** The caller, if the room name is valid and the token grants reading it. */
  Future<Identity> readable(RoutingContext ctx, String room, boolean conversations) {
    return caller(ctx).compose(who -> {
      boolean valid = conversations ? Names.isReadableRoom(room) : Names.isJoinableRoom(room);
      if (!valid) {
        HttpErrors.send(ctx, 400, "bad_request", "'" + room + "' is not a valid room name");
        return Future.failedFuture("answered");
      }
      if (!node.grants().mayRead(who, room)) {
        HttpErrors.send(ctx, 403, "forbidden", "the token does not grant room '" + room + "'");
        return Future.failedFuture("answered");
      }
      return Future.succeededFuture(who);
    });
  }

  /** The verified caller with role publisher or admin; otherwise 401/403 has been answered. */
  Future<Identity> caller(RoutingContext ctx) {
    Identity checked = ctx.get(CALLER);
    if (checked != null) {
      return Future.succeededFuture(checked);
    }
    String token = bearer(ctx);
    if (token == null) {
      HttpErrors.send(ctx, 401, "unauthorized", "Authorization: Bearer <token> is required");
      return Future.failedFuture("answered");
    }
    return node.tokens().verify(token).transform(ar -> {
      if (ar.failed()) {
        boolean expired = ar.cause() instanceof TokenRejected r && r.expired();
        HttpErrors.send(ctx, 401, "unauthorized", expired ? "token expired" : "the token is not valid");
        return Future.failedFuture("answered");
      }
      Identity who = ar.result();
      if (!who.hasRole(Identity.PUBLISHER) && !who.hasRole(Identity.ADMIN)) {
        HttpErrors.send(ctx, 403, "forbidden", "the server API needs a token with role publisher or admin");
        return Future.failedFuture("answered");
      }
      return Future.succeededFuture(who);
    });
  }

  TokenBucket bucketOf(String user) {
    return buckets.of(user, now -> Buckets.messages(node.config().limits(), now));
  }

  /** A caller's reads (rooms, members, history, clients), as a connection's. */
  private TokenBucket readBucketOf(String user) {
    return buckets.of("read " + user, now -> Buckets.reads(node.config().limits(), now));
  }

  /**
   * The caller of {@code who}, once it took a read's token; otherwise 429 has been answered. A
   * read had no limit: a program reading the members of a room of 100 000 in a loop had the room's
   * partition build, and the node encode, megabytes a request.
   */
  Future<Identity> reading(RoutingContext ctx, Future<Identity> who) {
    return reading(ctx, who, 1);
  }

  /** {@link #reading}, taking {@code tokens} of the read bucket. */
  Future<Identity> reading(RoutingContext ctx, Future<Identity> who, int tokens) {
    return who.compose(caller -> refused(ctx, readBucketOf(caller.user()), Buckets.readRate(node.config().limits()) + " reads",
        tokens) ? Future.failedFuture("answered") : Future.succeededFuture(caller));
  }

  /** Takes a token of {@code bucket}; true when there was none and 429 has been answered. */
  boolean refused(RoutingContext ctx, TokenBucket bucket, String rate) {
    return refused(ctx, bucket, rate, 1);
  }

  private boolean refused(RoutingContext ctx, TokenBucket bucket, String rate, int tokens) {
    long wait = KeyedBuckets.take(bucket, tokens);
    if (wait == 0) {
      return false;
    }
    node.metrics().rateLimited();
    HttpErrors.rateLimited(ctx, wait, "over " + rate + " a second; retry in " + wait + " ms");
    return true;
  }
}
