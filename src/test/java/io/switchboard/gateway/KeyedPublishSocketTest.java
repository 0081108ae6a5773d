package io.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.switchboard.support.TestCluster;
import io.switchboard.support.Tokens;
import io.switchboard.support.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A message sent again under its key (after a timeout, a lost link, or an {@code unavailable}
 * whose message was stored after all) is stored once: the second sending is acknowledged with
 * the first one's seq and ts, and members have it once.
 */
@ExtendWith(VertxExtension.class)
class KeyedPublishSocketTest {

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
  void aPublishSentAgainUnderItsKeyIsStoredOnce(Vertx vertx) {
    WsClient ann = WsClient.open(vertx, cluster.port(0), Tokens.user("keyed-ann"));
    WsClient bob = WsClient.open(vertx, cluster.port(0), Tokens.user("keyed-bob"));
    ann.join("keyed");
    bob.join("keyed");
    JsonObject first = ann.request(publish("keyed", "hello", "k-1"));
    JsonObject again = ann.request(publish("keyed", "hello", "k-1"));
    assertEquals("ack", again.getString("type"), again.encode());
    assertEquals(first.getLong("seq"), again.getLong("seq"), "the first sending's seq");
    assertEquals(first.getString("ts"), again.getString("ts"), "and its ts");
    JsonObject other = ann.request(publish("keyed", "hello", "k-2"));
    assertEquals(first.getLong("seq") + 1, other.getLong("seq"), "another key is another message");
    JsonObject bobs = bob.request(publish("keyed", "hello", "k-1"));
    assertNotEquals(first.getLong("seq"), bobs.getLong("seq"), "and another user's key another still");
    JsonObject reused = ann.request(publish("keyed", "something else", "k-1"));
    assertEquals(bobs.getLong("seq") + 1, reused.getLong("seq"), "a key reused for other text names a new message");

    // members got each message once, in order, the one sent twice included
    var got = bob.awaitMessages("keyed", 4);
    assertEquals(java.util.List.of(first.getLong("seq"), other.getLong("seq"), bobs.getLong("seq"), reused.getLong("seq")),
        got.stream().map(m -> m.getLong("seq")).toList());
    JsonObject history = ann.request(new JsonObject().put("type", "history").put("room", "keyed"));
    assertEquals(4, history.getJsonArray("messages").size(), "stored once: " + history.encode());
    ann.close();
    bob.close();
  }

  /**
   * Publishes that queue behind one waiting for the cluster are stored together, under one id
   * (SessionSteps.enqueuePublish). A keyed one must not be: sent again after a lost link, it
   * would not be found under its own key, and would be stored twice.
   */
  @Test
  void aKeyedPublishThatQueuedBehindAnotherIsStoredOnceWhenSentAgain(Vertx vertx) {
    WsClient eve = WsClient.open(vertx, cluster.port(0), Tokens.user("keyed-eve"));
    eve.join("keyed-queue");
    var acks = eve.collect(f -> "ack".equals(f.getString("type")), 4);
    // the room's partition is held: the first publish waits behind it, the next three behind that one
    cluster.node(0).hazelcast().<String, Object>getMap(io.switchboard.room.RoomStore.MAP_NAME)
        .submitToKey("keyed-queue", new io.switchboard.support.PartitionStall(500));
    for (int i = 1; i <= 4; i++) {
      eve.send(publish("keyed-queue", "m" + i, "q-" + i).put("id", "q" + i).encode());
    }
    var first = io.switchboard.support.Await.of(acks);
    for (int i = 1; i <= 4; i++) {
      JsonObject again = eve.request(publish("keyed-queue", "m" + i, "q-" + i));
      assertEquals(first.get(i - 1).getLong("seq"), again.getLong("seq"), "m" + i + " sent again: " + again.encode());
    }
    JsonObject history = eve.request(new JsonObject().put("type", "history").put("room", "keyed-queue"));
    assertEquals(4, history.getJsonArray("messages").size(), "stored once: " + history.encode());
    eve.close();
  }

