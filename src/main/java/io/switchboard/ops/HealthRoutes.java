package io.switchboard.ops;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code GET /health} (the process serves: not once its Hazelcast member is gone for good, which
 * it never recovers from) and {@code GET /ready} (clustered, listening, not draining).
 */
public final class HealthRoutes {

  private HealthRoutes() {
  }

  public static void mount(Router router, AtomicBoolean ready, AtomicBoolean memberLost) {
    // HEAD too (a balancer's check may use it): Vert.x Web routes HEAD to no GET route, and it
    // fell through to the 404 of unknown paths
    router.route("/health").method(io.vertx.core.http.HttpMethod.GET).method(io.vertx.core.http.HttpMethod.HEAD)
        .handler(ctx -> answer(ctx, !memberLost.get()));
    router.route("/ready").method(io.vertx.core.http.HttpMethod.GET).method(io.vertx.core.http.HttpMethod.HEAD)
        .handler(ctx -> answer(ctx, ready.get()));
  }

  private static void answer(io.vertx.ext.web.RoutingContext ctx, boolean up) {
    ctx.response().setStatusCode(up ? 200 : 503);
    ctx.json(new JsonObject().put("status", up ? "UP" : "DOWN"));
  }
}
