package io.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.Addresses;
import io.switchboard.support.Await;
import io.switchboard.support.TestCluster;
import io.switchboard.support.Tokens;
import io.switchboard.support.WsClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * PROTOCOL.md section 2 on one node: join (history, recovery, members), presence, leave,
 * publish, ids, errors, history paging, members, ping and heartbeat, grants and the
 * per-connection limits. The node runs with {@code limits.rate=1}, {@code limits.burst=2}: a
 * connection publishes at most twice in a test (bulk messages go through the event bus API), and
 * {@code history.size=120} so that old messages can fall out of the log.
 */
@ExtendWith(VertxExtension.class)
class RoomSocketTest {

  private static final Pattern TS = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z");
  private static final AtomicInteger UNIQUE = new AtomicInteger();
  private static final int HISTORY_SIZE = 120;
  private static final String FEEDER = "feeder";

  static TestCluster cluster;

  @BeforeAll
  static void start() {
    cluster = TestCluster.start(1, Map.of("limits.maxRooms", 2, "limits.rate", 1, "limits.burst", 2,
        "history.size", HISTORY_SIZE));
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  // ---- join

  @Test
  void joinedCarriesEpochSeqHistoryOldestFirstAndMembers(Vertx vertx) {
    String room = unique("hall");
    String alice = unique("alice");
    String bob = unique("bob");
    WsClient a = open(vertx, alice);
    JsonObject first = a.request(join(room).put("id", "j-1"));
    assertEquals("joined", first.getString("type"), first.encode());
    assertEquals("j-1", first.getValue("id"));
    assertEquals(room, first.getString("room"));
    assertTrue(first.getValue("epoch") instanceof String e && !e.isEmpty(), first.encode());
    assertEquals(0L, first.getLong("seq"), "no message yet");
    assertEquals(new JsonArray(), first.getJsonArray("history"));
    assertEquals(new JsonArray().add(member(alice)), first.getJsonArray("members"));
    assertEquals(1, first.getInteger("count"));
    assertFalse(first.containsKey("recovered"), "recovered only with since");

    fill(room, 1, 105);
    WsClient b = open(vertx, bob);
    JsonObject joined = b.request(join(room));
    assertEquals(105L, joined.getLong("seq"));
    assertEquals(first.getString("epoch"), joined.getString("epoch"), "same log, same epoch");
    assertEquals(range(56, 105), seqs(joined.getJsonArray("history")), "the latest 50 by default, oldest first");
    JsonObject oldest = joined.getJsonArray("history").getJsonObject(0);
    assertEquals("message", oldest.getString("type"));
    assertEquals(room, oldest.getString("room"));
    assertEquals("m56", oldest.getString("text"));
    assertEquals(FEEDER, oldest.getString("from"));
    assertTrue(TS.matcher(oldest.getString("ts")).matches(), oldest.encode());
    assertEquals(new JsonArray().add(member(alice)).add(member(bob)), joined.getJsonArray("members"));
    assertEquals(2, joined.getInteger("count"));
    assertFalse(joined.containsKey("recovered"));

    // joining again answers joined again, with the history asked for
    assertEquals(List.of(), seqs(b.request(join(room).put("history", 0)).getJsonArray("history")));
    assertEquals(List.of(105L), seqs(b.request(join(room).put("history", 1)).getJsonArray("history")));
    assertEquals(range(6, 105), seqs(b.request(join(room).put("history", 100)).getJsonArray("history")));
    for (Object bad : List.of(101, -1, "10", 2.5)) {
      assertError(b.request(join(room).put("id", "h").put("history", bad)), "bad_request", "h");
    }
    a.close();
    b.close();
  }

  @Test
  void joinSinceRecoversExactlyTheMissedMessagesThenLiveOnesFollow(Vertx vertx) {
    String room = unique("since");
    String user = unique("carl");
    fill(room, 1, 10);
    WsClient before = open(vertx, user);
    JsonObject joined = before.request(join(room));
    String epoch = joined.getString("epoch");
    assertEquals(10L, joined.getLong("seq"));
    before.close();

    fill(room, 11, 15);
    WsClient again = open(vertx, user);
    JsonObject recovered = again.request(join(room).put("since", since(10, epoch)));
    assertEquals(Boolean.TRUE, recovered.getBoolean("recovered"), recovered.encode());
    assertEquals(List.of(11L, 12L, 13L, 14L, 15L), seqs(recovered.getJsonArray("history")));
    assertEquals(List.of("m11", "m12", "m13", "m14", "m15"), texts(recovered.getJsonArray("history")));
    assertEquals(15L, recovered.getLong("seq"));
    // the live stream continues the recovered run without a gap
    JsonObject ack = again.publish(room, "live");
    assertEquals(16L, ack.getLong("seq"));
    JsonObject live = again.awaitType("message");
    assertEquals(16L, live.getLong("seq"));
    assertEquals("live", live.getString("text"));

    WsClient other = open(vertx, unique("dora"));
    JsonObject upToDate = other.request(join(room).put("since", since(16, epoch)));
    assertEquals(Boolean.TRUE, upToDate.getBoolean("recovered"));
    assertEquals(List.of(), seqs(upToDate.getJsonArray("history")));

    // a recovery holds exactly the missed messages, whatever the history parameter says
    JsonObject regardless = other.request(join(room).put("history", 1).put("since", since(10, epoch)));
    assertEquals(Boolean.TRUE, regardless.getBoolean("recovered"));
    assertEquals(range(11, 16), seqs(regardless.getJsonArray("history")));

    JsonObject wrongEpoch = other.request(join(room).put("since", since(10, "e-not-this-one")));
    assertEquals(Boolean.FALSE, wrongEpoch.getBoolean("recovered"), wrongEpoch.encode());
    assertEquals(range(1, 16), seqs(wrongEpoch.getJsonArray("history")), "the latest messages instead");
    JsonObject wrongEpochFew = other.request(join(room).put("history", 3).put("since", since(10, "e-not-this-one")));
    assertEquals(Boolean.FALSE, wrongEpochFew.getBoolean("recovered"));
    assertEquals(List.of(14L, 15L, 16L), seqs(wrongEpochFew.getJsonArray("history")));
    again.close();
    other.close();
  }

  @Test
  void joinSinceAMessageNoLongerRetainedGivesTheLatestAndRecoveredFalse(Vertx vertx) {
    String room = unique("old");
    fill(room, 1, HISTORY_SIZE + 5); // seqs 1..125 written, 6..125 retained
    WsClient c = open(vertx, unique("eve"));
    String epoch = c.request(join(room).put("history", 0)).getString("epoch");

    JsonObject tooOld = c.request(join(room).put("since", since(2, epoch)));
    assertEquals(Boolean.FALSE, tooOld.getBoolean("recovered"), "seqs 3 to 5 are gone");
    assertEquals(range(76, 125), seqs(tooOld.getJsonArray("history")), "the latest 50");
    JsonObject justGone = c.request(join(room).put("since", since(4, epoch)));
    assertEquals(Boolean.FALSE, justGone.getBoolean("recovered"), "seq 5 is gone");
    // everything after seq 5 is retained: all 120 of them, more than any history page
    JsonObject all = c.request(join(room).put("since", since(5, epoch)));
    assertEquals(Boolean.TRUE, all.getBoolean("recovered"));
    assertEquals(range(6, 125), seqs(all.getJsonArray("history")));
    c.close();
  }

  @Test
  void roomNamesFollowThePatternAndABadSinceIsABadRequest(Vertx vertx) {
    WsClient c = open(vertx, unique("names"));
    String colon = unique("team") + ":dev";
    assertEquals("joined", c.request(join(colon)).getString("type"), "':' is allowed after the first character");
    String longest = unique("x");
    longest = longest + "y".repeat(64 - longest.length());
    assertEquals("joined", c.request(join(longest)).getString("type"), "64 characters");
    List<Object> bad = List.of(longest + "y", ":lead", "-lead", "has space", "ümlaut", "", "dm:a:b", "dm:x", 42);
    int n = 0;
    for (Object room : bad) {
      String id = "n-" + n++;
      assertError(c.request(new JsonObject().put("type", "join").put("id", id).put("room", room)), "bad_request", id);
    }
    assertError(c.request(new JsonObject().put("type", "join").put("id", "nr")), "bad_request", "nr");
    String room = unique("s");
    for (Object since : List.of("41", new JsonObject().put("seq", 1), new JsonObject().put("epoch", "e-1"),
        new JsonObject().put("seq", -1).put("epoch", "e-1"), new JsonObject().put("seq", "1").put("epoch", "e-1"),
        new JsonObject().put("seq", 1.5).put("epoch", "e-1"), new JsonObject().put("seq", 1).put("epoch", 7))) {
      String id = "s-" + n++;
      assertError(c.request(join(room).put("id", id).put("since", since)), "bad_request", id);
    }
    assertEquals("pong", c.request(new JsonObject().put("type", "ping")).getString("type"));
    c.close();
  }

  // ---- presence, leave

  @Test
  void presenceGoesToTheOtherMembersNotToTheJoinerAndJoiningAgainAddsNone(Vertx vertx) {
    String room = unique("pres");
    String alice = unique("alice");
    String bob = unique("bob");
    WsClient a = open(vertx, alice);
    a.request(join(room));
    WsClient b = open(vertx, bob);
    JsonObject joined = b.request(join(room));
    assertEquals(2, joined.getInteger("count"));

    JsonObject presence = a.await(presence("join", bob));
    assertEquals(room, presence.getString("room"));
    assertEquals(displayName(bob), presence.getString("name"));
    assertEquals(2, presence.getInteger("count"));
    assertFalse(presence.containsKey("id"));
    assertTrue(framesBeforePong(b).stream().noneMatch(type("presence")), "the joiner gets no presence of its own");

    JsonObject again = b.request(join(room).put("id", 5));
    assertEquals("joined", again.getString("type"));
    assertEquals(5L, again.getLong("id"));
    assertEquals(2, again.getInteger("count"));
    assertEquals(1, framesBeforePong(a).stream().filter(presence("join", bob)).count(),
        "joining again is not a second presence join");

    JsonObject left = b.request(new JsonObject().put("type", "leave").put("id", "l-1").put("room", room));
    assertEquals("left", left.getString("type"));
    assertEquals("l-1", left.getValue("id"));
    assertEquals(room, left.getString("room"));
    JsonObject gone = a.await(presence("leave", bob));
    assertEquals(room, gone.getString("room"));
    assertEquals(displayName(bob), gone.getString("name"));
    assertEquals(1, gone.getInteger("count"));
    assertError(b.request(publish(room, "after leaving").put("id", "p")), "not_member", "p");
    a.close();
    b.close();
  }

  @Test
  void aUserWithSeveralTabsCountsOnceAndLeavesWithItsLastTab(Vertx vertx) {
    String room = unique("tabs");
    String carol = unique("carol");
    String watcher = unique("watcher");
    WsClient w = open(vertx, watcher);
    w.request(join(room));
    WsClient tab1 = open(vertx, carol);
    tab1.request(join(room));
    assertEquals(2, w.await(presence("join", carol)).getInteger("count"));
    WsClient tab2 = open(vertx, carol);
    JsonObject second = tab2.request(join(room));
    assertEquals(2, second.getInteger("count"), "a user counts once");
    assertEquals(new JsonArray().add(member(carol)).add(member(watcher)), second.getJsonArray("members"));
    assertEquals(1, framesBeforePong(w).stream().filter(presence("join", carol)).count(), "no join for a second tab");

    tab1.request(new JsonObject().put("type", "leave").put("room", room));
    assertTrue(framesBeforePong(w).stream().noneMatch(presence("leave", carol)), "carol still has a tab in the room");
    JsonObject members = w.request(new JsonObject().put("type", "members").put("room", room));
    assertEquals(2, members.getInteger("count"));

    tab2.close();
    JsonObject gone = w.await(presence("leave", carol));
    assertEquals(1, gone.getInteger("count"));
    assertEquals(new JsonArray().add(member(watcher)),
        w.request(new JsonObject().put("type", "members").put("room", room)).getJsonArray("members"));
    tab1.close();
    w.close();
  }

  @Test
  void closingTheLastTabWhileAnotherLeftFirstAlsoSendsOneLeave(Vertx vertx) {
    String room = unique("tabs2");
    String dan = unique("dan");
    WsClient w = open(vertx, unique("watch"));
    w.request(join(room));
    WsClient tab1 = open(vertx, dan);
    WsClient tab2 = open(vertx, dan);
    tab1.request(join(room));
    tab2.request(join(room));
    tab1.close();
    // the close's clean-up sends the room's leave and the user's disconnect at once: once dan
    // counts one connection, the leave is on the room's partition, and the watcher's members
    // request queues behind it; a wrong leave would be sent as soon as the leave is answered
    io.switchboard.presence.UserDirectory users =
        new io.switchboard.presence.UserDirectory(cluster.node(0).vertx(), cluster.node(0).hazelcast());
    assertTrue(Await.until(vertx, () -> Await.of(users.totals(java.util.Set.of(dan))).getOrDefault(dan, 0) == 1, 20, 250),
        "tab1 counted out");
    w.request(new JsonObject().put("type", "members").put("room", room));
    assertTrue(framesBeforePong(w).stream().noneMatch(presence("leave", dan)), "one tab is still there");
    tab2.request(new JsonObject().put("type", "leave").put("room", room));
    w.await(presence("leave", dan));
    assertEquals(1, framesBeforePong(w).stream().filter(presence("leave", dan)).count());
    tab2.close();
    w.close();
  }

  @Test
  void membersAreOnePerUserSortedByUserIdInCodePointOrder(Vertx vertx) {
    String room = unique("sorted");
    int n = UNIQUE.incrementAndGet();
    // code-point order: digits < upper case < lower case
    List<String> users = List.of("zed-" + n, "amy-" + n, "Bob-" + n, "0x-" + n);
    List<WsClient> clients = new ArrayList<>();
    for (String u : users) {
      WsClient c = open(vertx, u);
      c.request(join(room));
      clients.add(c);
    }
    JsonArray expected = new JsonArray().add(member("0x-" + n)).add(member("Bob-" + n)).add(member("amy-" + n))
        .add(member("zed-" + n));
    JsonObject members = clients.get(1).request(new JsonObject().put("type", "members").put("id", "m").put("room", room));
    assertEquals("members", members.getString("type"));
    assertEquals("m", members.getValue("id"));
    assertEquals(room, members.getString("room"));
    assertEquals(expected, members.getJsonArray("members"));
    assertEquals(4, members.getInteger("count"));
    assertEquals(expected, clients.get(0).request(join(room)).getJsonArray("members"), "joined.members too");

    JsonObject empty = clients.get(0).request(new JsonObject().put("type", "members").put("room", unique("nobody")));
    assertEquals(new JsonArray(), empty.getJsonArray("members"));
    assertEquals(0, empty.getInteger("count"));
    clients.forEach(WsClient::close);
  }

  @Test
  void withoutANameClaimTheUserIdIsTheNameInPresenceMembersAndMessages(Vertx vertx) {
    String room = unique("noname");
    String plain = unique("plain");
    String watcher = unique("watcher");
    WsClient w = open(vertx, watcher);
    w.request(join(room));
    WsClient p = WsClient.open(vertx, port(), Tokens.of(new JsonObject().put("sub", plain)
        .put("exp", Tokens.nowSeconds() + 600)));
    JsonObject joined = p.request(join(room));
    JsonObject nameless = new JsonObject().put("user", plain).put("name", plain);
    assertEquals(new JsonArray().add(nameless).add(member(watcher)), joined.getJsonArray("members"));
    assertEquals(plain, w.await(presence("join", plain)).getString("name"));
    p.publish(room, "who am I");
    JsonObject message = w.awaitType("message");
    assertEquals(plain, message.getString("from"));
    assertEquals(plain, message.getString("name"));
    p.close();
    assertEquals(plain, w.await(presence("leave", plain)).getString("name"));
    w.close();
  }

  // ---- publish

  @Test
  void theSenderReceivesItsOwnMessageAndAnAckWithTheSameSeq(Vertx vertx) {
    String room = unique("pub");
    String alice = unique("alice");
    WsClient a = open(vertx, alice);
    WsClient b = open(vertx, unique("bob"));
    a.request(join(room));
    b.request(join(room));
    JsonObject ack = a.request(publish(room, "hello").put("id", "p-1"));
    assertEquals("ack", ack.getString("type"), ack.encode());
    assertEquals("p-1", ack.getValue("id"));
    assertEquals(room, ack.getString("room"));
    assertEquals(1L, ack.getLong("seq"));
    assertTrue(TS.matcher(ack.getString("ts")).matches(), ack.encode());
    assertFalse(ack.containsKey("online"), "online is for private messages");

    JsonObject own = a.awaitType("message");
    assertEquals(room, own.getString("room"));
    assertEquals(ack.getLong("seq"), own.getLong("seq"));
    assertEquals(alice, own.getString("from"));
    assertEquals(displayName(alice), own.getString("name"));
    assertEquals("hello", own.getString("text"));
    assertEquals(ack.getString("ts"), own.getString("ts"));
    assertFalse(own.containsKey("id"));
    assertFalse(own.containsKey("data"));
    assertFalse(own.containsKey("via"));
    assertEquals(own, b.awaitType("message"), "every member gets the same frame");
    a.close();
    b.close();
  }

  @Test
  void fromUserUsernameAndNameSentByTheClientAreIgnored(Vertx vertx) {
    String room = unique("spoof");
    String alice = unique("alice");
    WsClient a = open(vertx, alice);
    WsClient b = open(vertx, unique("bob"));
    a.request(join(room));
    b.request(join(room));
    a.request(publish(room, "it was me").put("from", "mallory").put("user", "mallory").put("username", "mallory")
        .put("name", "Mallory"));
    JsonObject seen = b.awaitType("message");
    assertEquals(alice, seen.getString("from"));
    assertEquals(displayName(alice), seen.getString("name"));
    assertFalse(seen.containsKey("user"));
    assertFalse(seen.containsKey("username"));
    JsonObject stored = history(b, room, new JsonObject()).getJsonArray("messages").getJsonObject(0);
    assertEquals(alice, stored.getString("from"));
    assertEquals(displayName(alice), stored.getString("name"));
    a.close();
    b.close();
  }

  @Test
  void textIsStoredAndRelayedExactlyAsSent(Vertx vertx) {
    String room = unique("exact");
    List<String> texts = List.of("<img src=x onerror=alert(1)>", "<script>alert(\"x\")</script>",
        "\"double\" 'single' `back` \\slash\\ &amp; &lt; </p>", "emoji 👋🏽🎉 and ünïcödé 中文 \u200b",
        "  leading and trailing spaces \n\t ", "a".repeat(4_000), "😀".repeat(4_000));
    WsClient rx = open(vertx, unique("rx"));
    rx.request(join(room));
    // two publishes per sender: the node's burst (a reconnection of the same user would go on
    // from what it spent)
    for (int i = 0; i < texts.size(); i += 2) {
      WsClient tx = open(vertx, unique("sender"));
      tx.request(join(room));
      for (String text : texts.subList(i, Math.min(i + 2, texts.size()))) {
        assertEquals("ack", tx.publish(room, text).getString("type"), text.length() + " chars");
      }
      tx.close();
    }
    List<JsonObject> received = rx.awaitMessages(room, texts.size());
    assertEquals(texts, received.stream().map(m -> m.getString("text")).toList());
    assertEquals(texts, texts(history(rx, room, new JsonObject().put("limit", 100)).getJsonArray("messages")));

    WsClient tx = open(vertx, unique("sender"));
    tx.request(join(room));
    assertError(tx.request(publish(room, "a".repeat(4_001)).put("id", "big")), "too_large", "big");
    assertError(tx.request(publish(room, "😀".repeat(4_001)).put("id", "big2")), "too_large", "big2");
    assertError(tx.request(publish(room, "😀".repeat(4_000) + "a").put("id", "big3")), "too_large", "big3");
    assertEquals("ack", tx.publish(room, "still usable").getString("type"));
    assertEquals(texts.size() + 1, history(rx, room, new JsonObject().put("limit", 100))
        .getJsonArray("messages").size(), "nothing too large was stored");
    tx.close();
    rx.close();
  }

  @Test
  void aDataObjectIsRelayedWithOrWithoutText(Vertx vertx) {
    String room = unique("data");
    WsClient a = open(vertx, unique("alice"));
    WsClient b = open(vertx, unique("bob"));
    a.request(join(room));
    b.request(join(room));
    JsonObject data = new JsonObject().put("k", new JsonArray().add(1).add(2.5).add(new JsonObject().putNull("n")))
        .put("s", "<b>bold</b>").put("nested", new JsonObject().put("deep", true));
    a.request(publish(room, "with data").put("data", data));
    a.request(new JsonObject().put("type", "publish").put("room", room).put("data", new JsonObject().put("only", 1)));
    List<JsonObject> seen = b.awaitMessages(room, 2);
    assertEquals("with data", seen.get(0).getString("text"));
    assertEquals(data, seen.get(0).getJsonObject("data"));
    assertFalse(seen.get(1).containsKey("text"));
    assertEquals(new JsonObject().put("only", 1), seen.get(1).getJsonObject("data"));
    a.close();
    b.close();
  }

  @Test
  void badPublishesAreErrorsWithTheirIdAndTheConnectionStaysUsable(Vertx vertx) {
    String room = unique("bad");
    WsClient a = open(vertx, unique("alice"));
    a.request(join(room));
    List<JsonObject> bad = List.of(
        new JsonObject().put("room", room),
        new JsonObject().put("room", room).putNull("text"),
        new JsonObject().put("room", room).put("text", ""),
        new JsonObject().put("room", room).put("text", 42),
        new JsonObject().put("room", room).put("text", new JsonArray().add("x")),
        new JsonObject().put("room", room).put("data", "a string"),
        new JsonObject().put("room", room).put("data", new JsonArray().add(1)),
        new JsonObject().put("room", room).put("text", "ok").put("data", 7),
        new JsonObject().put("text", "no room"),
        new JsonObject().put("room", "bad room").put("text", "x"),
        new JsonObject().put("room", 12).put("text", "x"));
    int n = 0;
    for (JsonObject frame : bad) {
      String id = "b-" + n++;
      assertError(a.request(frame.put("type", "publish").put("id", id)), "bad_request", id);
    }
    assertError(a.request(publish(unique("elsewhere"), "hi").put("id", 99)), "not_member", 99L);
    assertFalse(a.closed().isComplete());
    JsonObject ack = a.publish(room, "fine after all that");
    assertEquals("ack", ack.getString("type"), ack.encode());
    assertEquals(1L, ack.getLong("seq"), "none of the bad frames was stored");
    a.close();
  }

  // ---- ids, types, frames

  @Test
  void stringAndIntegerIdsAreEchoed(Vertx vertx) {
    WsClient c = open(vertx, unique("ids"));
    for (Object id : List.of("abc", "", "x".repeat(64), "😀".repeat(64), 0L, 42L, -7L, 9_007_199_254_740_991L,
        -9_007_199_254_740_991L)) {
      JsonObject pong = c.request(new JsonObject().put("type", "ping").put("id", id));
      assertEquals("pong", pong.getString("type"), String.valueOf(id));
      assertEquals(id, pong.getValue("id") instanceof Integer i ? Long.valueOf(i) : pong.getValue("id"));
    }
    c.close();
  }

  @Test
  void badIdsAreBadRequestAnsweredWithoutId(Vertx vertx) {
    WsClient c = open(vertx, unique("badids"));
    List<String> frames = List.of(
        "{\"type\":\"ping\",\"id\":\"" + "x".repeat(65) + "\"}",
        "{\"type\":\"ping\",\"id\":\"" + "😀".repeat(65) + "\"}",
        "{\"type\":\"ping\",\"id\":1.5}",
        "{\"type\":\"ping\",\"id\":1e3}",
        "{\"type\":\"ping\",\"id\":9007199254740992}",
        "{\"type\":\"ping\",\"id\":-9007199254740992}",
        "{\"type\":\"ping\",\"id\":null}",
        "{\"type\":\"ping\",\"id\":true}",
        "{\"type\":\"ping\",\"id\":{}}",
        "{\"type\":\"ping\",\"id\":[1]}",
        "{\"type\":\"publish\",\"id\":1.5,\"room\":\"r\",\"text\":\"x\"}");
    for (String frame : frames) {
      JsonObject error = sendAndAwaitError(c, frame);
      assertEquals("bad_request", error.getString("code"), frame);
      assertFalse(error.containsKey("id"), "answered without id: " + frame + " -> " + error.encode());
    }
    assertEquals("pong", c.request(new JsonObject().put("type", "ping")).getString("type"));
    c.close();
  }

  @Test
  void unknownTypesAndFramesThatAreNotJsonObjectsAreErrors(Vertx vertx) {
    WsClient c = open(vertx, unique("frames"));
    assertError(c.request(new JsonObject().put("type", "dance").put("id", "u")), "unknown_type", "u");
    assertError(c.request(new JsonObject().put("type", "JOIN").put("id", "u2").put("room", "x")), "unknown_type", "u2");
    assertError(c.request(new JsonObject().put("id", "t")), "bad_request", "t");
    assertError(c.request(new JsonObject().put("type", 42).put("id", "t2")), "bad_request", "t2");
    for (String text : List.of("not json", "{\"type\":\"ping\"", "[1,2]", "[{\"type\":\"ping\"}]", "\"ping\"", "42",
        "null", "")) {
      JsonObject error = sendAndAwaitError(c, text);
      assertEquals("bad_request", error.getString("code"), "'" + text + "'");
      assertFalse(error.containsKey("id"));
    }
    JsonObject binary = nextError(c, () -> c.sendBinary(Buffer.buffer("{\"type\":\"ping\",\"id\":1}")));
    assertEquals("bad_request", binary.getString("code"));
    // unknown fields are ignored
    JsonObject pong = c.request(new JsonObject().put("type", "ping").put("id", "last").put("future", "field"));
    assertEquals("pong", pong.getString("type"));
    assertFalse(c.closed().isComplete(), "errors never close the connection");
    c.close();
  }

  // ---- history

  @Test
  void historyPagesBackwardAndForwardWithMore(Vertx vertx) {
    String room = unique("pages");
    fill(room, 1, 105);
    WsClient c = open(vertx, unique("reader")); // reading needs no join

    JsonObject latest = history(c, room, new JsonObject().put("id", "h-1"));
    assertEquals("history", latest.getString("type"));
    assertEquals("h-1", latest.getValue("id"));
    assertEquals(room, latest.getString("room"));
    assertEquals(range(56, 105), seqs(latest.getJsonArray("messages")), "default limit 50, oldest first");
    assertEquals(Boolean.TRUE, latest.getBoolean("more"));
    JsonObject m = latest.getJsonArray("messages").getJsonObject(0);
    assertEquals("message", m.getString("type"));
    assertEquals("m56", m.getString("text"));

    assertPage(c, room, new JsonObject().put("limit", 10), range(96, 105), true);
    assertPage(c, room, new JsonObject().put("limit", 100), range(6, 105), true);
    assertPage(c, room, new JsonObject().put("before", 96).put("limit", 10), range(86, 95), true);
    assertPage(c, room, new JsonObject().put("before", 11).put("limit", 10), range(1, 10), false);
    assertPage(c, room, new JsonObject().put("before", 5).put("limit", 10), range(1, 4), false);
    assertPage(c, room, new JsonObject().put("before", 6).put("limit", 100), range(1, 5), false);
    assertPage(c, room, new JsonObject().put("before", 1), List.of(), false);
    assertPage(c, room, new JsonObject().put("after", 0).put("limit", 10), range(1, 10), true);
    assertPage(c, room, new JsonObject().put("after", 0).put("limit", 100), range(1, 100), true);
    assertPage(c, room, new JsonObject().put("after", 95).put("limit", 10), range(96, 105), false);
    assertPage(c, room, new JsonObject().put("after", 94).put("limit", 10), range(95, 104), true);
    assertPage(c, room, new JsonObject().put("after", 100), range(101, 105), false);
    assertPage(c, room, new JsonObject().put("after", 105), List.of(), false);
    assertPage(c, room, new JsonObject().put("limit", 1), List.of(105L), true);

    JsonObject empty = history(c, unique("silent"), new JsonObject());
    assertEquals(new JsonArray(), empty.getJsonArray("messages"));
    assertEquals(Boolean.FALSE, empty.getBoolean("more"));

    for (JsonObject bad : List.of(new JsonObject().put("limit", 0), new JsonObject().put("limit", 101),
        new JsonObject().put("limit", -1), new JsonObject().put("limit", 1.5), new JsonObject().put("limit", "10"),
        new JsonObject().put("before", -1), new JsonObject().put("after", "x"), new JsonObject().put("before", 2.5))) {
      assertError(history(c, room, bad.copy().put("id", "bad")), "bad_request", "bad");
    }
    assertError(c.request(new JsonObject().put("type", "history").put("id", "nr")), "bad_request", "nr");
    c.close();
  }

  // ---- ping, heartbeat

  @Test
  void pingAnswersPongAndHeartbeatAnswersHeartbeatAck(Vertx vertx) {
    WsClient c = open(vertx, unique("pinger"));
    JsonObject pong = c.request(new JsonObject().put("type", "ping").put("id", 7));
    assertEquals("pong", pong.getString("type"));
    assertEquals(7L, pong.getLong("id"));
    assertTrue(TS.matcher(pong.getString("ts")).matches(), pong.encode());

    c.send(new JsonObject().put("type", "heartbeat").encode());
    JsonObject ack = c.awaitType("heartbeat_ack");
    assertFalse(ack.containsKey("id"));
    assertTrue(TS.matcher(ack.getString("ts")).matches(), ack.encode());
    JsonObject withId = c.request(new JsonObject().put("type", "heartbeat").put("id", "hb"));
    assertEquals("heartbeat_ack", withId.getString("type"));
    assertEquals("hb", withId.getValue("id"));
    c.close();
  }

  // ---- grants and limits

  @Test
  void theRoomsClaimGrantsOnlyTheRoomsItLists(Vertx vertx) {
    String support = unique("support");
    String lobby = unique("lobby");
    String user = unique("agent");
    WsClient granted = WsClient.open(vertx, port(), Tokens.of(new JsonObject().put("sub", user)
        .put("exp", Tokens.nowSeconds() + 600).put("rooms", new JsonArray().add(support))));
    assertEquals("joined", granted.request(join(support)).getString("type"));
    assertError(granted.request(join(lobby).put("id", "j")), "forbidden", "j");
    assertError(history(granted, lobby, new JsonObject().put("id", "h")), "forbidden", "h");
    assertError(granted.request(new JsonObject().put("type", "members").put("id", "m").put("room", lobby)), "forbidden", "m");
    assertEquals("history", history(granted, support, new JsonObject()).getString("type"));

    WsClient none = WsClient.open(vertx, port(), Tokens.of(new JsonObject().put("sub", unique("nobody"))
        .put("exp", Tokens.nowSeconds() + 600).put("rooms", new JsonArray())));
    assertError(none.request(join(support).put("id", "j")), "forbidden", "j");
    assertError(none.request(join(lobby).put("id", "j2")), "forbidden", "j2");
    assertError(history(none, support, new JsonObject().put("id", "h")), "forbidden", "h");

    WsClient free = open(vertx, unique("free")); // no rooms claim: any room not starting with $
    assertEquals("joined", free.request(join(lobby)).getString("type"));
    assertEquals("joined", free.request(join(support)).getString("type"));
    granted.close();
    none.close();
    free.close();
  }

  @Test
  void theMetricsRoomNeedsTheAdminRoleAndSystemRoomsTakeNoPublish(Vertx vertx) {
    WsClient plain = open(vertx, unique("plain"));
    assertError(plain.request(join("$metrics").put("id", "m")), "forbidden", "m");
    assertError(history(plain, "$metrics", new JsonObject().put("id", "h")), "forbidden", "h");

    WsClient admin = WsClient.open(vertx, port(), Tokens.of(new JsonObject().put("sub", unique("root"))
        .put("exp", Tokens.nowSeconds() + 600).put("roles", new JsonArray().add("admin"))));
    assertEquals("joined", admin.request(join("$metrics")).getString("type"));
    assertError(admin.request(publish("$metrics", "fake numbers").put("id", "p")), "forbidden", "p");

    // a rooms claim limits the ordinary rooms, not the system rooms the roles allow
    WsClient limitedAdmin = WsClient.open(vertx, port(), Tokens.of(new JsonObject().put("sub", unique("ops"))
        .put("exp", Tokens.nowSeconds() + 600).put("roles", new JsonArray().add("admin")).put("rooms", new JsonArray())));
    assertEquals("joined", limitedAdmin.request(join("$metrics")).getString("type"));
    plain.close();
    admin.close();
    limitedAdmin.close();
  }

  @Test
  void aConnectionJoinsAtMostMaxRoomsRooms(Vertx vertx) {
    String user = unique("busy");
    WsClient c = open(vertx, user);
    String r1 = unique("r");
    String r2 = unique("r");
    String r3 = unique("r");
    assertEquals("joined", c.request(join(r1)).getString("type"));
    assertEquals("joined", c.request(join(r2)).getString("type"));
    assertError(c.request(join(r3).put("id", "third")), "limit", "third");
    assertEquals("joined", c.request(join(r1)).getString("type"), "joining a joined room again is no new room");
    c.request(new JsonObject().put("type", "leave").put("room", r2));
    assertEquals("joined", c.request(join(r3)).getString("type"), "a left room frees its place");
    // the limit is per connection: another tab of the same user starts from zero
    WsClient other = open(vertx, user);
    assertEquals("joined", other.request(join(r2)).getString("type"));
    c.close();
    other.close();
  }

  @Test
  void overTheRateAPublishIsRateLimitedAndNotStored(Vertx vertx) {
    String room = unique("rate");
    WsClient c = open(vertx, unique("quick"));
    c.request(join(room));
    // burst 2, rate 1/s: the third publish in a row has no token left
    Future<JsonObject> first = c.next(id("q-1"));
    Future<JsonObject> second = c.next(id("q-2"));
    Future<JsonObject> third = c.next(id("q-3"));
    for (int i = 1; i <= 3; i++) {
      c.send(publish(room, "quick " + i).put("id", "q-" + i).encode());
    }
    assertEquals("ack", Await.of(first).getString("type"));
    assertEquals("ack", Await.of(second).getString("type"));
    JsonObject refused = Await.of(third);
    assertError(refused, "rate_limited", "q-3");
    assertTrue(refused.getValue("retryAfterMs") instanceof Number ms && ms.longValue() > 0, refused.encode());

    JsonObject history = history(c, room, new JsonObject().put("limit", 100));
    assertEquals(List.of("quick 1", "quick 2"), texts(history.getJsonArray("messages")));
    assertTrue(framesBeforePong(c).stream().noneMatch(f -> "quick 3".equals(f.getString("text"))),
        "the refused message was not relayed");
    c.close();
  }

  @Test
  void privateMessagesAreRateLimitedAsPublishesAre(Vertx vertx) {
    String sender = unique("chatty");
    String to = unique("target");
    WsClient c = open(vertx, sender);
    for (int i = 1; i <= 3; i++) {
      c.send(new JsonObject().put("type", "private").put("id", "d-" + i).put("to", to).put("text", "dm " + i).encode());
    }
    assertEquals("ack", c.await(id("d-1")).getString("type"));
    assertEquals("ack", c.await(id("d-2")).getString("type"));
    JsonObject refused = c.await(id("d-3"));
    assertError(refused, "rate_limited", "d-3");
    assertTrue(refused.getValue("retryAfterMs") instanceof Number ms && ms.longValue() > 0, refused.encode());
    String dm = sender.compareTo(to) < 0 ? "dm:" + sender + ":" + to : "dm:" + to + ":" + sender;
    assertEquals(List.of("dm 1", "dm 2"), texts(history(c, dm, new JsonObject()).getJsonArray("messages")));
    c.close();
  }

  // ---- helpers

  private static int port() {
    return cluster.port(0);
  }

  private static String unique(String base) {
    return base + "-" + UNIQUE.incrementAndGet();
  }

  private static WsClient open(Vertx vertx, String user) {
    return WsClient.open(vertx, port(), Tokens.user(user));
  }

  /** The display name {@link Tokens#user} gives. */
  private static String displayName(String user) {
    return Character.toUpperCase(user.charAt(0)) + user.substring(1);
  }

  private static JsonObject member(String user) {
    return new JsonObject().put("user", user).put("name", displayName(user));
  }

  private static JsonObject join(String room) {
    return new JsonObject().put("type", "join").put("room", room);
  }

  private static JsonObject publish(String room, String text) {
    return new JsonObject().put("type", "publish").put("room", room).put("text", text);
  }

  private static JsonObject since(long seq, String epoch) {
    return new JsonObject().put("seq", seq).put("epoch", epoch);
  }

  private static JsonObject history(WsClient c, String room, JsonObject params) {
    return c.request(params.copy().put("type", "history").put("room", room));
  }

  private static void assertPage(WsClient c, String room, JsonObject params, List<Long> seqs, boolean more) {
    JsonObject page = history(c, room, params);
    assertEquals(seqs, seqs(page.getJsonArray("messages")), params.encode());
    assertEquals(more, page.getBoolean("more"), "more for " + params.encode());
  }

  /**
   * Writes the messages "m{first}" to "m{last}" one after the other through the event bus API
   * (section 4), free of the sockets' rate limit; in a fresh room "m{n}" has seq n.
   */
  private static void fill(String room, int first, int last) {
    EventBus bus = cluster.node(0).vertx().eventBus();
    Future<Object> chain = Future.succeededFuture();
    for (int i = first; i <= last; i++) {
      JsonObject body = new JsonObject().put("room", room).put("from", FEEDER).put("text", "m" + i);
      chain = chain.compose(x -> bus.request(Addresses.PUBLISH, body).map(m -> m.body()));
    }
    Await.of(chain, 60);
  }

  private static Predicate<JsonObject> type(String type) {
    return f -> type.equals(f.getString("type"));
  }

  private static Predicate<JsonObject> id(Object id) {
    return f -> id.equals(f.getValue("id"));
  }

  private static Predicate<JsonObject> presence(String event, String user) {
    return f -> "presence".equals(f.getString("type")) && event.equals(f.getString("event"))
        && user.equals(f.getString("user"));
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

  private static JsonObject sendAndAwaitError(WsClient c, String text) {
    return nextError(c, () -> c.send(text));
  }

  private static JsonObject nextError(WsClient c, Runnable send) {
    Future<JsonObject> error = c.next(type("error"));
    send.run();
    return Await.of(error);
  }

  private static void assertError(JsonObject frame, String code, Object id) {
    assertEquals("error", frame.getString("type"), frame.encode());
    assertEquals(code, frame.getString("code"), frame.encode());
    Object actual = frame.getValue("id") instanceof Integer i ? Long.valueOf(i) : frame.getValue("id");
    assertEquals(id, actual, frame.encode());
    assertNotNull(frame.getString("message"), frame.encode());
  }

  private static List<Long> range(long from, long to) {
    return LongStream.rangeClosed(from, to).boxed().toList();
  }

  private static List<Long> seqs(JsonArray messages) {
    List<Long> out = new ArrayList<>();
    for (int i = 0; i < messages.size(); i++) {
      out.add(messages.getJsonObject(i).getLong("seq"));
    }
    return out;
  }

  private static List<String> texts(JsonArray messages) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < messages.size(); i++) {
      out.add(messages.getJsonObject(i).getString("text"));
    }
    return out;
  }
}
