package io.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.support.TestCluster;
import io.switchboard.support.Tokens;
import io.switchboard.support.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Private messages on one node (PROTOCOL.md section 2, private): every connection of both users
 * gets them, each conversation {@code dm:<a>:<b>} has its own seq, offline users read them later
 * with history, and nobody else can.
 */
@ExtendWith(VertxExtension.class)
class PrivateSocketTest {

  private static final Pattern TS = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z");
  private static final AtomicInteger UNIQUE = new AtomicInteger();

  static TestCluster cluster;

  @BeforeAll
  static void start() {
    cluster = TestCluster.start(1, Map.of());
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void everyConnectionOfBothUsersReceivesThePrivateMessageAndNobodyElse(Vertx vertx) {
    int n = UNIQUE.incrementAndGet();
    String zoe = "zoe-" + n; // the sender sorts after the recipient: the room name is sorted anyway
    String bea = "bea-" + n;
    String room = "dm:" + bea + ":" + zoe;
    WsClient zoe1 = open(vertx, zoe);
    WsClient zoe2 = open(vertx, zoe);
    WsClient bea1 = open(vertx, bea);
    WsClient bea2 = open(vertx, bea);
    WsClient bystander = open(vertx, "amy-" + n);

    JsonObject ack = zoe1.request(privateTo(bea, "psst").put("id", "p-1"));
    assertEquals("ack", ack.getString("type"), ack.encode());
    assertEquals("p-1", ack.getValue("id"));
    assertEquals(room, ack.getString("room"));
    assertEquals(1L, ack.getLong("seq"), "a conversation's seq starts at 1");
    assertEquals(Boolean.TRUE, ack.getBoolean("online"));
    assertTrue(TS.matcher(ack.getString("ts")).matches(), ack.encode());

    JsonObject expected = new JsonObject().put("type", "private").put("room", room).put("seq", 1L).put("from", zoe)
        .put("name", displayName(zoe)).put("to", bea).put("text", "psst").put("ts", ack.getString("ts"));
    for (WsClient c : List.of(zoe1, zoe2, bea1, bea2)) {
      JsonObject got = c.awaitType("private");
      assertEquals(expected, normalized(got), "every connection of both users, the sending one included");
    }

    JsonObject reply = bea2.request(privateTo(zoe, "and you?").put("id", 2));
    assertEquals(room, reply.getString("room"));
    assertEquals(2L, reply.getLong("seq"), "one seq per conversation, whoever writes");
    for (WsClient c : List.of(zoe1, zoe2, bea1, bea2)) {
      JsonObject got = c.awaitType("private");
      assertEquals(2L, got.getLong("seq"));
      assertEquals(bea, got.getString("from"));
      assertEquals(displayName(bea), got.getString("name"));
      assertEquals(zoe, got.getString("to"));
      assertEquals("and you?", got.getString("text"));
    }

    // another conversation of the same sender counts on its own
    JsonObject other = zoe1.request(privateTo("amy-" + n, "hi amy"));
    assertEquals("dm:amy-" + n + ":" + zoe, other.getString("room"));
    assertEquals(1L, other.getLong("seq"));
    assertEquals("hi amy", bystander.awaitType("private").getString("text"));
    assertTrue(framesBeforePong(bystander).stream().noneMatch(f -> room.equals(f.getString("room"))),
        "a third user sees nothing of bea and zoe's conversation");
    assertTrue(framesBeforePong(bea1).stream().noneMatch(f -> "hi amy".equals(f.getString("text"))),
        "bea sees nothing of zoe and amy's conversation");
    for (WsClient c : List.of(zoe1, zoe2, bea1, bea2, bystander)) {
      c.close();
    }
  }

  @Test
  void toAnOfflineUserTheMessageIsKeptAndReadableLaterOnlyByTheTwoUsers(Vertx vertx) {
    int n = UNIQUE.incrementAndGet();
    String ann = "ann-" + n;
    String olga = "olga-" + n; // never connected
    String room = "dm:" + ann + ":" + olga;
    WsClient a = open(vertx, ann);
    JsonObject ack = a.request(privateTo(olga, "call me").put("id", "off"));
    assertEquals("ack", ack.getString("type"), ack.encode());
    assertEquals("off", ack.getValue("id"));
    assertEquals(room, ack.getString("room"));
    assertEquals(1L, ack.getLong("seq"));
    assertEquals(Boolean.FALSE, ack.getBoolean("online"), "olga has no connection anywhere");
    JsonObject data = new JsonObject().put("invoice", 42).put("lines", new JsonArray().add("a").add("b"));
    JsonObject second = a.request(privateTo(olga, "with data").put("data", data));
    assertEquals(2L, second.getLong("seq"));
    assertEquals(Boolean.FALSE, second.getBoolean("online"));

    WsClient o = open(vertx, olga);
    JsonObject history = o.request(new JsonObject().put("type", "history").put("id", "h").put("room", room));
    assertEquals("history", history.getString("type"), history.encode());
    assertEquals("h", history.getValue("id"));
    JsonArray messages = history.getJsonArray("messages");
    assertEquals(2, messages.size(), history.encode());
    JsonObject first = messages.getJsonObject(0);
    assertEquals(1L, first.getLong("seq"));
    assertEquals(room, first.getString("room"));
    assertEquals(ann, first.getString("from"));
    assertEquals(displayName(ann), first.getString("name"));
    assertEquals(olga, first.getString("to"));
    assertEquals("call me", first.getString("text"));
    assertEquals(ack.getString("ts"), first.getString("ts"));
    assertEquals(data, messages.getJsonObject(1).getJsonObject("data"));
    assertEquals(Boolean.FALSE, history.getBoolean("more"));
    assertEquals(2, a.request(new JsonObject().put("type", "history").put("room", room))
        .getJsonArray("messages").size(), "the sender reads it too");

    // now olga is online
    JsonObject third = a.request(privateTo(olga, "there you are"));
    assertEquals(Boolean.TRUE, third.getBoolean("online"));
    assertEquals(3L, o.awaitType("private").getLong("seq"));

    WsClient mia = open(vertx, "mia-" + n);
    assertError(mia.request(new JsonObject().put("type", "history").put("id", "spy").put("room", room)),
        "forbidden", "spy");
    WsClient admin = WsClient.open(vertx, cluster.port(0), Tokens.of(new JsonObject().put("sub", "root-" + n)
        .put("exp", Tokens.nowSeconds() + 600).put("roles", new JsonArray().add("admin"))));
    assertError(admin.request(new JsonObject().put("type", "history").put("id", "spy2").put("room", room)),
        "forbidden", "spy2");
    a.close();
    o.close();
    mia.close();
    admin.close();
  }

  @Test
  void userIdsAreCaseSensitiveAndTheConversationIsSortedByCodePoint(Vertx vertx) {
    int n = UNIQUE.incrementAndGet();
    String lower = "sam-" + n;
    String upper = "Sam-" + n; // another user: 'S' sorts before 's'
    WsClient low = open(vertx, lower);
    WsClient up = open(vertx, upper);
    JsonObject ack = low.request(privateTo(upper, "hello, other Sam"));
    assertEquals("ack", ack.getString("type"), ack.encode());
    assertEquals("dm:" + upper + ":" + lower, ack.getString("room"));
    assertEquals(Boolean.TRUE, ack.getBoolean("online"));
    JsonObject got = up.awaitType("private");
    assertEquals(lower, got.getString("from"));
    assertEquals(upper, got.getString("to"));
    low.close();
    up.close();
  }

  @Test
  void aRoomsClaimNeverLimitsTheUsersOwnConversations(Vertx vertx) {
    int n = UNIQUE.incrementAndGet();
    String kim = "kim-" + n;
    String lee = "lee-" + n;
    WsClient k = WsClient.open(vertx, cluster.port(0), Tokens.of(new JsonObject().put("sub", kim)
        .put("exp", Tokens.nowSeconds() + 600).put("rooms", new JsonArray())));
    WsClient l = open(vertx, lee);
    JsonObject ack = k.request(privateTo(lee, "no rooms, still chatting"));
    assertEquals("ack", ack.getString("type"), ack.encode());
    assertEquals("no rooms, still chatting", l.awaitType("private").getString("text"));
    JsonObject history = k.request(new JsonObject().put("type", "history").put("room", "dm:" + kim + ":" + lee));
    assertEquals("history", history.getString("type"), history.encode());
    assertEquals(1, history.getJsonArray("messages").size());
    k.close();
    l.close();
  }

  @Test
  void badPrivateMessagesAreBadRequestsAndTheConnectionStaysUsable(Vertx vertx) {
    int n = UNIQUE.incrementAndGet();
    String pat = "pat-" + n;
    String quinn = "quinn-" + n;
    WsClient p = open(vertx, pat);
    assertError(p.request(privateTo(pat, "talking to myself").put("id", "self")), "bad_request", "self");

    List<JsonObject> bad = new ArrayList<>(List.of(
        new JsonObject().put("to", "has space").put("text", "x"),
        new JsonObject().put("to", "").put("text", "x"),
        new JsonObject().put("to", "-dash").put("text", "x"),
        new JsonObject().put("to", "u".repeat(65)).put("text", "x"),
        new JsonObject().put("to", "dm:" + pat + ":" + quinn).put("text", "x"),
        new JsonObject().put("to", 42).put("text", "x"),
        new JsonObject().put("text", "no recipient"),
        new JsonObject().put("to", quinn),
        new JsonObject().put("to", quinn).put("text", ""),
        new JsonObject().put("to", quinn).put("data", "not an object")));
    int i = 0;
    for (JsonObject frame : bad) {
      String id = "bad-" + i++;
      assertError(p.request(frame.put("type", "private").put("id", id)), "bad_request", id);
    }
    assertError(p.request(privateTo(quinn, "x".repeat(4_001)).put("id", "long")), "too_large", "long");

    // conversations need no join, and cannot be joined
    String dm = "dm:" + pat + ":" + quinn;
    assertError(p.request(new JsonObject().put("type", "join").put("id", "j").put("room", dm)), "bad_request", "j");
    assertError(p.request(new JsonObject().put("type", "join").put("id", "j2").put("room", "dm:x")), "bad_request", "j2");

    JsonObject ok = p.request(privateTo(quinn, "fine"));
    assertEquals("ack", ok.getString("type"), ok.encode());
    assertEquals(1L, ok.getLong("seq"), "none of the refused messages was stored");
    assertFalse(p.closed().isComplete());
    p.close();
  }

  // ---- helpers

  /**
   * The message was stored, then the look-up of the users' nodes failed (here: an entry of the
   * user directory that is not one): the sender gets its ack, not "unavailable" ("not stored"),
   * which would have it send a duplicate, and the message still reaches the sender's connections.
   */
  @Test
  void aStoredMessageIsAcknowledgedAndDeliveredWhenTheUsersCannotBeLocated(Vertx vertx) {
    int n = UNIQUE.incrementAndGet();
    String ann = "ann-" + n;
    String ghost = "ghost-" + n;
    var directory = cluster.node(0).hazelcast().<String, Object>getMap(io.switchboard.presence.UserDirectory.MAP_NAME);
    directory.put(ghost, "not a user's connections");
    try {
      WsClient ann1 = open(vertx, ann);
      WsClient ann2 = open(vertx, ann);
      JsonObject ack = ann1.request(privateTo(ghost, "are you there?").put("id", "g-1"));
      assertEquals("ack", ack.getString("type"), ack.encode());
      assertEquals(false, ack.getBoolean("online"), "not known to be online");
      JsonObject copy = ann2.await(f -> "private".equals(f.getString("type")) && "are you there?".equals(f.getString("text")));
      assertEquals(ack.getLong("seq"), copy.getLong("seq"));
      JsonObject history = ann1.request(new JsonObject().put("type", "history").put("room", ack.getString("room")));
      assertEquals(1, history.getJsonArray("messages").size(), "stored once");
      ann1.close();
      ann2.close();
    } finally {
      directory.remove(ghost);
    }
  }

  /**
   * The receiver connects while the message is being stored (its conversation's partition held
   * for 1.5 s, within the store's window): its connection was welcomed before the message was
   * stored, so it gets the message live, and the sender is told it is online. Before, the
   * receiver's nodes were looked up beside the store, before it had connected: the ack said
   * offline and the open connection never got the message.
   */
  @Test
  void aReceiverThatConnectsWhileTheMessageIsStoredGetsIt(Vertx vertx) throws Exception {
    int n = UNIQUE.incrementAndGet();
    String kim = "kim-" + n;
    var hz = cluster.node(0).hazelcast();
    // the receiver's count must not wait behind the held conversation
    java.util.function.ToIntFunction<String> thread = key -> io.switchboard.support.PartitionThreadStall.threadOf(hz, key);
    String lee = java.util.stream.IntStream.range(0, 1000).mapToObj(i -> "lee-" + n + "-" + i)
        .filter(u -> thread.applyAsInt(u) != thread.applyAsInt(io.switchboard.protocol.Names.conversation(kim, u)))
        .findFirst().orElseThrow();
    WsClient sender = open(vertx, kim);
    // the conversation's partition held until the receiver is welcomed (at most 2 s: the
    // message's store window is 2.5 s), however long that takes on a loaded machine
    java.util.concurrent.CompletableFuture<Void> release = new java.util.concurrent.CompletableFuture<>();
    var held = io.switchboard.support.PartitionThreadStall.holdUntil(hz,
        hz.getPartitionService().getPartition(io.switchboard.protocol.Names.conversation(kim, lee)).getPartitionId(),
        release, 2_000);
    held.started().get(10, java.util.concurrent.TimeUnit.SECONDS);
    sender.send(privateTo(lee, "caught you").put("id", "c-1").encode());
    WsClient receiver = open(vertx, lee);
    assertFalse(held.endedAt().isDone(), "welcomed while the message waited to be stored");
    release.complete(null);

    JsonObject ack = sender.await(f -> "c-1".equals(f.getValue("id")));
    assertEquals("ack", ack.getString("type"), ack.encode());
    assertEquals(Boolean.TRUE, ack.getBoolean("online"), ack.encode());
    JsonObject got = receiver.await(f -> "private".equals(f.getString("type")));
    assertEquals("caught you", got.getString("text"));
    assertEquals(ack.getLong("seq"), got.getLong("seq"));
    sender.close();
    receiver.close();
  }

  private static WsClient open(Vertx vertx, String user) {
    return WsClient.open(vertx, cluster.port(0), Tokens.user(user));
  }

  /** The display name {@link Tokens#user} gives. */
  private static String displayName(String user) {
    return Character.toUpperCase(user.charAt(0)) + user.substring(1);
  }

  private static JsonObject privateTo(String to, String text) {
    return new JsonObject().put("type", "private").put("to", to).put("text", text);
  }

  /** Small JSON integers parse as Integer: compare seq as a long. */
  private static JsonObject normalized(JsonObject frame) {
    JsonObject copy = frame.copy();
    if (copy.getValue("seq") instanceof Number seq) {
      copy.put("seq", seq.longValue());
    }
    return copy;
  }

  /** Every frame received before the reply to a ping sent now: what has not come by then did not come. */
  private static List<JsonObject> framesBeforePong(WsClient c) {
    String id = "sync-" + UNIQUE.incrementAndGet();
    c.request(new JsonObject().put("type", "ping").put("id", id));
    List<JsonObject> all = c.frames();
    for (int i = 0; i < all.size(); i++) {
      if ("pong".equals(all.get(i).getString("type")) && id.equals(all.get(i).getValue("id"))) {
        return all.subList(0, i);
      }
    }
    throw new AssertionError("no pong " + id);
  }

  private static void assertError(JsonObject frame, String code, Object id) {
    assertEquals("error", frame.getString("type"), frame.encode());
    assertEquals(code, frame.getString("code"), frame.encode());
    assertEquals(id, frame.getValue("id"), frame.encode());
    assertNotNull(frame.getString("message"), frame.encode());
  }
}
