package io.switchboard.room;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import io.switchboard.Addresses;
import io.switchboard.presence.NodeIds;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cluster-wide questions about connections, for operators: list every client, kick a user. Each
 * node answers for its own connections on its admin address; the node that was asked asks every
 * node (Hazelcast's member list says which) and merges. A node that does not answer in time is
 * left out rather than failing the whole answer, and named in {@code unanswered}: a kick it did
 * not answer may have left the user connected there. Lists are bounded: at 100 000 connections
 * the whole list was tens of MB built in one reply.
 */
final class ClusterAdmin {

  private static final Logger LOG = LoggerFactory.getLogger(ClusterAdmin.class);
  private static final DeliveryOptions ASK = new DeliveryOptions().setSendTimeout(3_000);
  /**
   * This node asked at its own address: local only, so with no look-up of the address in the
   * cluster's subscriptions, which waits on the partition that keeps it. Held by a member that
   * does not answer (frozen, not yet declared dead), that look-up had the serving node named
   * among the nodes that did not answer, its own connections left out of the list and the kick.
   */
  private static final DeliveryOptions ASK_HERE = new DeliveryOptions(ASK).setLocalOnly(true);
  /** Connections listed at most, unless asked for fewer or more (up to MAX_LIMIT): count counts all. */
  static final int DEFAULT_LIMIT = 1_000;
  static final int MAX_LIMIT = 10_000;

  private final Vertx vertx;
  private final HazelcastInstance hazelcast;
  private final NodeRouter router;
  private final String nodeId;

  ClusterAdmin(Vertx vertx, HazelcastInstance hazelcast, NodeRouter router, String nodeId) {
    this.vertx = vertx;
    this.hazelcast = hazelcast;
    this.router = router;
    this.nodeId = nodeId;
  }

  List<MessageConsumer<?>> register(EventBus bus) {
    return List.of(
        bus.<Object>consumer(Addresses.admin(nodeId), this::answerForThisNode),
        bus.<JsonObject>localConsumer(Addresses.LOCAL_CLIENTS, msg -> {
          int limit = msg.body().getInteger("limit", DEFAULT_LIMIT);
          askEveryNode(new JsonObject().put("op", "clients").put("user", msg.body().getString("user")).put("limit", limit))
              .onSuccess(asked -> msg.reply(merged(asked, limit)))
              .onFailure(e -> unavailable(msg, e));
        }),
        bus.<JsonObject>localConsumer(Addresses.LOCAL_KICK, msg -> {
          String user = msg.body().getString("user");
          LOG.info("kicking user {}: {}", user, loggable(msg.body().getString("reason", "(no reason given)")));
          askEveryNode(new JsonObject().put("op", "kick").put("user", user)).onSuccess(asked -> {
            if (!asked.unanswered().isEmpty()) {
              LOG.warn("kicking user {}: nodes {} did not answer, and may still hold connections of the user", user,
                  asked.unanswered());
            }
            msg.reply(new JsonObject().put("user", user)
                .put("closed", asked.answers().stream().mapToInt(a -> a.getInteger("closed", 0)).sum())
                .put("unanswered", new JsonArray(new ArrayList<Object>(asked.unanswered()))));
          }).onFailure(e -> unavailable(msg, e));
        }));
  }

  /** The cluster's members could not be listed (the member is shutting down or lost): 503, not the API's 6 s wait and a 500. */
  private static void unavailable(Message<?> msg, Throwable e) {
    msg.fail(io.switchboard.protocol.ErrorCode.UNAVAILABLE.failureCode(), "the cluster could not be asked now: " + e.getMessage());
  }

  /** The nodes' lists as one: every matching connection counted, the first {@code limit} listed. */
  static JsonObject merged(Asked asked, int limit) {
    return merged(asked.answers(), limit).put("unanswered", new JsonArray(new ArrayList<Object>(asked.unanswered())));
  }

  /** Lists of {count, clients} as one: the counts summed, the first {@code limit} clients, and more. */
  private static JsonObject merged(List<JsonObject> parts, int limit) {
    JsonArray clients = new JsonArray();
    int count = 0;
    for (JsonObject part : parts) {
      count += part.getInteger("count", 0);
      for (Object c : part.getJsonArray("clients")) {
        if (clients.size() < limit) {
          clients.add(c);
        }
      }
    }
    return new JsonObject().put("count", count).put("clients", clients).put("more", count > clients.size());
  }

  /** An admin's free text, kept to one short log line: a newline in it could forge the next line. */
  static String loggable(String text) {
    return io.switchboard.ops.LogText.oneLine(text, 200);
  }

  /** A gateway instance's answer threw: the asking node hears it now, not at its timeout. */
  private static void failed(Message<?> msg, Throwable e) {
    msg.fail(io.switchboard.protocol.ErrorCode.INTERNAL.failureCode(), "a gateway could not answer: " + e);
  }

  private void answerForThisNode(Message<Object> msg) {
    // any member may send here: a body of another shape is answered, where a cast that threw
    // left the asking node waiting for its timeout
    Object body;
    try {
      body = msg.body();
    } catch (RuntimeException e) {
      body = e; // from another member, parsed here under Jackson's read limits
    }
    JsonObject q = body == null ? new JsonObject() : body instanceof JsonObject o ? o : new JsonObject();
    Object op = q.getValue("op");
    Object asked = q.getValue("limit");
    Object who = q.getValue("user");
    if ("clients".equals(op) && (asked == null || asked instanceof Number) && (who == null || who instanceof String)) {
      String user = (String) who;
      int limit = asked == null ? DEFAULT_LIMIT : (int) Math.max(0, Math.min(MAX_LIMIT, ((Number) asked).longValue()));
      router.ask(l -> l.clients(user, limit)).onSuccess(parts -> {
        JsonObject mine = merged(parts, limit); // the gateways' lists, as the asking node merges the nodes'
        mine.getJsonArray("clients").forEach(c -> ((JsonObject) c).put("node", nodeId));
        msg.reply(mine);
      }).onFailure(e -> failed(msg, e));
    } else if ("kick".equals(op) && who instanceof String user) {
      router.ask(l -> l.kick(user)).onSuccess(closed ->
          msg.reply(new JsonObject().put("closed", closed.stream().mapToInt(Integer::intValue).sum())))
          .onFailure(e -> failed(msg, e));
    } else {
      msg.fail(io.switchboard.protocol.ErrorCode.BAD_REQUEST.failureCode(),
          "a JSON object: op clients (user and limit optional: a string, a number) or kick (user: a string)");
    }
  }

  /** What every node that answered in time said, and which nodes did not answer. */
  record Asked(List<JsonObject> answers, List<String> unanswered) {
  }

  private Future<Asked> askEveryNode(JsonObject question) {
    java.util.Set<Member> members;
    try {
      members = hazelcast.getCluster().getMembers();
    } catch (RuntimeException notActive) {
      return Future.failedFuture(notActive);
    }
    java.util.Map<String, Future<JsonObject>> answers = new java.util.TreeMap<>();
    for (Member member : members) {
      String node = NodeIds.of(member);
      if (node != null) {
        answers.put(node, vertx.eventBus().<JsonObject>request(Addresses.admin(node), question,
            node.equals(nodeId) ? ASK_HERE : ASK).map(Message::body));
      }
    }
    return Future.join(new ArrayList<>(answers.values())).transform(ignored -> {
      List<JsonObject> answered = new ArrayList<>();
      List<String> unanswered = new ArrayList<>();
      answers.forEach((node, answer) -> {
        if (answer.succeeded()) {
          answered.add(answer.result());
        } else {
          unanswered.add(node);
        }
      });
      return Future.succeededFuture(new Asked(answered, unanswered));
    });
  }
}
