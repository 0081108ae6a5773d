package io.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.support.Await;
import io.switchboard.support.TestCluster;
import io.switchboard.support.Tokens;
import io.switchboard.support.WsClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A member that stops reading while its room is busy: it is closed with 4002 and its presence
 * goes at once; the others receive everything, in order.
 */
@ExtendWith(VertxExtension.class)
class SlowConsumerSocketTest {

  private static final int MAX_MESSAGES = 6_000;
  private static final int BATCH = 100;

  private static long heapAfterGc() {
    java.lang.management.MemoryMXBean memory = java.lang.management.ManagementFactory.getMemoryMXBean();
    for (int i = 0; i < 3; i++) {
      memory.gc();
    }
    return memory.getHeapMemoryUsage().getUsed();
  }

  @Test
  void aClientThatStopsReadingIsClosedWith4002AndTheOthersGetEverything(Vertx vertx) {
    try (TestCluster cluster = TestCluster.start(1, Map.of("limits.outboundBytes", 64 * 1024, "limits.maxFrameBytes", 32 * 1024,
        "limits.rate", 1_000_000, "limits.burst", 1_000_000))) {
      String room = "firehose";
      WsClient slow = WsClient.open(vertx, cluster.port(0), Tokens.user("sloth"));
      slow.join(room);
      WsClient fast = WsClient.open(vertx, cluster.port(0), Tokens.user("hare"));
      fast.join(room);
      WsClient publisher = WsClient.open(vertx, cluster.port(0), Tokens.user("firehose"));
      publisher.join(room);
      long baseline = heapAfterGc();
      Future<JsonObject> slothLeft = publisher.next(f -> "presence".equals(f.getString("type"))
          && "leave".equals(f.getString("event")) && "sloth".equals(f.getString("user")));
      slow.socket().pause();

      String text = "x".repeat(3_900);
      int sent = 0;
      while (!slothLeft.isComplete() && sent < MAX_MESSAGES) {
        List<Future<JsonObject>> acks = new ArrayList<>();
        for (int i = 0; i < BATCH; i++, sent++) {
          String id = "f" + sent;
          acks.add(publisher.next(f -> id.equals(f.getValue("id"))));
          publisher.socket().writeTextMessage(new JsonObject().put("type", "publish").put("id", id).put("room", room)
              .put("text", text).encode());
        }
        Await.of(Future.all(acks), 60);
      }
      assertTrue(slothLeft.isComplete(), "the slow consumer was closed within " + sent + " messages");
      JsonObject members = publisher.request(new JsonObject().put("type", "members").put("room", room));
      assertEquals(2, members.getInteger("count"), "its presence is gone at once: " + members);

      // the fast member got every message, in order, without gap
      List<JsonObject> got = fast.awaitMessages(room, sent);
      for (int i = 0; i < sent; i++) {
        assertEquals(i + 1, got.get(i).getLong("seq"));
      }
      // nothing of the slow consumer's backlog is kept once it is gone
      fast.forget();
      publisher.forget();
      long retained = heapAfterGc() - baseline;
      assertTrue(retained < 16 * 1024 * 1024, "heap after GC grew by " + retained / 1024 + " KiB");
      slow.socket().resume();
      WsClient.Close close = slow.awaitClose();
      assertTrue(close.code() == 4002 || close.code() == 1006, "4002, or dropped before the close frame: " + close);
      // a client that reads nothing rarely sees the close frame: the node's count says which code it sent
      assertClosedOnceAsSlowConsumer(cluster);
      fast.close();
      publisher.close();
    }
  }

