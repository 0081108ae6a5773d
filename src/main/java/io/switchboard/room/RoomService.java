package io.switchboard.room;

import io.switchboard.Addresses;
import io.switchboard.ops.NodeMetrics;
import io.switchboard.presence.UserDirectory;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.FrameEncoder;
import io.switchboard.protocol.FrameEncoder.MessageTemplate;
import io.switchboard.protocol.NodeReplies;
import io.switchboard.protocol.Timestamps;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a node does for a room request, whoever asks: store in the room's log, fan out to the
 * nodes with members, answer joins, leaves, history and members. Gateways call it directly, on
 * their own event loop, so that a publish goes to Hazelcast and back without passing through
 * another thread; the {@link RoomVerticle} serves the same methods on the node-local event bus
 * addresses for the HTTP API and programs. Requests and answers are the event bus bodies of
 * {@link Addresses}; a failure is a {@link ReplyException} carrying the {@link ErrorCode}, as the
 * event bus would deliver it. Holds no state of its own: safe to call from any context.
 */
public final class RoomService {

  private static final Logger LOG = LoggerFactory.getLogger(RoomService.class);
  /**
   * Apart from PrivateMessages' FAILURES: a storm of those must not hide these, which leave
   * presence wrong until reconciled.
   */
  private static final io.switchboard.ops.ThrottledLog NOT_UNDONE = new io.switchboard.ops.ThrottledLog(LOG);

  private final Vertx vertx;
  private final RoomStore store;
  private final Fanout fanout;
  private final RoomObservers observers;
  private final NodeMetrics metrics;
  private final String nodeId;
  private final CreationGate creations;
  private final RequestDeadline deadline;
  private final PrivateMessages privates;

  public RoomService(Vertx vertx, com.hazelcast.core.HazelcastInstance hazelcast, RoomStore store,
                     UserDirectory users, NodeRouter router, NodeMetrics metrics, String nodeId,
                     io.switchboard.config.Config.Limits limits) {
    this.vertx = vertx;
    this.deadline = new RequestDeadline(vertx);
    this.creations = new CreationGate(limits, metrics);
    this.store = store;
    this.fanout = new Fanout(vertx.eventBus(), nodeId, router, limits.nodeBacklogBytes(), metrics);
    this.observers = new RoomObservers(vertx, hazelcast);
    this.metrics = metrics;
    this.nodeId = nodeId;
    this.privates = new PrivateMessages(vertx, hazelcast, store, users, fanout, observers, metrics, nodeId, creations);
  }

  Fanout fanout() {
    return fanout;
  }

  /** Started and stopped with the {@link RoomVerticle}. */
  RoomObservers observers() {
    return observers;
  }

  /**
   * {room, user, name, session, count, history, since?, messageBytes?, memberBytes?} → {epoch,
   * seq, recovered, messages, members, count}: the messages keep within {@code messageBytes}
   * ({@link HistoryWindow}), {@code members} lists the first members that fit in
   * {@code memberBytes} bytes (all without them), {@code count} counts them all.
   */
  public Future<JsonObject> join(JsonObject b) {
    return deadline.answer("join", b, this::doJoin, joined -> {
      if (!b.getBoolean("count", true)) {
        return Future.succeededFuture();
      }
      // the caller was told unavailable and does not hold the connection in the room: a join
      // that still went through would keep the user listed (and counted) until reconciled
      return doLeave(new JsonObject().put("room", b.getString("room")).put("user", b.getString("user")))
          .onFailure(e -> NOT_UNDONE.warn("a join answered too late was not undone in {}: {}", b.getString("room"),
              e.toString()));
    });
  }

  /**
   * The {@code unavailable} of a request that the node gave up waiting for while the cluster may
   * still be running it: {@link #settled} completes once the cluster answered (and a join that
   * went through after all was undone), so that the caller can keep the change "under way" till then.
   */
  public static final class Unsettled extends ReplyException {
    private final transient Future<Void> settled;

    Unsettled(String message, Future<Void> settled) {
      super(ReplyFailure.RECIPIENT_FAILURE, ErrorCode.UNAVAILABLE.failureCode(), message);
      this.settled = settled;
    }

    public Future<Void> settled() {
      return settled;
    }
  }

  /** {room, user} → {}. */
  public Future<JsonObject> leave(JsonObject b) {
    return answer("leave", b, this::doLeave);
  }

  /** {room, from, name, text?, data?, api?} → {room, seq, ts}. */
  public Future<JsonObject> publish(JsonObject b) {
    return answer("publish", b, r -> doPublish(r, List.of(r)).map(a -> {
      a.remove("firstSeq");
      return a;
    }));
  }

