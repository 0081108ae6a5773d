package io.switchboard.auth;

import io.switchboard.api.HttpErrors;
import io.switchboard.protocol.Names;
import io.switchboard.protocol.Timestamps;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Set;

/**
 * {@code POST /api/token}: development login, so the service runs out of the box. Anyone can
 * name themselves here, so operators turn it off ({@code auth.devLogin=false}) and use their
 * identity provider's tokens instead.
 */
public final class DevLoginRoute {

  private static final Set<String> ROLES = Set.of(Identity.ADMIN, Identity.PUBLISHER);

  private DevLoginRoute() {
  }

  public static void mount(Router router, TokenVerifier tokens, int maxBodyBytes) {
    router.post("/api/token").handler(io.switchboard.api.ServerApi.bodyHandler(maxBodyBytes))
        .handler(ctx -> issue(ctx, tokens));
  }

  private static void issue(RoutingContext ctx, TokenVerifier tokens) {
    JsonObject body;
    try {
      body = io.switchboard.protocol.StrictJson.object(ctx.body().buffer());
    } catch (RuntimeException e) {
      body = null;
    }
    if (body == null) {
      HttpErrors.send(ctx, 400, "bad_request", "the body must be a JSON object {\"user\":…,\"name\":…}");
      return;
    }
    Object user = body.getValue("user");
    if (!(user instanceof String u) || !Names.isUser(u)) {
      HttpErrors.send(ctx, 400, "bad_request", "user must match ^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$");
      return;
    }
    Object name = body.getValue("name");
    if (name != null && (!(name instanceof String n) || n.isBlank() || !io.switchboard.protocol.Names.isDisplayName(n))) {
      HttpErrors.send(ctx, 400, "bad_request", "name must be a non-blank string of at most "
          + io.switchboard.protocol.Names.MAX_DISPLAY_NAME_CHARS + " characters, with no control, line break or bidirectional control");
      return;
    }
    List<String> roles = List.of();
    if (body.getValue("roles") != null) {
      if (!(body.getValue("roles") instanceof JsonArray array)
          || !array.stream().allMatch(r -> r instanceof String s && ROLES.contains(s))) {
        HttpErrors.send(ctx, 400, "bad_request", "roles must be a list of 'admin' and 'publisher'");
        return;
      }
      roles = array.stream().map(String.class::cast).toList();
    }
    String displayName = name == null ? u : (String) name;
    // one clock reading for the token's exp and the answer's expiresAt
    long exp = System.currentTimeMillis() / 1000 + TokenVerifier.DEV_TOKEN_SECONDS;
    String token = tokens.issue(u, displayName, roles, exp);
    ctx.json(new JsonObject().put("token", token).put("user", u).put("expiresAt", Timestamps.format(exp * 1000)));
  }
}
