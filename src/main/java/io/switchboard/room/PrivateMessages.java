package io.switchboard.room;

import com.hazelcast.core.HazelcastInstance;
import io.switchboard.Addresses;
import io.switchboard.ops.NodeMetrics;
import io.switchboard.ops.ThrottledLog;
import io.switchboard.presence.UserDirectory;
import io.switchboard.protocol.FrameEncoder;
import io.switchboard.protocol.FrameEncoder.MessageTemplate;
import io.switchboard.protocol.Names;
import io.switchboard.protocol.Timestamps;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.LoggerFactory;

/**
 * A user's private messages: each stored in the conversation's room (made on the sender's
 * budget, see {@link CreationGate}), sent to the nodes of both users and noted in the
 * {@link ConversationIndex}; and the user's conversations, read back from that index. One per
 * {@link RoomService}, which answers for it; called on the caller's context, as the service is.
 */
final class PrivateMessages {

  /** A stalled cluster fails every request: a line a second, not one per message. */
  private static final ThrottledLog FAILURES = new ThrottledLog(LoggerFactory.getLogger(PrivateMessages.class));
  /** How long a private message's ack waits for its conversation's note (see send). */
  private static final long NOTE_WAIT_MS = 1_000;
  /** The least time a private message's look-up of its users' nodes is given after the store. */
  private static final long LOOKUP_MIN_MS = 500;
  /** How long before the caller's deadline a stored private message is answered at the latest. */
  private static final long ANSWER_MARGIN_MS = 250;

  private final Vertx vertx;
  private final HazelcastInstance hazelcast;
  private final RoomStore store;
  private final UserDirectory users;
  private final Fanout fanout;
  private final RoomObservers observers;
  private final NodeMetrics metrics;
  private final String nodeId;
  private final CreationGate creations;
  private final ConversationIndex conversations;

  PrivateMessages(Vertx vertx, HazelcastInstance hazelcast, RoomStore store, UserDirectory users, Fanout fanout,
                  RoomObservers observers, NodeMetrics metrics, String nodeId, CreationGate creations) {
    this.vertx = vertx;
    this.hazelcast = hazelcast;
    this.store = store;
    this.users = users;
    this.fanout = fanout;
    this.observers = observers;
    this.metrics = metrics;
    this.nodeId = nodeId;
    this.creations = creations;
    this.conversations = new ConversationIndex(vertx, hazelcast);
  }

  /** {from, name, to, text?, data?, api?} → {room, seq, ts, online}: see {@link RoomService#sendPrivate}. */
  Future<JsonObject> send(JsonObject b) {
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
    long id = MessageKeys.keyId(from, room, b.getString("key"), b.getString("text"), b.getJsonObject("data"));
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
      Future<JsonObject> sent = located.map(where -> deliver(reply, where, from, to, template, ts));
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
  private JsonObject deliver(RoomReply stored, Map<String, ArrayList<String>> where, String from, String to,
                            MessageTemplate template, String ts) {
    String room = Names.conversation(from, to);
    long seq = stored.seq();
    List<String> found = stored.messages(); // found stored already: see RoomService.doPublish
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

  /** {user, limit, messageBytes} → {conversations, more}: see {@link RoomService#conversations}. */
  Future<JsonObject> conversations(JsonObject b) {
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
}
