package io.switchboard.api;

import io.switchboard.Addresses;
import io.switchboard.NodeServices;
import io.switchboard.auth.Identity;
import io.switchboard.gateway.Buckets;
import io.switchboard.gateway.KeyedBuckets;
import io.switchboard.protocol.ApiMessages;
import io.switchboard.protocol.CommandDecoder;
import io.switchboard.protocol.FrameEncoder;
import io.switchboard.protocol.Names;
import io.switchboard.protocol.NodeReplies;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * The HTTP server API of PROTOCOL.md section 4 for programs: publish into rooms, send to users,
 * list rooms, members and history. A token with role {@code publisher} or {@code admin}; its
 * {@code rooms} claim governs rooms as for WebSocket clients. Requests reach the room verticle
 * over the node-local addresses, which serve the same room service the gateways call, so API
 * messages get the same order, storage and fan-out, with {@code "via":"api"}.
 */
public final class ServerApi {

  private final Vertx vertx;
  private final NodeServices node;
  /** Who calls, and whether they may (tokens, roles, grants, rates). */
  private final ApiCallers callers;
  /** A read's reply keeps within what a connection's would. */
  private final io.switchboard.gateway.ReplyBudget budget;

  private ServerApi(Vertx vertx, NodeServices node, KeyedBuckets buckets) {
    this.vertx = vertx;
    this.node = node;
    this.callers = new ApiCallers(node, buckets);
    this.budget = new io.switchboard.gateway.ReplyBudget(node.config().limits().outboundBytes());
  }

  /** {@code buckets} is shared by the node's gateway instances, so the rate is per node. */
  public static void mount(Router router, Vertx vertx, NodeServices node, KeyedBuckets buckets) {
    ServerApi api = new ServerApi(vertx, node, buckets);
    BodyHandler body = bodyHandler(node.config().limits().maxFrameBytes());
    io.vertx.ext.web.handler.SecurityPolicyHandler callerFirst = ctx -> api.callers.callerFirst(ctx, false);
    io.vertx.ext.web.handler.SecurityPolicyHandler adminFirst = ctx -> api.callers.callerFirst(ctx, true);
    router.post("/api/rooms/:room/messages").handler(callerFirst).handler(body).handler(api::publish);
    router.post("/api/users/:user/messages").handler(callerFirst).handler(body).handler(api::sendPrivate);
    router.get("/api/rooms").handler(api::rooms);
    router.get("/api/rooms/:room/members").handler(api::members);
    router.get("/api/rooms/:room/messages").handler(api::history);
    router.get("/api/users/:user/conversations").handler(api::conversations);
    router.get("/api/clients").handler(api::clients);
    router.post("/api/users/:user/kick").handler(adminFirst).handler(body).handler(api::kick);
  }

  /**
   * Buffers a body of at most {@code limit} bytes in memory. Vert.x's default writes every part of
   * a multipart request to {@code ./file-uploads} and never deletes it, before any token is
   * looked at: anyone could fill the node's disk.
   */
  public static BodyHandler bodyHandler(long limit) {
    return BodyHandler.create(false).setBodyLimit(limit);
  }

  private void publish(RoutingContext ctx) {
    String room = ctx.pathParam("room");
    callers.caller(ctx).onSuccess(who -> {
      if (!Names.isJoinableRoom(room)) {
        HttpErrors.send(ctx, 400, "bad_request", "'" + room + "' is not a room programs can publish to");
      } else if (Names.isSystemRoom(room)) {
        // a valid name the token cannot write to, whatever its roles: as a member's publish there
        HttpErrors.send(ctx, 403, "forbidden", "room '" + room + "' is written by the service only");
      } else if (!node.grants().mayPublish(who, room)) {
        HttpErrors.send(ctx, 403, "forbidden", "the token does not grant room '" + room + "'");
      } else {
        JsonObject body = bodyOf(ctx);
        send(ctx, who, Addresses.LOCAL_PUBLISH, body == null ? null : body.put("room", room), false);
      }
    });
  }

  private void sendPrivate(RoutingContext ctx) {
    String user = ctx.pathParam("user");
    callers.caller(ctx).onSuccess(who -> {
      JsonObject body = Names.isUser(user) ? bodyOf(ctx) : null;
      if (!Names.isUser(user)) {
        HttpErrors.send(ctx, 400, "bad_request", "'" + user + "' is not a user id");
      } else if (who.rooms() != null && body != null && body.getValue("from") instanceof String from && !who.user().equals(from)) {
        // a token limited to some rooms does not reach other people's conversations: as any
        // from, it would write into every dm: room of the cluster under any name (a from that
        // is not a string is the body's problem: 400 below, as for any token)
        HttpErrors.send(ctx, 403, "forbidden", "a token limited to rooms sends private messages as its own user ('"
            + who.user() + "') only");
      } else {
        send(ctx, who, Addresses.LOCAL_PRIVATE, body == null ? null : body.put("to", user), true);
      }
    });
  }