  /**
   * Vert.x answers every ping frame with a pong by itself, past the write queue's limit: a
   * client that sent pings and read nothing grew the node's heap by its upload speed. Pongs
   * that the client leaves unread now count like any other unsent data.
   */
  @Test
  void aClientThatPingsWithoutReadingIsClosedWith4002(Vertx vertx) {
    // a rate so high that the frames' bucket lets every ping in (at the default rate, a ping
    // flood is closed as abuse first: FloodSocketTest): only the pongs left unread close it here
    try (TestCluster cluster = TestCluster.start(1, Map.of("limits.outboundBytes", 64 * 1024, "limits.maxFrameBytes", 32 * 1024,
        "limits.rate", 1_000_000, "limits.burst", 1_000_000))) {
      WsClient pinger = WsClient.open(vertx, cluster.port(0), Tokens.user("pinger"));
      pinger.join("echoes");
      WsClient other = WsClient.open(vertx, cluster.port(0), Tokens.user("listener"));
      other.join("echoes");
      Future<JsonObject> pingerLeft = other.next(f -> "presence".equals(f.getString("type"))
          && "leave".equals(f.getString("event")) && "pinger".equals(f.getString("user")));
      pinger.socket().pause();
      io.vertx.core.buffer.Buffer payload = io.vertx.core.buffer.Buffer.buffer("p".repeat(125));
      int sent = 0;
      // the kernel's buffers on both ends take a few MB of pongs first; 200 000 are 26 MB
      while (!pingerLeft.isComplete() && sent < 200_000) {
        Future<Void> last = null;
        for (int i = 0; i < 1_000; i++, sent++) {
          last = pinger.socket().writePing(payload);
        }
        try {
          Await.of(last);
        } catch (RuntimeException closedMeanwhile) {
          break;
        }
      }
      assertEquals("pinger", Await.of(pingerLeft).getString("user"), "closed within " + sent + " pings");
      pinger.socket().resume();
      WsClient.Close close = pinger.awaitClose();
      assertTrue(close.code() == 4002 || close.code() == 1006, "4002, or dropped before the close frame: " + close);
      assertClosedOnceAsSlowConsumer(cluster);
      other.close();
    }
  }

  /**
   * A {@code joined} or {@code history} reply is one frame: holding every stored message asked
   * for, 20 messages of 7.8 KB are 160 KB, past the 64 KiB limit, and the reader was closed as a
   * slow consumer by its own join. The reply keeps to half the limit and pages the rest.
   */
  @Test
  void repliesOfLargeStoredMessagesKeepWithinTheLimitAndPageTheRest(Vertx vertx) {
    try (TestCluster cluster = TestCluster.start(1, Map.of("limits.outboundBytes", 64 * 1024, "limits.maxFrameBytes", 32 * 1024,
        "limits.rate", 1_000_000, "limits.burst", 1_000_000))) {
      String room = "posters";
      WsClient poster = WsClient.open(vertx, cluster.port(0), Tokens.user("poster"));
      poster.join(room);
      String text = "é".repeat(3_900); // 7 800 bytes of UTF-8: the budget is counted in bytes, not chars
      for (int i = 1; i <= 20; i++) {
        assertEquals(i, poster.publish(room, text).getLong("seq"));
      }

      WsClient reader = WsClient.open(vertx, cluster.port(0), Tokens.user("reader"));
      JsonObject joined = reader.request(new JsonObject().put("type", "join").put("room", room).put("history", 50));
      List<Long> latest = seqs(joined.getJsonArray("history"));
      assertTrue(latest.size() >= 2 && latest.size() <= 4, "as many as fit in 32 KiB: " + latest);
      assertEquals(20L, latest.get(latest.size() - 1), "the newest ones");
      assertContiguous(latest);

      // older ones page backwards from the first one given, with more=true while any remain
      JsonObject older = reader.request(new JsonObject().put("type", "history").put("room", room)
          .put("before", latest.get(0)).put("limit", 100));
      List<Long> page = seqs(older.getJsonArray("messages"));
      assertEquals(latest.get(0) - 1, page.get(page.size() - 1));
      assertContiguous(page);
      assertTrue(older.getBoolean("more"), "older ones remain: " + page);
      // forwards from the start: the oldest of the page
      JsonObject first = reader.request(new JsonObject().put("type", "history").put("room", room)
          .put("after", 0).put("limit", 100));
      List<Long> firstPage = seqs(first.getJsonArray("messages"));
      assertEquals(1L, firstPage.get(0));
      assertContiguous(firstPage);
      assertTrue(firstPage.size() < 20 && first.getBoolean("more"), "newer ones remain: " + firstPage);

      // a recovery that does not fit is no recovery: the client learns it must page
      JsonObject again = reader.request(new JsonObject().put("type", "join").put("room", room)
          .put("since", new JsonObject().put("seq", 0).put("epoch", joined.getString("epoch"))));
      assertEquals(false, again.getBoolean("recovered"));
      assertEquals(20L, seqs(again.getJsonArray("history")).get(again.getJsonArray("history").size() - 1));

      assertEquals("pong", reader.request(new JsonObject().put("type", "ping")).getString("type"));
      assertFalse(reader.closed().isComplete(), "the reader is still connected");
      reader.close();
      poster.close();
    }
  }

