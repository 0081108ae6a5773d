package io.switchboard.api;

import io.switchboard.NodeServices;
import io.switchboard.auth.DevLoginRoute;
import io.switchboard.ops.HealthRoutes;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;

/** The node's HTTP surface: health, readiness, development login, the server API, the web pages. */
public final class HttpRoutes {

  static final String PAGE_POLICY = "default-src 'self'; connect-src 'self'; img-src 'self'; object-src 'none'; "
      + "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

  private HttpRoutes() {
  }

  public static Router router(Vertx vertx, NodeServices node,
                              java.util.Map<String, io.switchboard.gateway.TokenBucket> apiBuckets) {
    Router router = Router.router(vertx);
    router.route().handler(ctx -> {
      ctx.response().putHeader("X-Content-Type-Options", "nosniff");
      ctx.next();
    });
    HealthRoutes.mount(router, node.ready(), node.memberLost());
    if (node.config().auth().devLogin()) {
      DevLoginRoute.mount(router, node.tokens(), node.config().limits().maxFrameBytes());
    }
    ServerApi.mount(router, vertx, node, apiBuckets);
    router.get("/metrics").handler(io.vertx.micrometer.PrometheusScrapingHandler.create(node.metrics().registry()));
    router.route("/api/*").handler(ctx -> HttpErrors.send(ctx, 404, "not_found", "no such path"));
    router.route().handler(ctx -> {
      // the pages load only their own scripts and styles and talk only to their own node; no
      // other site may frame them (the chat signs in by itself from the stored token)
      ctx.response()
          .putHeader("Content-Security-Policy", PAGE_POLICY)
          .putHeader("X-Frame-Options", "DENY")
          .putHeader("Referrer-Policy", "no-referrer");
      ctx.next();
    });
    router.route().handler(StaticHandler.create("webroot"));
    // not a page either: the same JSON error as under /api, not Vert.x's HTML one
    router.route().handler(ctx -> HttpErrors.send(ctx, 404, "not_found", "no such path"));
    router.route().failureHandler(HttpErrors::onFailure);
    return router;
  }
}