  @Test
  void aPrivateMessageSentAgainUnderItsKeyIsStoredOnce(Vertx vertx) {
    WsClient cat = WsClient.open(vertx, cluster.port(0), Tokens.user("keyed-cat"));
    JsonObject frame = new JsonObject().put("type", "private").put("to", "keyed-dan").put("text", "psst").put("key", "p-1");
    JsonObject first = cat.request(frame.copy());
    JsonObject again = cat.request(frame.copy());
    assertEquals(first.getLong("seq"), again.getLong("seq"));
    assertEquals(first.getString("ts"), again.getString("ts"));
    assertEquals(false, again.getBoolean("online"));
    JsonObject history = cat.request(new JsonObject().put("type", "history").put("room", "dm:keyed-cat:keyed-dan"));
    assertEquals(1, history.getJsonArray("messages").size(), "stored once: " + history.encode());
    cat.close();
  }

  /**
   * Sent again after later messages, a private message is not told again: a gateway with no
   * stream of the conversation would start one at that old seq and deliver, to a user who
   * connected since, a message from before.
   */
  @Test
  void aPrivateMessageSentAgainAfterLaterOnesIsNotToldAgain(Vertx vertx) {
    WsClient fay = WsClient.open(vertx, cluster.port(0), Tokens.user("keyed-fay"));
    JsonObject frame = new JsonObject().put("type", "private").put("to", "keyed-gus").put("text", "first").put("key", "f-1");
    JsonObject first = fay.request(frame.copy());
    fay.request(new JsonObject().put("type", "private").put("to", "keyed-gus").put("text", "second"));
    WsClient gus = WsClient.open(vertx, cluster.port(0), Tokens.user("keyed-gus"));
    assertEquals(first.getLong("seq"), fay.request(frame.copy()).getLong("seq"));
    JsonObject third = fay.request(new JsonObject().put("type", "private").put("to", "keyed-gus").put("text", "third"));
    JsonObject got = gus.awaitType("private");
    assertEquals(third.getLong("seq"), got.getLong("seq"), "gus gets what was sent while he is here, first: " + got.encode());
    fay.close();
    gus.close();
  }

  /**
   * A room that keeps two messages has let go of a keyed one after two more. Sent again under its
   * key within the append window, it is found by its id (kept apart from the log for that
   * while) and answered with its seq, not stored as a new message; and since later messages
   * went out, it is not told again: programs observing the room see each seq once.
   */
  @Test
  void aKeyedMessageTheRoomLetGoOfIsFoundByItsKeyAndNotToldAgain(Vertx vertx) {
    try (TestCluster small = TestCluster.start(1, Map.of("history.size", 2))) {
      String room = "keyed-gone";
      java.util.List<Long> observed = new java.util.concurrent.CopyOnWriteArrayList<>();
      var watch = small.node(0).vertx().eventBus().<JsonObject>consumer(io.switchboard.Addresses.room(room),
          m -> observed.add(m.body().getLong("seq")));
      io.switchboard.support.Await.of(watch.completion());
      org.junit.jupiter.api.Assertions.assertTrue(io.switchboard.support.Await.until(vertx,
          () -> io.switchboard.room.RoomOpsForTests.observed(small.node(0), room), 20, 500), "the node knows of the observer");
      WsClient ann = WsClient.open(vertx, small.port(0), Tokens.user("keyed-gone-ann"));
      ann.join(room);
      JsonObject first = ann.request(publish(room, "hello", "g-1"));
      assertEquals(1, first.getLong("seq"), first.encode());
      ann.publish(room, "two");
      ann.publish(room, "three"); // the room keeps 2 and 3

      JsonObject again = ann.request(publish(room, "hello", "g-1"));
      assertEquals("ack", again.getString("type"), again.encode());
      assertEquals(1, again.getLong("seq"), "found by its key, not stored again");
      assertEquals(4, ann.publish(room, "four").getLong("seq"));

      assertEquals(java.util.List.of(1L, 2L, 3L, 4L), ann.awaitMessages(room, 4).stream().map(m -> m.getLong("seq")).toList());
      org.junit.jupiter.api.Assertions.assertTrue(io.switchboard.support.Await.until(vertx, () -> observed.contains(4L), 20, 250));
      assertEquals(java.util.List.of(1L, 2L, 3L, 4L), observed, "each seq observed once");
      ann.close();
    }
  }

  private static JsonObject publish(String room, String text, String key) {
    return new JsonObject().put("type", "publish").put("room", room).put("text", text).put("key", key);
  }
}
