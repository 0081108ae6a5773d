package io.switchboard.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.switchboard.support.Await;
import io.switchboard.support.RawWebSocket;
import io.switchboard.support.TestCluster;
import io.switchboard.support.Tokens;
import io.switchboard.support.WsClient;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * 100 000 hostile frames from several connections (DESIGN property 6): every one is answered
 * with exactly one frame, nothing closes those connections, no event loop is reported blocked,
 * and a well-behaved pair of clients in the same node keeps its whole, ordered conversation.
 */
@ExtendWith(VertxExtension.class)
class FuzzSocketTest {

  private static final int CONNECTIONS = 4;
  private static final int FRAMES_EACH = 25_000;
  private static final int BATCH = 1_000;
  private static final int MAX_FRAME = 65_536;
  /** Frames that are not replies to a frame the connection sent. */
  private static final Set<String> DELIVERIES = Set.of("welcome", "message", "presence", "private");

  @Test
  void hostileFramesAreAnsweredOneByOneAndHurtNobody(Vertx vertx) throws Exception {
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.addAppender(logs);
    long seed = System.nanoTime();
    try (TestCluster cluster = TestCluster.start(1, Map.of("limits.rate", 1_000_000, "limits.burst", 1_000_000))) {
      int port = cluster.port(0);
      WsClient calmWriter = WsClient.open(vertx, port, Tokens.user("calm-writer"));
      WsClient calmReader = WsClient.open(vertx, port, Tokens.user("calm-reader"));
      calmWriter.join("calm");
      calmReader.join("calm");
      Future<Integer> calm = steadyConversation(calmWriter, 300);

      List<WsClient> fuzzers = new ArrayList<>();
      for (int c = 0; c < CONNECTIONS; c++) {
        fuzzers.add(WsClient.open(vertx, port, Tokens.user("fuzz" + c)));
      }
      Predicate<JsonObject> reply = f -> !DELIVERIES.contains(f.getString("type"));
      List<FrameFuzzer> generators = new ArrayList<>();
      for (int c = 0; c < CONNECTIONS; c++) {
        generators.add(new FrameFuzzer(seed + c, MAX_FRAME));
      }
      // the connections are fuzzed side by side, a batch at a time
      for (int sent = 0; sent < FRAMES_EACH; sent += BATCH) {
        List<Future<List<JsonObject>>> answered = new ArrayList<>();
        for (int c = 0; c < CONNECTIONS; c++) {
          WsClient ws = fuzzers.get(c);
          for (int i = 0; i < BATCH; i++) {
            int n = sent + i;
            if (n % 97 == 0) {
              ws.socket().writeBinaryMessage(Buffer.buffer(new byte[] {1, 2, 3}));
            } else if (n % 89 == 0) {
              String frame = "{\"type\":\"ping\",\"id\":\"frag" + n + "\"}";
              ws.socket().writeFrame(WebSocketFrame.textFrame(frame.substring(0, 7), false));
              ws.socket().writeFrame(WebSocketFrame.continuationFrame(Buffer.buffer(frame.substring(7)), true));
            } else {
              ws.socket().writeTextMessage(generators.get(c).next());
            }
          }
          answered.add(ws.collect(reply, sent + BATCH));
        }
        Await.of(Future.all(answered), 60);
      }
      for (int c = 0; c < CONNECTIONS; c++) {
        WsClient ws = fuzzers.get(c);
        assertFalse(ws.closed().isComplete(), "fuzz connection " + c + " (seed " + (seed + c) + ") still open");
        // a frame's answer comes after those of the frames before it (a ping's would not: it is
        // answered as read): once this one is in, every answer is, and a late duplicate counts
        ws.request(new JsonObject().put("type", "leave").put("room", "fuzz-never-joined").put("id", "last"));
        assertEquals(FRAMES_EACH + 1, ws.frames().stream().filter(reply).count(),
            "exactly one answer per frame (seed " + (seed + c) + ")");
        assertTrue(ws.frames().stream().filter(reply).allMatch(f -> !"error".equals(f.getString("type"))
            || Set.of("bad_request", "unknown_type", "forbidden", "not_member", "too_large", "limit")
                .contains(f.getString("code"))), "only documented error codes (seed " + (seed + c) + ")");
      }

      // invalid UTF-8 in a text frame: not JSON either, so bad_request, and the connection lives on
      try (RawWebSocket raw = RawWebSocket.open(port, Tokens.user("bad-bytes"))) {
        assertEquals("welcome", new JsonObject(raw.readText()).getString("type"));
        raw.sendFrame(0x1, new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}'});
        JsonObject error = new JsonObject(raw.readText());
        assertEquals("bad_request", error.getString("code"));
        raw.sendText("{\"type\":\"ping\",\"id\":1}");
        assertEquals("pong", new JsonObject(raw.readText()).getString("type"));
      }

      int delivered = Await.of(calm, 60);
      List<JsonObject> got = calmReader.awaitMessages("calm", delivered);
      for (int i = 0; i < delivered; i++) {
        assertEquals(i + 1, got.get(i).getLong("seq"), "the calm conversation is whole and in order");
      }
      JsonObject pong = calmReader.request(new JsonObject().put("type", "ping"));
      assertEquals("pong", pong.getString("type"));
    } finally {
      root.detachAppender(logs);
    }
    assertTrue(logs.list.stream().noneMatch(e -> e.getFormattedMessage().contains("has been blocked")),
        "no event loop was blocked");
    assertTrue(logs.list.stream().noneMatch(e -> e.getFormattedMessage().contains("Unhandled exception")),
        "no unhandled exception");
  }

  /** Publishes {@code count} messages one after the other, each after the previous ack. */
  private static Future<Integer> steadyConversation(WsClient writer, int count) {
    Promise<Integer> done = Promise.promise();
    AtomicInteger n = new AtomicInteger();
    Runnable[] next = new Runnable[1];
    next[0] = () -> {
      int i = n.incrementAndGet();
      if (i > count) {
        done.complete(count);
        return;
      }
      String id = "calm" + i;
      writer.next(f -> id.equals(f.getValue("id"))).onSuccess(ack -> next[0].run()).onFailure(done::fail);
      writer.socket().writeTextMessage(new JsonObject().put("type", "publish").put("id", id).put("room", "calm")
          .put("text", "calm " + i).encode());
    };
    next[0].run();
    return done.future();
  }
}
