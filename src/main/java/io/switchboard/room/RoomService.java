package io.switchboard.room;

import io.switchboard.Addresses;
import io.switchboard.ops.NodeMetrics;
import io.switchboard.presence.UserDirectory;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.FrameEncoder;
import io.switchboard.protocol.FrameEncoder.MessageTemplate;
import io.switchboard.protocol.Names;
import io.switchboard.protocol.NodeReplies;
import io.switchboard.protocol.Timestamps;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
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
  /** A stalled cluster fails every request: a line a second, not one per message. */
  private static final io.switchboard.ops.ThrottledLog FAILURES = new io.switchboard.ops.ThrottledLog(LOG);
  /** Apart from FAILURES: a storm of those must not hide these, which leave presence wrong until reconciled. */
  private static final io.switchboard.ops.ThrottledLog NOT_UNDONE = new io.switchboard.ops.ThrottledLog(LOG);

  private final Vertx vertx;
  private final RoomStore store;
  private final UserDirectory users;
  private final Fanout fanout;
  private final RoomObservers observers;
  private final NodeMetrics metrics;
  private final String nodeId;
  private final com.hazelcast.core.HazelcastInstance hazelcast;
  private final CreationGate creations;
  private final RequestDeadline deadline;
  private final ConversationIndex conversations;
  /** How long a private message's ack waits for its conversation's note (see doPrivate). */
  private static final long NOTE_WAIT_MS = 1_000;
  /** The least time a private message's look-up of its users' nodes is given after the store. */
  private static final long LOOKUP_MIN_MS = 500;
  /** How long before the caller's deadline a stored private message is answered at the latest. */
  private static final long ANSWER_MARGIN_MS = 250;

  public RoomService(Vertx vertx, com.hazelcast.core.HazelcastInstance hazelcast, RoomStore store,
                     UserDirectory users, NodeRouter router, NodeMetrics metrics, String nodeId,
                     io.switchboard.config.Config.Limits limits) {
    this.vertx = vertx;
    this.deadline = new RequestDeadline(vertx);
    this.creations = new CreationGate(limits, metrics);
    this.store = store;
    this.users = users;
    this.fanout = new Fanout(vertx.eventBus(), nodeId, router, limits.nodeBacklogBytes(), metrics);
    this.observers = new RoomObservers(vertx, hazelcast);
    this.metrics = metrics;
    this.nodeId = nodeId;
    this.hazelcast = hazelcast;
    this.conversations = new ConversationIndex(vertx, hazelcast);
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
    return answer("private", b, this::doPrivate);
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
    return answer("conversations", b, this::doConversations);
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
    long id = messages.size() == 1 ? RoomStore.keyId(b.getString("from"), room, b.getString("key"),
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

  private Future<JsonObject> doPrivate(JsonObject b) {
    String from = b.getString("from");
    String to = b.getString("to");
    String room = Names.conversation(from, to);
    String ts = Timestamps.now();
    MessageTemplate template = FrameEncoder.message(room, from, b.getString("name"), to, b.getString("text"),
        b.getJsonObject("data"), b.getBoolean("api", false), ts);
    // a program's from is any name it gives: a server API caller pays from its own budget
    // (ServerApi names it), event-bus code inside the cluster is trusted
    String payer = b.getBoolean("api", false) ? b.getString("caller") : from;
    boolean create = payer == null || creations.take(payer);
    long id = RoomStore.keyId(from, room, b.getString("key"), b.getString("text"), b.getJsonObject("data"));
    long started = System.nanoTime();
    Future<RoomReply> stored = creations.stored(store.append(room, List.of(template), create, id), payer, create);
    // the users' nodes are looked up once the message is stored: a connection counted before that
    // gets it live, one counted after reads it (a look-up beside the store missed a receiver that
    // connected meanwhile, and the ack said offline). Once stored, the answer is an ack whatever
    // the look-up does ("unavailable" says "not stored"), so the look-up has what is left of the
    // store's window, and at least LOOKUP_MIN_MS: past it the message goes to every node.
    return stored.compose(reply -> {
      long elapsed = (System.nanoTime() - started) / 1_000_000;
      Future<Map<String, ArrayList<String>>> located = within(users.locate(Set.of(from, to)), lookupWaitMs(elapsed))
          .recover(e -> {
            FAILURES.warn("private message to {}: the users' nodes are unknown ({}), so it goes to every node", to, e.toString());
            return Future.succeededFuture(null);
          });
      // acked means listed: the receiver's conversations read, on any node, finds it; a message
      // found stored (sent again under its key) too, since its first sending may not have got as
      // far. A note that does not come within a second does not hold up a stored message's ack.
      Future<Void> noted = within(conversations.note(from, to), noteWaitMs(elapsed)).otherwiseEmpty();
      Future<JsonObject> sent = located.map(where -> sendPrivate(reply, where, from, to, template, ts));
      return Future.all(sent, noted).map(all -> sent.result());
    });
  }

  /**
   * How long a private message stored {@code elapsedMs} after its request came waits for the
   * look-up of its users' nodes: what is left of the store's window, at least LOOKUP_MIN_MS, and
   * never past ANSWER_MARGIN_MS before the caller's deadline. An append may answer up to about
   * 4.5 s after the call (RoomStore.STORE_WINDOW_MS), and a look-up given its half second after
   * that, or a note its second, ran into the deadline: the sender was told "nothing was stored"
   * of a stored message, and a retry without a key stored it twice.
   */
  static long lookupWaitMs(long elapsedMs) {
    return Math.min(Math.max(LOOKUP_MIN_MS, RoomStore.STORE_WINDOW_MS - elapsedMs), untilDue(elapsedMs));
  }

  /** How long such a message's ack waits for its conversation's note (see {@link #lookupWaitMs}). */
  static long noteWaitMs(long elapsedMs) {
    return Math.min(NOTE_WAIT_MS, untilDue(elapsedMs));
  }

  private static long untilDue(long elapsedMs) {
    return Addresses.LOCAL_REQUEST.getSendTimeout() - ANSWER_MARGIN_MS - elapsedMs;
  }

  /** Sends a stored private message to the nodes of both users ({@code where}; null: every node); the ack. */
  private JsonObject sendPrivate(RoomReply stored, Map<String, ArrayList<String>> where, String from, String to,
                                 MessageTemplate template, String ts) {
    String room = Names.conversation(from, to);
    long seq = stored.seq();
    List<String> found = stored.messages(); // found stored already: see doPublish
    Set<String> nodes = where == null ? allNodes() : new HashSet<>(UserDirectory.nodesOf(where, from));
    // not located: online is not known, and false promises only what is sure (the message is kept)
    boolean online = where != null && !UserDirectory.nodesOf(where, to).isEmpty();
    if (where != null) {
      nodes.addAll(UserDirectory.nodesOf(where, to));
    }
    if (!stored.found()) {
      fanout.send(nodes, NodeRouter.Kind.PRIVATE, room, seq, template.withSeq(seq), stored.epoch());
      metrics.messageIn();
    } else if (!stored.more()) {
      fanout.send(nodes, NodeRouter.Kind.PRIVATE, room, seq, found.isEmpty() ? template.withSeq(seq) : found.get(0),
          stored.epoch());
    }
    // a conversation is a room too: its observers get every message of it, as its users do
    if ((!stored.found() || !stored.more()) && observers.observed(room)) {
      vertx.eventBus().publish(Addresses.room(room), new JsonObject(found.isEmpty() ? template.withSeq(seq) : found.get(0)));
    }
    return new JsonObject().put("room", room).put("seq", seq)
        .put("ts", found.isEmpty() ? ts : RoomState.tsOf(found.get(0), ts)).put("online", online);
  }

  private <T> Future<T> within(Future<T> future, long ms) {
    return RequestDeadline.within(vertx, future, ms);
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

  /** Every Switchboard node of the cluster (the member list is held locally: no call). */
  private Set<String> allNodes() {
    Set<String> nodes = new HashSet<>();
    for (com.hazelcast.cluster.Member member : hazelcast.getCluster().getMembers()) {
      String node = io.switchboard.presence.NodeIds.of(member);
      if (node != null) {
        nodes.add(node);
      }
    }
    nodes.add(nodeId);
    return nodes;
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

  private Future<JsonObject> doConversations(JsonObject b) {
    String user = b.getString("user");
    int limit = b.getInteger("limit");
    long budget = b.getLong("messageBytes", 0L);
    return conversations.recent(user, limit + 1).compose(peers -> {
      List<String> asked = peers.subList(0, Math.min(limit, peers.size()));
      List<Future<RoomReply>> tails = new ArrayList<>(asked.size());
      for (String peer : asked) {
        // each on its own clock, well inside the request's: a stalled partition leaves one out
        tails.add(within(store.history(Names.conversation(user, peer), -1, -1, 1, budget), RoomStore.STORE_WINDOW_MS));
      }
      // a partition that does not answer (moving, stalled) leaves its conversation out, and more says so
      return Future.join(tails).transform(all -> {
        if (!tails.isEmpty() && tails.stream().allMatch(Future::failed)) {
          return Future.failedFuture(tails.get(0).cause());
        }
        List<JsonObject> found = new ArrayList<>();
        boolean more = peers.size() > limit;
        for (int i = 0; i < asked.size(); i++) {
          if (tails.get(i).failed()) {
            more = true;
            continue;
          }
          List<String> last = tails.get(i).result().messages();
          if (!last.isEmpty()) {
            found.add(new JsonObject().put("room", Names.conversation(user, asked.get(i))).put("with", asked.get(i))
                .put("last", last.get(0)));
          }
        }
        found.sort(java.util.Comparator.comparingLong((JsonObject c) -> RoomState.timeOf(c.getString("last"))).reversed());
        JsonArray list = new JsonArray();
        long used = 0;
        for (JsonObject c : found) {
          // in UTF-8 bytes, as the frame goes out (and as HistoryWindow counts): a CJK message's
          // chars are a third of its bytes
          used += io.switchboard.protocol.Utf8.length(c.getString("last")) + io.switchboard.protocol.Utf8.length(c.getString("room"))
              + io.switchboard.protocol.Utf8.length(c.getString("with")) + 40;
          if (budget > 0 && used > budget && !list.isEmpty()) {
            more = true;
            break;
          }
          list.add(c);
        }
        return Future.succeededFuture(new JsonObject().put("conversations", list).put("more", more));
      });
    });
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
