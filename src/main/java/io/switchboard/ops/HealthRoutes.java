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
    router.get("/health").handler(ctx -> {
      boolean up = !memberLost.get();
      ctx.response().setStatusCode(up ? 200 : 503);
      ctx.json(new JsonObject().put("status", up ? "UP" : "DOWN"));
    });
    router.get("/ready").handler(ctx -> {
      boolean up = ready.get();
      ctx.response().setStatusCode(up ? 200 : 503);
      ctx.json(new JsonObject().put("status", up ? "UP" : "DOWN"));
    });
  }
}
