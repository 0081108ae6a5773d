package io.switchboard.api;

import io.switchboard.NodeServices;
import io.switchboard.auth.DevLoginRoute;
import io.switchboard.ops.HealthRoutes;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;

/** The node's HTTP surface: health, readiness, development login, the server API, the web pages. */
public final class HttpRoutes {

  private HttpRoutes() {
  }

  public static Router router(Vertx vertx, NodeServices node,
                              java.util.Map<String, io.switchboard.gateway.TokenBucket> apiBuckets) {
    Router router = Router.router(vertx);
    HealthRoutes.mount(router, node.ready());
    if (node.config().auth().devLogin()) {
      DevLoginRoute.mount(router, node.tokens(), node.config().limits().maxFrameBytes());
    }
    ServerApi.mount(router, vertx, node, apiBuckets);
    router.get("/metrics").handler(io.vertx.micrometer.PrometheusScrapingHandler.create(node.metrics().registry()));
    router.route("/api/*").handler(ctx -> HttpErrors.send(ctx, 404, "not_found", "no such path"));
    router.route().handler(StaticHandler.create("webroot"));
    router.route().failureHandler(HttpErrors::onFailure);
    return router;
  }
}
