package io.switchboard.room;

import io.switchboard.Addresses;
import io.switchboard.protocol.ApiMessages;
import io.switchboard.protocol.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * The room side of a node (one instance per node): serves {@link RoomService} on the node-local
 * event bus addresses (for the HTTP API) and to programs over
 * {@link Addresses#PUBLISH} and {@link Addresses#PRIVATE}, receives what other nodes fan out to
 * this one, and runs the node's periodic work: presence reconciliation, clean-up after a node's
 * death, the metrics tick, and the watch on who observes which room.
 */
public final class RoomVerticle extends VerticleBase {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RoomVerticle.class);
  private static final io.switchboard.ops.ThrottledLog PUBLISHED = new io.switchboard.ops.ThrottledLog(LOG);

  private final RoomService rooms;
  private final RoomStore store;
  private final RoomObservers observers;
  private final io.switchboard.NodeServices node;
  private final com.hazelcast.core.HazelcastInstance hazelcast;
  private io.switchboard.presence.NodeDeaths deaths;
  private io.switchboard.presence.PresenceReconciler reconciler;
  private io.switchboard.ops.MetricsTicker ticker;

  public RoomVerticle(com.hazelcast.core.HazelcastInstance hazelcast, RoomStore store, RoomService rooms,
                      io.switchboard.NodeServices node) {
    this.hazelcast = hazelcast;
    this.store = store;
    this.rooms = rooms;
    this.observers = rooms.observers();
    this.node = node;
  }

  @Override
  public Future<?> start() {
    EventBus bus = vertx.eventBus();
    String nodeId = node.nodeId();
    Fanout fanout = rooms.fanout();
    List<MessageConsumer<?>> consumers = new ArrayList<>(List.of(
        bus.<JsonObject>localConsumer(Addresses.LOCAL_JOIN, serve(rooms::join)),
        bus.<JsonObject>localConsumer(Addresses.LOCAL_LEAVE, serve(rooms::leave)),
        bus.<JsonObject>localConsumer(Addresses.LOCAL_PUBLISH, serve(rooms::publish)),
        bus.<JsonObject>localConsumer(Addresses.LOCAL_PRIVATE, serve(rooms::sendPrivate)),
        bus.<JsonObject>localConsumer(Addresses.LOCAL_HISTORY, serve(rooms::history)),
        bus.<JsonObject>localConsumer(Addresses.LOCAL_MEMBERS, serve(rooms::members)),
        bus.<JsonObject>localConsumer(Addresses.LOCAL_CONVERSATIONS, serve(rooms::conversations)),
        bus.<JsonObject>localConsumer(Addresses.LOCAL_ROOMS, serve(rooms::occupiedRooms)),
        bus.<String>consumer(Addresses.node(nodeId), fanout::receive)));
    consumers.addAll(new ClusterAdmin(vertx, hazelcast, node.router(), nodeId).register(bus));
    deaths = new io.switchboard.presence.NodeDeaths(context, hazelcast, store, node.users(), fanout, node.router());
    // a sweep scans every user and room: every fourth round is enough for what should not happen
    deaths.watch(4 * node.config().presence().reconcileInterval());
    reconciler = new io.switchboard.presence.PresenceReconciler(vertx, context, nodeId, node.router(), store,
        node.users(), fanout, node.config().limits().maxConnectionsPerUser());
    reconciler.start(node.config().presence().reconcileInterval());
    ticker = new io.switchboard.ops.MetricsTicker(vertx, node, store, fanout, hazelcast);
    ticker.start();
    List<Future<?>> ready = new ArrayList<>(consumers.stream().map(MessageConsumer::completion).toList());
    // the programs' addresses once the observers are known: a message taken before went to the
    // room's members but never to its observers, for good (only the node that took it tells them)
    ready.add(observers.start().compose(v -> Future.all(
        bus.<Object>consumer(Addresses.PUBLISH, msg -> api(msg, false)).completion(),
        bus.<Object>consumer(Addresses.PRIVATE, msg -> api(msg, true)).completion())));
    ready.add(store.countAtStart().recover(e -> {
      LOG.warn("counting the cluster's rooms at the start failed; the first rounds will: {}", e.toString());
      return Future.succeededFuture();
    }));
    return Future.all(ready);
  }

  @Override
  public Future<?> stop() {
    deaths.unwatch();
    reconciler.stop();
    ticker.stop();
    // removing a map listener is a call to every member: not on the event loop, and not waited
    // for past a second, for it waits on a member that does not answer until it is declared dead
    // (cluster.failureTimeout), which would use up the shutdown's time before the member leaves
    return vertx.executeBlocking(() -> {
      observers.stop();
      return null;
    }, false).timeout(1, java.util.concurrent.TimeUnit.SECONDS).recover(e -> {
      LOG.warn("shutdown: the observers' listener was not removed within 1 s ({}); going on", e.toString());
      return io.vertx.core.Future.succeededFuture();
    });
  }

  /** Answers a request with the service's answer, or fails it with the service's error code. */
  private static io.vertx.core.Handler<Message<JsonObject>> serve(
      java.util.function.Function<JsonObject, Future<JsonObject>> handler) {
    return msg -> handler.apply(msg.body() == null ? new JsonObject() : msg.body()).onComplete(ar -> reply(msg, ar));
  }

  private static void reply(Message<?> msg, io.vertx.core.AsyncResult<JsonObject> ar) {
    if (ar.succeeded()) {
      msg.reply(ar.result());
    } else if (ar.cause() instanceof RoomService.CreationRefused r) {
      msg.reply(r); // as it is, on the local bus: the server API reads its retryAfterMs
    } else if (ar.cause() instanceof ReplyException r) {
      msg.fail(r.failureCode(), r.getMessage());
    } else {
      msg.fail(ErrorCode.INTERNAL.failureCode(), "unexpected failure");
    }
  }

  /**
   * A program's request refused: the failure carries the error code twice, as its number
   * ({@code failureCode}) and as the wire code that starts its message ("bad_request: …"),
   * for PROTOCOL.md's "a failure with the error code" names the code, not a number.
   */
  private static void refuse(Message<?> msg, ErrorCode code, String why) {
    msg.fail(code.failureCode(), code.wire() + ": " + why);
  }

  /** The event bus API: the same storage and fan-out, with {@code via: api} and the given sender. */
  private void api(Message<Object> msg, boolean isPrivate) {
    if (!msg.isSend()) {
      // published, not sent: every node's consumer has it, and each would store its own copy
      // under its own seq, with nobody to tell (a publish takes no reply)
      PUBLISHED.warn("a message published to {} was dropped: send it as a request, which one node stores and answers",
          msg.address());
      return;
    }
    Object body;
    try {
      body = msg.body();
    } catch (RuntimeException e) {
      // from another member, the body is parsed here, under Jackson's read limits (a number of
      // over 1 000 digits, a name of over 50 000 chars), which its sender did not apply: thrown
      // on, it left the sender waiting for its timeout, which the server API reads as "maybe stored"
      refuse(msg, ErrorCode.BAD_REQUEST, "the body could not be read as JSON: " + e.getMessage());
      return;
    }
    if (!(body instanceof JsonObject b)) {
      // a string of JSON, a buffer, nothing: answered, where a cast would have left the sender waiting
      refuse(msg, ErrorCode.BAD_REQUEST, "the body must be a JsonObject, got "
          + (body == null ? "none" : body.getClass().getSimpleName()));
      return;
    }
    ApiMessages.Problem problem = ApiMessages.problem(b, isPrivate, node.config().limits().maxTextChars(),
        node.config().limits().maxFrameBytes());
    if (problem != null) {
      refuse(msg, problem.code(), problem.message());
      return;
    }
    JsonObject request = ApiMessages.normalized(b);
    (isPrivate ? rooms.sendPrivate(request) : rooms.publish(request)).onComplete(ar -> {
      if (ar.succeeded()) {
        msg.reply(ar.result());
      } else if (ar.cause() instanceof ReplyException r) {
        refuse(msg, ErrorCode.ofFailureCode(r.failureCode()), r.getMessage());
      } else {
        refuse(msg, ErrorCode.INTERNAL, "unexpected failure");
      }
    });
  }
}