  private void send(RoutingContext ctx, Identity who, String address, JsonObject request, boolean isPrivate) {
    if (request == null) {
      HttpErrors.send(ctx, 400, "bad_request", "the body must be a JSON object");
      return;
    }
    ApiMessages.Problem problem = ApiMessages.problem(request, isPrivate, node.config().limits().maxTextChars(),
        node.config().limits().maxFrameBytes());
    if (problem != null) {
      HttpErrors.send(ctx, ApiReplies.status(problem.code()), problem.code().wire(), problem.message());
      return;
    }
    if (callers.refused(ctx, callers.bucketOf(who.user()), node.config().limits().rate() + " messages")) {
      return;
    }
    // new rooms and conversations come out of the caller's budget, as a user's do (RoomService)
    request(address, ApiMessages.normalized(request).put("caller", who.user())).onComplete(ar -> ApiReplies.reply(ctx, ar.map(r -> {
      JsonObject out = new JsonObject().put("room", r.getString("room")).put("seq", r.getLong("seq"))
          .put("ts", r.getString("ts"));
      return isPrivate ? out.put("online", r.getBoolean("online")) : out;
    }).map(JsonObject::encode)));
  }

  private void rooms(RoutingContext ctx) {
    // the list holds no system room, so a token's rooms claim is the one grant that narrows it
    // (Grants.mayJoin): the room service looks those up rather than the API filtering them all
    callers.reading(ctx, callers.caller(ctx)).onSuccess(who -> request(Addresses.LOCAL_ROOMS, who.rooms() == null ? new JsonObject()
        : new JsonObject().put("only", new JsonArray(new java.util.ArrayList<>(who.rooms()))))
        .onComplete(ar -> ApiReplies.reply(ctx, ar.map(r -> r.getString("rooms")))));
  }

  private void members(RoutingContext ctx) {
    String room = ctx.pathParam("room");
    // cut as a connection's members reply is (the first members by user id, count still counting
    // all): every member of a room of 100 000 was a 5 MB answer built on the room's partition
    callers.reading(ctx, callers.readable(ctx, room, false)).onSuccess(who -> withinNodeBudget(ctx, budget.memberBytes(), () ->
        request(Addresses.LOCAL_MEMBERS, new JsonObject().put("room", room).put("memberBytes", budget.memberBytes()))
            .map(r -> FrameEncoder.members(null, room, NodeReplies.members(r.getJsonArray("members")), r.getInteger("count")))));
  }

  private void history(RoutingContext ctx) {
    String room = ctx.pathParam("room");
    Long before = seqParam(ctx, "before");
    Long after = seqParam(ctx, "after");
    Long limit = seqParam(ctx, "limit");
    // who asks comes first: a caller without a valid token learns 401, not what its query lacks
    callers.reading(ctx, callers.readable(ctx, room, true)).onSuccess(who -> {
      if (before == -2 || after == -2 || limit == -2 || (limit != -1 && (limit < 1 || limit > 100))
          || (before != -1 && after != -1)) {
        HttpErrors.send(ctx, 400, "bad_request", "before or after (not both) is a non-negative integer; limit is an"
            + " integer from 1 to 100; each at most once");
        return;
      }
      // a page keeps within what a connection's would (more says what was left out): 100 stored
      // messages of 64 KiB were a 6 MB answer
      withinNodeBudget(ctx, budget.messageBytes(), () -> request(Addresses.LOCAL_HISTORY, Addresses.historyRequest(room,
              before == -1 ? null : before, after == -1 ? null : after,
              limit == -1 ? CommandDecoder.DEFAULT_HISTORY : limit.intValue()).put("messageBytes", budget.messageBytes()))
          .map(r -> FrameEncoder.history(null, room, NodeReplies.strings(r.getJsonArray("messages")), r.getBoolean("more"))));
    });
  }

  /**
   * The caller's own private conversations, as a connection's {@code conversations} read lists
   * them ({@code ?limit=} 1 to 100, 50 when absent): a program that writes privately under its
   * token's user finds who answered. Another user's are {@code forbidden}, as their histories are.
   */
  private void conversations(RoutingContext ctx) {
    String user = ctx.pathParam("user");
    Long limit = seqParam(ctx, "limit");
    // as for a connection; a limit out of range (answered 400) costs one token, as any read
    int cost = Buckets.conversationsReadCost(limit == -1 ? CommandDecoder.DEFAULT_CONVERSATIONS
        : (int) Math.max(1, Math.min(limit, CommandDecoder.MAX_CONVERSATIONS)));
    callers.reading(ctx, callers.caller(ctx), cost).onSuccess(who -> {
      if (!Names.isUser(user) || limit == -2 || (limit != -1 && (limit < 1 || limit > CommandDecoder.MAX_CONVERSATIONS))) {
        HttpErrors.send(ctx, 400, "bad_request", "a user id in the path; limit is an integer from 1 to 100");
      } else if (!user.equals(who.user())) {
        HttpErrors.send(ctx, 403, "forbidden", "a token reads its own user's conversations only");
      } else {
        withinNodeBudget(ctx, budget.messageBytes(), () -> request(Addresses.LOCAL_CONVERSATIONS, new JsonObject()
                .put("user", user).put("limit", limit == -1 ? CommandDecoder.DEFAULT_CONVERSATIONS : limit.intValue())
                .put("messageBytes", budget.messageBytes()))
            .map(r -> FrameEncoder.conversations(null, NodeReplies.objects(r.getJsonArray("conversations")),
                r.getBoolean("more"))));
      }
    });
  }

