package io.switchboard.room;

import io.switchboard.Addresses;
import io.switchboard.presence.UserDirectory;
import io.switchboard.protocol.ApiMessages;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.FrameEncoder;
import io.switchboard.protocol.FrameEncoder.MessageTemplate;
import io.switchboard.protocol.Names;
import io.switchboard.protocol.NodeReplies;
import io.switchboard.protocol.Timestamps;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The room side of a node (one instance per node): stores messages in the room logs, fans them
 * out to the nodes with members, answers joins, leaves, history and members, and receives what
 * other nodes fan out to this one. Gateways reach it over node-local addresses; programs over
 * {@link Addresses#PUBLISH} and {@link Addresses#PRIVATE}.
 */
public final class RoomVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(RoomVerticle.class);

  private final RoomStore store;
  private final UserDirectory users;
  private final NodeRouter router;
  private final String nodeId;
  private final int maxTextChars;
  private Fanout fanout;
  private io.switchboard.presence.NodeDeaths deaths;
  private io.switchboard.presence.PresenceReconciler reconciler;
  private final long reconcileInterval;
  private final int maxPerUser;

  private final com.hazelcast.core.HazelcastInstance hazelcast;

  private final io.switchboard.ops.NodeMetrics metrics;

  private final io.switchboard.NodeServices node;
  private RoomObservers observers;
  private io.switchboard.ops.MetricsTicker ticker;

  public RoomVerticle(com.hazelcast.core.HazelcastInstance hazelcast, RoomStore store, io.switchboard.NodeServices node) {
    this.node = node;
    this.maxPerUser = node.config().limits().maxConnectionsPerUser();
    this.reconcileInterval = node.config().presence().reconcileInterval();
    this.hazelcast = hazelcast;
    this.metrics = node.metrics();
    this.maxTextChars = node.config().limits().maxTextChars();
    this.store = store;
    this.users = node.users();
    this.router = node.router();
    this.nodeId = node.nodeId();
  }

  public Fanout fanout() {
    return fanout;
  }

  @Override
  public Future<?> start() {
    EventBus bus = vertx.eventBus();
    fanout = new Fanout(bus, nodeId, router);
    List<MessageConsumer<?>> consumers = new ArrayList<>(List.of(
        bus.<JsonObject>localConsumer(Addresses.LOCAL_JOIN, guarded(this::join)),
        bus.<JsonObject>localConsumer(Addresses.LOCAL_LEAVE, guarded(this::leave)),
        bus.<JsonObject>localConsumer(Addresses.LOCAL_PUBLISH, guarded(this::publish)),
        bus.<JsonObject>localConsumer(Addresses.LOCAL_PRIVATE, guarded(this::sendPrivate)),
        bus.<JsonObject>localConsumer(Addresses.LOCAL_HISTORY, guarded(this::history)),
        bus.<JsonObject>localConsumer(Addresses.LOCAL_MEMBERS, guarded(this::members)),
        bus.<JsonObject>localConsumer(Addresses.LOCAL_ROOMS, guarded(this::occupiedRooms)),
        bus.<String>consumer(Addresses.node(nodeId), fanout::receive),
        bus.<JsonObject>consumer(Addresses.PUBLISH, msg -> api(msg, false)),
        bus.<JsonObject>consumer(Addresses.PRIVATE, msg -> api(msg, true))));
    consumers.addAll(new ClusterAdmin(vertx, hazelcast, router, nodeId).register(bus));
    deaths = new io.switchboard.presence.NodeDeaths(context, hazelcast, store, users, fanout, router);
    deaths.watch();
    reconciler = new io.switchboard.presence.PresenceReconciler(vertx, context, nodeId, router, store, users, fanout,
        maxPerUser);
    reconciler.start(reconcileInterval);
    ticker = new io.switchboard.ops.MetricsTicker(vertx, node, store, fanout, hazelcast);
    ticker.start();
    observers = new RoomObservers(vertx, hazelcast);
    List<Future<?>> ready = new ArrayList<>(consumers.stream().map(MessageConsumer::completion).toList());
    ready.add(observers.start());
    return Future.all(ready);
  }

  @Override
  public Future<?> stop() {
    deaths.unwatch();
    if (observers != null) {
      observers.stop();
    }
    reconciler.stop();
    ticker.stop();
    return Future.succeededFuture();
  }

  /** A bug in a handler answers {@code internal} instead of leaving the caller to time out. */
  private static io.vertx.core.Handler<Message<JsonObject>> guarded(io.vertx.core.Handler<Message<JsonObject>> handler) {
    return msg -> {
      try {
        handler.handle(msg);
      } catch (com.hazelcast.core.HazelcastException e) {
        // thrown at once (not through the future) when the member is shutting down or gone
        LOG.warn("{}: cluster unavailable: {}", msg.address(), e.toString());
        msg.fail(ErrorCode.UNAVAILABLE.ordinal(), "the cluster could not complete the request now; retry later");
      } catch (RuntimeException e) {
        LOG.error("{} failed", msg.address(), e);
        msg.fail(ErrorCode.INTERNAL.ordinal(), "unexpected failure");
      }
    };
  }

  private void join(Message<JsonObject> msg) {
    JsonObject b = msg.body();
    String room = b.getString("room");
    JsonObject since = b.getJsonObject("since");
    boolean count = b.getBoolean("count", true);
    store.join(room, b.getString("user"), b.getString("name"), nodeId, count,
            since == null ? -1 : since.getLong("seq"), since == null ? null : since.getString("epoch"),
            b.getInteger("history"))
        .onSuccess(r -> {
          if (count && r.edge()) {
            String frame = FrameEncoder.presence(room, "join", b.getString("user"), b.getString("name"), r.count());
            fanout.send(r.nodes(), NodeRouter.Kind.EVENT, room, 0, frame, b.getString("session"));
          }
          JsonObject reply = new JsonObject()
              .put("epoch", r.epoch())
              .put("seq", r.seq())
              .put("recovered", r.recovered())
              .put("messages", new JsonArray(new ArrayList<Object>(r.messages())))
              .put("members", NodeReplies.members(r.members()));
          msg.reply(reply);
        })
        .onFailure(e -> unavailable(msg, e));
  }

  private void leave(Message<JsonObject> msg) {
    JsonObject b = msg.body();
    String room = b.getString("room");
    String user = b.getString("user");
    store.leave(room, user, nodeId)
        .onSuccess(r -> {
          if (r.edge()) {
            String frame = FrameEncoder.presence(room, "leave", user, r.name(), r.count());
            fanout.send(r.nodes(), NodeRouter.Kind.EVENT, room, 0, frame, null);
          }
          msg.reply(new JsonObject());
        })
        .onFailure(e -> unavailable(msg, e));
  }

  private void publish(Message<JsonObject> msg) {
    JsonObject b = msg.body();
    String room = b.getString("room");
    long t0 = System.nanoTime();
    String ts = Timestamps.now();
    MessageTemplate template = FrameEncoder.message(room, b.getString("from"), b.getString("name"), null,
        b.getString("text"), b.getJsonObject("data"), b.getBoolean("api", false), ts);
    store.append(room, template)
        .onSuccess(r -> {
          String frame = template.withSeq(r.seq());
          fanout.send(r.nodes(), NodeRouter.Kind.MESSAGE, room, r.seq(), frame, r.epoch());
          String observer = Addresses.room(room);
          if (observers.observed(observer)) {
            vertx.eventBus().publish(observer, observed(b, room, r.seq(), ts));
          }
          msg.reply(new JsonObject().put("room", room).put("seq", r.seq()).put("ts", ts));
          metrics.messageIn();
          metrics.publishAcked(System.nanoTime() - t0);
        })
        .onFailure(e -> unavailable(msg, e));
  }

  private void sendPrivate(Message<JsonObject> msg) {
    JsonObject b = msg.body();
    String from = b.getString("from");
    String to = b.getString("to");
    String room = Names.conversation(from, to);
    String ts = Timestamps.now();
    MessageTemplate template = FrameEncoder.message(room, from, b.getString("name"), to, b.getString("text"),
        b.getJsonObject("data"), b.getBoolean("api", false), ts);
    Set<String> both = Set.of(from, to);
    Future<RoomReply> stored = store.append(room, template);
    Future<java.util.Map<String, ArrayList<String>>> located = users.locate(both);
    Future.all(stored, located)
        .onSuccess(all -> {
          long seq = stored.result().seq();
          Set<String> nodes = new HashSet<>(UserDirectory.nodesOf(located.result(), from));
          List<String> recipientNodes = UserDirectory.nodesOf(located.result(), to);
          nodes.addAll(recipientNodes);
          fanout.send(nodes, NodeRouter.Kind.PRIVATE, room, seq, template.withSeq(seq), stored.result().epoch());
          msg.reply(new JsonObject().put("room", room).put("seq", seq).put("ts", ts)
              .put("online", !recipientNodes.isEmpty()));
          metrics.messageIn();
        })
        .onFailure(e -> unavailable(msg, e));
  }

  private void history(Message<JsonObject> msg) {
    JsonObject b = msg.body();
    store.history(b.getString("room"), b.getLong("before"), b.getLong("after"), b.getInteger("limit"))
        .onSuccess(r -> msg.reply(new JsonObject()
            .put("messages", new JsonArray(new ArrayList<Object>(r.messages())))
            .put("firstSeq", r.firstSeq())
            .put("more", r.more())))
        .onFailure(e -> unavailable(msg, e));
  }

  private void members(Message<JsonObject> msg) {
    store.members(msg.body().getString("room"))
        .onSuccess(r -> msg.reply(new JsonObject().put("members", NodeReplies.members(r.members()))))
        .onFailure(e -> unavailable(msg, e));
  }

  private void occupiedRooms(Message<JsonObject> msg) {
    store.occupied()
        .onSuccess(rooms -> {
          JsonArray list = new JsonArray();
          rooms.entrySet().stream()
              .filter(e -> !Names.isSystemRoom(e.getKey()) && !Names.isConversation(e.getKey()))
              .sorted(java.util.Map.Entry.comparingByKey())
              .forEach(e -> list.add(new JsonObject().put("room", e.getKey()).put("count", e.getValue())));
          msg.reply(new JsonObject().put("rooms", list));
        })
        .onFailure(e -> unavailable(msg, e));
  }

  /** The event bus API: the same storage and fan-out, with {@code via: api} and the given sender. */
  private void api(Message<JsonObject> msg, boolean isPrivate) {
    JsonObject b = msg.body() == null ? new JsonObject() : msg.body();
    ApiMessages.Problem problem = ApiMessages.problem(b, isPrivate, maxTextChars);
    if (problem != null) {
      msg.fail(problem.code().ordinal(), problem.message());
      return;
    }
    JsonObject request = ApiMessages.normalized(b);
    vertx.eventBus().<JsonObject>request(isPrivate ? Addresses.LOCAL_PRIVATE : Addresses.LOCAL_PUBLISH, request,
            Addresses.LOCAL_REQUEST)
        .onSuccess(r -> msg.reply(r.body()))
        .onFailure(e -> msg.fail(ErrorCode.UNAVAILABLE.ordinal(), e.getMessage()));
  }

  private static JsonObject observed(JsonObject b, String room, long seq, String ts) {
    JsonObject m = new JsonObject().put("type", "message").put("room", room).put("seq", seq)
        .put("from", b.getString("from")).put("name", b.getString("name"));
    if (b.getString("text") != null) {
      m.put("text", b.getString("text"));
    }
    if (b.getJsonObject("data") != null) {
      m.put("data", b.getJsonObject("data"));
    }
    if (b.getBoolean("api", false)) {
      m.put("via", "api");
    }
    return m.put("ts", ts);
  }

  private void unavailable(Message<JsonObject> msg, Throwable e) {
    LOG.warn("cluster storage failed for {}: {}", msg.address(), e.toString());
    msg.fail(ErrorCode.UNAVAILABLE.ordinal(), "the cluster could not complete the request now; retry later");
  }
}