  /**
   * Every member of a room of 2 000 is a 92 KB {@code joined}, past a 64 KiB limit: the joiner
   * was closed by its own join. The list keeps to the budget; {@code count} still counts all.
   */
  @Test
  void aJoinToARoomOfThousandsListsTheFirstMembersThatFitAndCountsThemAll(Vertx vertx) {
    try (TestCluster cluster = TestCluster.start(1, Map.of("limits.outboundBytes", 64 * 1024, "limits.maxFrameBytes", 32 * 1024))) {
      var hz = cluster.node(0).hazelcast();
      for (int i = 0; i < 2_000; i++) {
        io.switchboard.room.RoomOpsForTests.ghostJoin(hz, "arena", String.format("member-%04d", i), "n-elsewhere");
      }
      WsClient joiner = WsClient.open(vertx, cluster.port(0), Tokens.user("zz-joiner"));
      JsonObject joined = joiner.join("arena");
      assertEquals(2_001, joined.getInteger("count"));
      int listed = joined.getJsonArray("members").size();
      assertTrue(listed > 100 && listed < 2_001, "the members that fit in 16 KiB: " + listed);
      assertEquals("member-0000", joined.getJsonArray("members").getJsonObject(0).getString("user"), "the first by user id");
      JsonObject members = joiner.request(new JsonObject().put("type", "members").put("room", "arena"));
      assertEquals(2_001, members.getInteger("count"));
      assertEquals(listed, members.getJsonArray("members").size());
      assertEquals("pong", joiner.request(new JsonObject().put("type", "ping")).getString("type"));
      assertFalse(joiner.closed().isComplete(), "the joiner is still connected");
      joiner.close();
    }
  }

  private static List<Long> seqs(io.vertx.core.json.JsonArray messages) {
    List<Long> seqs = new ArrayList<>();
    for (int i = 0; i < messages.size(); i++) {
      seqs.add(messages.getJsonObject(i).getLong("seq"));
    }
    return seqs;
  }

  private static void assertContiguous(List<Long> seqs) {
    for (int i = 1; i < seqs.size(); i++) {
      assertEquals(seqs.get(i - 1) + 1, seqs.get(i), "contiguous: " + seqs);
    }
  }

  /** The one server-side close so far was a 4002 ("slow consumer"), not some other code. */
  private static void assertClosedOnceAsSlowConsumer(TestCluster cluster) {
    var meters = cluster.node(0).services().metrics().meters();
    double total = meters.get("switchboard.connections.closed").counters().stream()
        .filter(c -> !"client".equals(c.getId().getTag("code"))).mapToDouble(c -> c.count()).sum();
    assertEquals(1.0, meters.get("switchboard.connections.closed").tag("code", "4002").counter().count(), "closed with 4002");
    assertEquals(1.0, total, "and with no other code");
  }

  /** {@code rooms} rooms whose latest messages fill a joined reply's half of outboundBytes (1 MiB). */
  private static void longRooms(WsClient writer, int rooms) {
    String text = "y".repeat(60_000);
    for (int r = 0; r < rooms; r++) {
      writer.join("long-" + r);
      for (int i = 0; i < 9; i++) {
        writer.publish("long-" + r, text);
      }
    }
  }