  /**
   * {room, from, name, messages: [{text?, data?}]} → {room, firstSeq, seq, ts}: a connection's
   * publishes that queued up, stored in their order by one operation, seqs firstSeq..seq.
   */
  public Future<JsonObject> publishAll(JsonObject b) {
    return answer("publish", b, r -> {
      JsonArray messages = r.getJsonArray("messages");
      List<JsonObject> list = new ArrayList<>(messages.size());
      for (int i = 0; i < messages.size(); i++) {
        list.add(messages.getJsonObject(i));
      }
      return doPublish(r, list);
    });
  }

  /** {from, name, to, text?, data?, api?} → {room, seq, ts, online}. */
  public Future<JsonObject> sendPrivate(JsonObject b) {
    return answer("private", b, privates::send);
  }

  /**
   * Where each room's log ends (epoch, last seq), for the streams of a gateway after a node died:
   * a call per partition; those that do not answer within the store's window are left out.
   */
  public Future<Map<String, Map.Entry<String, Long>>> tails(Set<String> rooms) {
    return store.tails(rooms, RoomStore.STORE_WINDOW_MS);
  }

  /**
   * {room, before, after, limit, messageBytes?} (see {@link Addresses#historyRequest}) → {messages,
   * firstSeq, more, epoch, seq}: the log read ("" when the room has none) and where it ends.
   */
  public Future<JsonObject> history(JsonObject b) {
    return answer("history", b, this::doHistory);
  }

  /** {room, memberBytes?} → {members, count}: as for {@link #join}. */
  public Future<JsonObject> members(JsonObject b) {
    return answer("members", b, this::doMembers);
  }

  /**
   * {only?} → {rooms}: the rooms with members, cluster-wide, system rooms and conversations left
   * out, as the JSON text {@code [{"room","count"}, …]} sorted by name; only those named in
   * {@code only} when it is given.
   */
  public Future<JsonObject> occupiedRooms(JsonObject b) {
    return answer("rooms", b, this::doOccupiedRooms);
  }

  /**
   * {user, limit, messageBytes} → {conversations: [{room, with, last}], more}: the user's private
   * conversations, the one with the newest message first, each with that message. Those whose
   * log holds no message (removed after a long silence) are left out. The messages keep within
   * {@code messageBytes} together; {@code more} says that conversations were left out for it or
   * for the limit.
   */
  public Future<JsonObject> conversations(JsonObject b) {
    return answer("conversations", b, privates::conversations);
  }

  /** Every request's one failure path (see {@link RequestDeadline}). */
  private Future<JsonObject> answer(String what, JsonObject b, Function<JsonObject, Future<JsonObject>> handler) {
    return deadline.answer(what, b, handler, null);
  }

  private Future<JsonObject> doJoin(JsonObject b) {
    String room = b.getString("room");
    String user = b.getString("user");
    JsonObject since = b.getJsonObject("since");
    boolean count = b.getBoolean("count", true);
    boolean create = creations.take(user);
    return creations.refundOnFailure(store.join(room, user, b.getString("name"), nodeId, count,
            since == null ? -1 : since.getLong("seq"), since == null ? null : since.getString("epoch"),
            b.getInteger("history"), b.getLong("messageBytes", 0L), b.getLong("memberBytes", 0L), create), user, create)
        .compose(r -> creations.made(r, user, create, ErrorCode.LIMIT))
        .map(r -> {
          if (count && r.edge()) {
            String frame = FrameEncoder.presence(room, "join", b.getString("user"), b.getString("name"), r.count());
            fanout.send(r.nodes(), NodeRouter.Kind.EVENT, room, 0, frame, null);
          }
          return new JsonObject()
              .put("epoch", r.epoch())
              .put("seq", r.seq())
              .put("recovered", r.recovered())
              .put("messages", new JsonArray(new ArrayList<Object>(r.messages())))
              .put("members", NodeReplies.members(r.members()))
              .put("count", r.count());
        });
  }

  private Future<JsonObject> doLeave(JsonObject b) {
    String room = b.getString("room");
    String user = b.getString("user");
    return store.leave(room, user, nodeId).map(r -> {
      if (r.edge()) {
        String frame = FrameEncoder.presence(room, "leave", user, r.name(), r.count());
        fanout.send(r.nodes(), NodeRouter.Kind.EVENT, room, 0, frame, null);
      }
      return new JsonObject();
    });
  }

