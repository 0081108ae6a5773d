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
 * left out rather than failing the whole answer.
 */
final class ClusterAdmin {

  private static final Logger LOG = LoggerFactory.getLogger(ClusterAdmin.class);
  private static final DeliveryOptions ASK = new DeliveryOptions().setSendTimeout(3_000);

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
        bus.<JsonObject>consumer(Addresses.admin(nodeId), this::answerForThisNode),
        bus.<JsonObject>localConsumer(Addresses.LOCAL_CLIENTS, msg -> askEveryNode(new JsonObject().put("op", "clients"))
            .onSuccess(answers -> {
              JsonArray clients = new JsonArray();
              answers.forEach(a -> clients.addAll(a.getJsonArray("clients")));
              msg.reply(new JsonObject().put("count", clients.size()).put("clients", clients));
            })),
        bus.<JsonObject>localConsumer(Addresses.LOCAL_KICK, msg -> {
          String user = msg.body().getString("user");
          LOG.info("kicking user {}: {}", user, loggable(msg.body().getString("reason", "(no reason given)")));
          askEveryNode(new JsonObject().put("op", "kick").put("user", user)).onSuccess(answers ->
              msg.reply(new JsonObject().put("user", user)
                  .put("closed", answers.stream().mapToInt(a -> a.getInteger("closed", 0)).sum())));
        }));
  }

  /** An admin's free text, kept to one short log line: a newline in it could forge the next line. */
  static String loggable(String text) {
    String oneLine = text.codePoints().map(c -> Character.isISOControl(c) ? ' ' : c)
        .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
    return oneLine.length() > 200 ? oneLine.substring(0, 200) + "…" : oneLine;
  }

  private void answerForThisNode(Message<JsonObject> msg) {
    JsonObject q = msg.body() == null ? new JsonObject() : msg.body();
    if ("clients".equals(q.getString("op"))) {
      router.ask(NodeRouter.Listener::clients).onSuccess(parts -> {
        JsonArray clients = new JsonArray();
        parts.forEach(p -> p.forEach(c -> clients.add(((JsonObject) c).put("node", nodeId))));
        msg.reply(new JsonObject().put("clients", clients));
      });
    } else if ("kick".equals(q.getString("op")) && q.getValue("user") instanceof String user) {
      router.ask(l -> l.kick(user)).onSuccess(closed ->
          msg.reply(new JsonObject().put("closed", closed.stream().mapToInt(Integer::intValue).sum())));
    } else {
      msg.fail(io.switchboard.protocol.ErrorCode.BAD_REQUEST.failureCode(), "op must be clients or kick");
    }
  }

  /** The answers of every node that answered in time. */
  private Future<List<JsonObject>> askEveryNode(JsonObject question) {
    List<Future<JsonObject>> answers = new ArrayList<>();
    for (Member member : hazelcast.getCluster().getMembers()) {
      String node = NodeIds.of(member);
      if (node != null) {
        answers.add(vertx.eventBus().<JsonObject>request(Addresses.admin(node), question, ASK).map(Message::body));
      }
    }
    return Future.join(answers).transform(ignored -> Future.succeededFuture(
        answers.stream().filter(Future::succeeded).map(Future::result).toList()));
  }
}