  /** Asks for every long room at once, and {@code reads} history pages, over a socket that reads nothing yet. */
  private static io.switchboard.support.RawWebSocket askForAll(int port, int rooms, int reads) throws Exception {
    io.switchboard.support.RawWebSocket reader = io.switchboard.support.RawWebSocket.open(port, Tokens.user("returner"));
    assertEquals("welcome", new JsonObject(reader.readText()).getString("type"));
    List<String> joins = new ArrayList<>();
    for (int r = 0; r < rooms; r++) {
      joins.add(new JsonObject().put("type", "join").put("id", "j" + r).put("room", "long-" + r).encode());
    }
    for (int i = 0; i < reads; i++) {
      joins.add(new JsonObject().put("type", "history").put("id", "h" + i).put("room", "long-0").encode());
    }
    reader.sendTexts(joins);
    return reader;
  }

  /**
   * A client that sends many joins at once on a slow link (a page rejoining its rooms after a
   * reconnect): each reply may take half of limits.outboundBytes, and together they passed it,
   * so the client was closed with 4002 for replies it had asked for. The next one now waits
   * until the socket has drained, and every reply comes. The replies, about 12 MB, are more than
   * the kernel's buffers on both sides of a loopback socket hold (about 4 MiB here).
   */
  @Test
  void manyLargeRepliesAskedAtOnceWaitForTheSocketInsteadOfClosingIt(Vertx vertx) throws Exception {
    int rooms = 24;
    try (TestCluster cluster = TestCluster.start(1, Map.of("limits.maxFrameBytes", 128 * 1024, "limits.maxTextChars", 100_000,
        "limits.rate", 1_000_000, "limits.burst", 1_000_000, "limits.maxRooms", rooms))) {
      WsClient writer = WsClient.open(vertx, cluster.port(0), Tokens.user("scribe"));
      longRooms(writer, rooms);
      try (io.switchboard.support.RawWebSocket reader = askForAll(cluster.port(0), rooms, 0)) {
        // the node writes replies until the socket's buffers are full, and then holds the rest:
        // with them past outboundBytes, 4002. Full when what waits here has stopped growing
        long waiting = Await.steady(vertx, () -> {
          try {
            return reader.unread();
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        }, 100, 3, 100);
        assertTrue(waiting >= 64 * 1024, "the node filled the socket: " + waiting + " bytes wait to be read");
        int joined = 0;
        while (joined < rooms) {
          String frame = reader.readText();
          assertTrue(frame != null, "closed after " + joined + " of " + rooms + " replies");
          JsonObject f = new JsonObject(frame);
          if ("joined".equals(f.getString("type"))) {
            assertTrue(f.getJsonArray("history").size() > 0, "with its history");
            joined++;
          }
        }
      }
      writer.close();
    }
  }

  /**
   * A client that asked for large replies and then reads nothing: its requests wait for the
   * socket, no frame of it is read meanwhile, and the heartbeat counts that wait as life; past
   * heartbeat.timeout it is closed as the slow consumer it is, not kept forever.
   */
  @Test
  void aClientThatNeverReadsWhatItAskedForIsClosedWith4002(Vertx vertx) throws Exception {
    int rooms = 14;
    try (TestCluster cluster = TestCluster.start(1, Map.of("limits.maxFrameBytes", 128 * 1024, "limits.maxTextChars", 100_000,
        "limits.rate", 1_000_000, "limits.burst", 1_000_000, "limits.maxRooms", rooms,
        "heartbeat.interval", 1_000, "heartbeat.timeout", 3_000))) {
      WsClient writer = WsClient.open(vertx, cluster.port(0), Tokens.user("scribe"));
      longRooms(writer, rooms);
      // enough requests that the connection stops reading (64 queued): then the heartbeat cannot tell
      Future<JsonObject> gone = writer.next(f -> "presence".equals(f.getString("type"))
          && "returner".equals(f.getString("user")) && "leave".equals(f.getString("event")));
      try (io.switchboard.support.RawWebSocket reader = askForAll(cluster.port(0), rooms, 60)) {
        Await.of(gone, 30);
        assertEquals(4002, reader.awaitCloseCode());
      }
      writer.close();
    }
  }
}