  /** {@code messages}: the text and data of each message, in order; the rest comes from {@code b}. */
  private Future<JsonObject> doPublish(JsonObject b, List<JsonObject> messages) {
    String room = b.getString("room");
    long t0 = System.nanoTime();
    String ts = Timestamps.now();
    List<MessageTemplate> templates = new ArrayList<>(messages.size());
    for (JsonObject message : messages) {
      templates.add(FrameEncoder.message(room, b.getString("from"), b.getString("name"), null,
          message.getString("text"), message.getJsonObject("data"), b.getBoolean("api", false), ts));
    }
    long id = messages.size() == 1 ? MessageKeys.keyId(b.getString("from"), room, b.getString("key"),
        messages.get(0).getString("text"), messages.get(0).getJsonObject("data")) : 0;
    // a server API caller's new rooms come out of its budget (ServerApi names it); a member's
    // publish goes to a room its join made, and event-bus code inside the cluster is trusted
    String payer = b.getString("caller");
    boolean create = payer == null || creations.take(payer);
    return creations.stored(store.append(room, templates, create, id), payer, create).map(r -> {
      // found stored already (sent again under its key, or Hazelcast's retry after an owner
      // died): the frames as they were stored go out again while nothing came after them, for
      // this answer may be the first one any node got (receivers that have their seqs drop
      // them); once later ones came, those tell of a gap, and the streams read it
      // (without its frames when the room let go of any: then the messages as sent, told only
      // while nothing came after them)
      List<String> found = r.messages();
      String observer = observers.observed(room) ? Addresses.room(room) : null;
      long elapsed = System.nanoTime() - t0;
      for (int i = 0; i < templates.size() && (!r.found() || !r.more()); i++) {
        long seq = r.firstSeq() + i;
        fanout.send(r.nodes(), NodeRouter.Kind.MESSAGE, room, seq, found.isEmpty() ? templates.get(i).withSeq(seq) : found.get(i),
            r.epoch());
        if (observer != null) {
          vertx.eventBus().publish(observer, found.isEmpty() ? observed(b, messages.get(i), room, seq, ts) : new JsonObject(found.get(i)));
        }
        if (!r.found()) {
          metrics.messageIn();
          metrics.publishAcked(elapsed);
        }
      }
      return new JsonObject().put("room", room).put("firstSeq", r.firstSeq()).put("seq", r.seq())
          .put("ts", found.isEmpty() ? ts : RoomState.tsOf(found.get(0), ts));
    });
  }

  /** A room or conversation not made: the user made too many lately (see {@link CreationBudget}). */
  public static final class CreationRefused extends ReplyException {
    private final long retryAfterMs;

    CreationRefused(long retryAfterMs) {
      super(ReplyFailure.RECIPIENT_FAILURE, ErrorCode.RATE_LIMITED.failureCode(),
          "you made more new rooms and conversations than this node allows a user lately: this one does not"
              + " exist and was not made; nothing was stored; retry in " + Math.max(1, retryAfterMs) + " ms");
      this.retryAfterMs = Math.max(1, retryAfterMs);
    }

    public long retryAfterMs() {
      return retryAfterMs;
    }
  }

  private Future<JsonObject> doHistory(JsonObject b) {
    return store.history(b.getString("room"), b.getLong("before"), b.getLong("after"), b.getInteger("limit"),
            b.getLong("messageBytes", 0L))
        .map(r -> new JsonObject()
            .put("messages", new JsonArray(new ArrayList<Object>(r.messages())))
            .put("firstSeq", r.firstSeq())
            .put("more", r.more())
            .put("epoch", r.epoch())
            .put("seq", r.seq()));
  }

  private Future<JsonObject> doMembers(JsonObject b) {
    return store.members(b.getString("room"), b.getLong("memberBytes", 0L))
        .map(r -> new JsonObject().put("members", NodeReplies.members(r.members())).put("count", r.count()));
  }

  private Future<JsonObject> doOccupiedRooms(JsonObject b) {
    JsonArray only = b.getJsonArray("only");
    // the encoded list, a string: the event bus copies a JsonArray of 100 000 rooms, not a string
    return store.occupied().map(rooms -> new JsonObject().put("rooms", only == null ? rooms.json()
        : rooms.json(only.stream().map(String.class::cast).toList())));
  }

  /** The {@code message} frame as observers of {@link Addresses#room} get it. */
  private static JsonObject observed(JsonObject b, JsonObject message, String room, long seq, String ts) {
    JsonObject m = new JsonObject().put("type", "message").put("room", room).put("seq", seq)
        .put("from", b.getString("from")).put("name", b.getString("name"));
    if (message.getString("text") != null) {
      m.put("text", message.getString("text"));
    }
    if (message.getJsonObject("data") != null) {
      m.put("data", message.getJsonObject("data"));
    }
    if (b.getBoolean("api", false)) {
      m.put("via", "api");
    }
    return m.put("ts", ts);
  }
}