  /** {@code ?user=} only that user's connections; {@code ?limit=} 1 to 10 000 listed (default 1 000). */
  private void clients(RoutingContext ctx) {
    // read here, not in the callback: a broken %-escape throws, and thrown in a future's
    // callback it was swallowed and the request never answered
    String user = ctx.queryParams().get("user");
    long limit = seqParam(ctx, "limit"); // -1 absent, -2 not a non-negative integer
    callers.reading(ctx, callers.admin(ctx)).onSuccess(who -> {
      if ((user != null && !Names.isUser(user)) || limit == -2 || limit == 0 || limit > 10_000) {
        HttpErrors.send(ctx, 400, "bad_request", "user must be a user id, limit an integer from 1 to 10000");
        return;
      }
      JsonObject question = new JsonObject().put("limit", limit == -1 ? 1_000 : (int) limit);
      if (user != null) {
        question.put("user", user);
      }
      request(Addresses.LOCAL_CLIENTS, question).onComplete(ar -> ApiReplies.reply(ctx, ar.map(JsonObject::encode)));
    });
  }

  private void kick(RoutingContext ctx) {
    String user = ctx.pathParam("user");
    callers.admin(ctx).onSuccess(who -> {
      // no body at all (no Content-Length, as curl sends a bare POST) is -1: as optional as an empty one
      JsonObject body = ctx.body().length() <= 0 ? new JsonObject() : bodyOf(ctx);
      if (!Names.isUser(user) || body == null || (body.getValue("reason") != null && !(body.getValue("reason") instanceof String))) {
        HttpErrors.send(ctx, 400, "bad_request", "a user id in the path, and an optional {\"reason\":\"…\"}");
        return;
      }
      String reason = "by " + who.user() + (body.getString("reason") == null ? "" : ": " + body.getString("reason"));
      request(Addresses.LOCAL_KICK, new JsonObject().put("user", user).put("reason", reason))
          .onComplete(ar -> ApiReplies.reply(ctx, ar.map(JsonObject::encode)));
    });
  }

  /**
   * Answers with what {@code read} builds (of up to {@code most} bytes of messages or members),
   * within the node's budget for read replies, shared with its connections ({@code ReadBytes});
   * 429 with Retry-After when that is spent.
   */
  private void withinNodeBudget(RoutingContext ctx, long most, java.util.function.Supplier<Future<String>> read) {
    long now = io.switchboard.ops.Clocks.monotonicMillis();
    long reserved = node.readBytes().reserve(now, most);
    if (reserved == 0) {
      node.metrics().rateLimited();
      long wait = node.readBytes().waitMs(now);
      HttpErrors.rateLimited(ctx, wait, node.readBytes().refusal("callers") + "; retry in " + wait + " ms");
      return;
    }
    node.readBytes().settledWhenBuilt(reserved, read.get())
        .onComplete(ar -> ApiReplies.reply(ctx, ar));
  }

  private Future<JsonObject> request(String address, JsonObject body) {
    return vertx.eventBus().<JsonObject>request(address, body, ApiReplies.API_REQUEST).map(m -> m.body());
  }

  private static JsonObject bodyOf(RoutingContext ctx) {
    try {
      return io.switchboard.protocol.StrictJson.object(ctx.body().buffer());
    } catch (RuntimeException e) {
      return null;
    }
  }

  /**
   * -1 when absent, -2 when not a non-negative integer written in ASCII digits, given once, as a
   * frame's JSON number is (Long.parseLong also takes "+5", other scripts' digits, and an empty
   * or repeated parameter was read as absent or as its first value).
   */
  private static Long seqParam(RoutingContext ctx, String name) {
    java.util.List<String> given = ctx.queryParams().getAll(name);
    if (given.isEmpty()) {
      return -1L;
    }
    String raw = given.get(0);
    if (given.size() > 1 || raw.isEmpty() || raw.length() > 19 || !raw.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return -2L;
    }
    try {
      return Long.parseLong(raw);
    } catch (NumberFormatException e) {
      return -2L; // past a long
    }
  }
}
