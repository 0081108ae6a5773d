package io.switchboard.api;

import io.switchboard.NodeServices;
import io.switchboard.auth.DevLoginRoute;
import io.switchboard.ops.HealthRoutes;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;

/** The node's HTTP surface: health, readiness, development login, the server API, the web pages. */
public final class HttpRoutes {

  static final String PAGE_POLICY = "default-src 'self'; connect-src 'self'; img-src 'self'; object-src 'none'; "
      + "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

  private HttpRoutes() {
  }

  private static void takeUp(io.vertx.ext.web.RoutingContext ctx, NodeServices node) {
    node.metrics().httpRequest();
    ctx.next();
  }

  /** Neither a length nor a chunked body: any method, DELETE /x as well as GET. */
  private static boolean hasNoBody(io.vertx.core.http.HttpServerRequest request) {
    String length = request.getHeader(io.vertx.core.http.HttpHeaders.CONTENT_LENGTH);
    return request.getHeader(io.vertx.core.http.HttpHeaders.TRANSFER_ENCODING) == null
        && (length == null || length.trim().equals("0"));
  }

  public static Router router(Vertx vertx, NodeServices node,
                              io.switchboard.gateway.KeyedBuckets apiBuckets) {
    Router router = Router.router(vertx);
    router.route().handler(ctx -> {
      ctx.response().putHeader("X-Content-Type-Options", "nosniff");
      // Vert.x takes up a connection's next pipelined request as soon as the last answer is
      // queued, written or not: a client that sent thousands of GET /metrics and read nothing
      // had the node buffer gigabytes of answers. A request without a body waits until the
      // connection has written what it owes; while it waits, Vert.x reads no further request.
      // One with a body cannot wait (its body would be lost before the body handler): the
      // connection closes instead. No browser pipelines, and a client that does and reads
      // nothing has no answer coming (RFC 9112 9.3.2: none after a request that is not idempotent)
      if (!ctx.response().writeQueueFull()) {
        takeUp(ctx, node);
      } else if (hasNoBody(ctx.request())) {
        ctx.response().drainHandler(v -> takeUp(ctx, node));
      } else {
        ctx.request().connection().close();
      }
    });
    HealthRoutes.mount(router, node.ready(), node.memberLost());
    if (node.config().auth().devLogin()) {
      DevLoginRoute.mount(router, node.tokens(), node.config().limits().maxFrameBytes());
    }
    ServerApi.mount(router, vertx, node, apiBuckets);
    router.route("/metrics").method(io.vertx.core.http.HttpMethod.GET).method(io.vertx.core.http.HttpMethod.HEAD)
        .handler(io.vertx.micrometer.PrometheusScrapingHandler.create(node.metrics().registry()));
    router.route("/api/*").handler(ctx -> HttpErrors.send(ctx, 404, "not_found", "no such path"));
    router.route().handler(ctx -> {
      // the pages load only their own scripts and styles and talk only to their own node; no
      // other site may frame them (the chat signs in by itself from the stored token)
      ctx.response()
          .putHeader("Content-Security-Policy", PAGE_POLICY)
          .putHeader("X-Frame-Options", "DENY")
          .putHeader("Referrer-Policy", "no-referrer");
      // Vert.x Web's static files go out "public, immutable, max-age=86400": a browser then used
      // a day-old page and scripts against an upgraded node without asking. Asked each time
      // instead, with the file's Last-Modified: 304 while it is unchanged
      ctx.addHeadersEndHandler(v -> {
        if (ctx.response().headers().contains(HttpHeaders.CACHE_CONTROL)) {
          ctx.response().putHeader(HttpHeaders.CACHE_CONTROL, "no-cache");
        }
      });
      ctx.next();
    });
    router.route().handler(StaticHandler.create("webroot"));
    // not a page either: the same JSON error as under /api, not Vert.x's HTML one
    router.route().handler(ctx -> HttpErrors.send(ctx, 404, "not_found", "no such path"));
    router.route().failureHandler(HttpErrors::onFailure);
    return router;
  }
}
