package io.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.switchboard.auth.Identity;
import io.switchboard.ops.NodeMetrics;
import io.switchboard.room.EncodedFrame;
import io.switchboard.room.NodeRouter;
import io.switchboard.support.Await;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * After a node died, the streams that are behind their log's end read it, and only they: every
 * stream of every event loop read its log at once, nearly all for nothing (80 000 reads for
 * 10 000 rooms on eight loops). A room whose end could not be read is read as before.
 */
@ExtendWith(VertxExtension.class)
class NodeLeftCatchUpTest {

  private static final Identity BOB = new Identity("bob", "Bob", Set.of(), null, 0);
  private static final String AT_END = "dm:alice:bob";
  private static final String BEHIND = "dm:bob:carol";
  private static final String UNKNOWN = "dm:bob:dan";
  private static final String RESTARTED = "dm:bob:eve";

  @Test
  void onlyTheStreamsBehindTheirLogsEndReadIt(Vertx vertx, VertxTestContext test) {
    List<String> got = new CopyOnWriteArrayList<>();
    Map<String, Integer> reads = new ConcurrentHashMap<>();
    LogReader log = new LogReader() {
      @Override
      public Future<LogPage> after(String room, long afterSeq, int limit) {
        reads.merge(room, 1, Integer::sum);
        // the log holds seqs 1 and 2 of every conversation: 2 was stored by the node that died
        return Future.succeededFuture(new LogPage(afterSeq + 1,
            java.util.stream.LongStream.rangeClosed(afterSeq + 1, 2).mapToObj(s -> frame(room, s)).toList(), false));
      }

      @Override
      public Future<Map<String, Map.Entry<String, Long>>> tails(Set<String> rooms) {
        test.verify(() -> assertEquals(Set.of(AT_END, BEHIND, UNKNOWN, RESTARTED), rooms));
        // AT_END ends where its stream is; UNKNOWN's partition did not answer; RESTARTED has a new log
        return Future.succeededFuture(Map.of(AT_END, Map.entry("e", 1L), BEHIND, Map.entry("e", 2L),
            RESTARTED, Map.entry("e-new", 1L)));
      }
    };
    vertx.runOnContext(v -> {
      RoomStreams streams = new RoomStreams(vertx, vertx.getOrCreateContext(), new NodeRouter(), log, new NodeMetrics());
      streams.addUser(new ClientSession("s1", RecordingSocket.into(got), BOB, null, null, 0, null));
      for (String room : List.of(AT_END, BEHIND, UNKNOWN, RESTARTED)) {
        streams.onPrivate(room, "e", 1, EncodedFrame.of(frame(room, 1)));
      }
      Await.when(vertx, () -> got.size() >= 4).onComplete(test.succeeding(started -> { // each stream follows its log from 1
        test.verify(() -> assertEquals(4, got.size(), got.toString()));
        streams.onNodeLeft();
        // the reads of one sweep go out together; one read too many would come with them
        Await.when(vertx, () -> got.contains(frame(BEHIND, 2)) && reads.containsKey(UNKNOWN))
            .compose(read -> vertx.timer(OrderedStream.GAP_WAIT_MS))
            .onComplete(test.succeeding(t -> test.verify(() -> {
              assertEquals(Map.of(BEHIND, 1, UNKNOWN, 1), reads,
                "the stream at its log's end read nothing, nor the one whose log began again (its seqs name other messages)");
              assertEquals(1, got.stream().filter(f -> f.equals(frame(BEHIND, 2))).count(), "2 read from the log: " + got);
              test.completeNow();
            })));
      }));
    });
  }

  /**
   * The conversation quiet longest is the likeliest to miss the dead node's last message: while
   * the node reads where the logs end, none is let go for quiet (let go, it would wait for its
   * next message).
   */
  @Test
  void noConversationIsLetGoWhileTheTailsAreRead(Vertx vertx, VertxTestContext test) {
    List<String> got = new CopyOnWriteArrayList<>();
    io.vertx.core.Promise<Map<String, Map.Entry<String, Long>>> answer = io.vertx.core.Promise.promise();
    LogReader log = new LogReader() {
      @Override
      public Future<LogPage> after(String room, long afterSeq, int limit) {
        return Future.succeededFuture(new LogPage(afterSeq + 1,
            java.util.stream.LongStream.rangeClosed(afterSeq + 1, 2).mapToObj(s -> frame(room, s)).toList(), false));
      }

      @Override
      public Future<Map<String, Map.Entry<String, Long>>> tails(Set<String> rooms) {
        return answer.future();
      }
    };
    vertx.runOnContext(v -> {
      RoomStreams streams = new RoomStreams(vertx, vertx.getOrCreateContext(), new NodeRouter(), log, new NodeMetrics());
      streams.addUser(new ClientSession("s1", RecordingSocket.into(got), BOB, null, null, 0, null));
      streams.onPrivate(BEHIND, "e", 1, EncodedFrame.of(frame(BEHIND, 1)));
      Await.when(vertx, () -> !got.isEmpty()).onComplete(test.succeeding(started -> {
        streams.onNodeLeft();
        long later = io.switchboard.ops.Clocks.monotonicMillis() + 3_600_000;
        test.verify(() -> assertEquals(0, streams.closeIdleConversations(later), "kept while the tails are read"));
        answer.complete(Map.of(BEHIND, Map.entry("e", 2L)));
        Await.when(vertx, () -> got.size() >= 2).onComplete(test.succeeding(t -> test.verify(() -> {
          assertEquals(List.of(frame(BEHIND, 1), frame(BEHIND, 2)), got, "the dead node's message read");
          assertEquals(1, streams.closeIdleConversations(later), "let go once they are read");
          test.completeNow();
        })));
      }));
    });
  }

  /**
   * A conversation let go for quiet has no stream to notice a message dropped on its way here (or
   * stored by a node that died before sending it): the sweep after a node left reads where its
   * log ends too, and one that is behind goes on from where it stopped, not at its next message.
   */
  @Test
  void aQuietConversationBehindItsLogsEndIsReadToo(Vertx vertx, VertxTestContext test) {
    List<String> got = new CopyOnWriteArrayList<>();
    LogReader log = new LogReader() {
      @Override
      public Future<LogPage> after(String room, long afterSeq, int limit) {
        return Future.succeededFuture(new LogPage(afterSeq + 1,
            java.util.stream.LongStream.rangeClosed(Math.max(1, afterSeq + 1), 2).mapToObj(s -> frame(room, s)).toList(), false));
      }

      @Override
      public Future<Map<String, Map.Entry<String, Long>>> tails(Set<String> rooms) {
        test.verify(() -> assertEquals(Set.of(BEHIND), rooms, "the quiet conversation's end is read"));
        return Future.succeededFuture(Map.of(BEHIND, Map.entry("e", 2L)));
      }
    };
    vertx.runOnContext(v -> {
      RoomStreams streams = new RoomStreams(vertx, vertx.getOrCreateContext(), new NodeRouter(), log, new NodeMetrics());
      streams.addUser(new ClientSession("s1", RecordingSocket.into(got), BOB, null, null, 0, null));
      streams.onPrivate(BEHIND, "e", 1, EncodedFrame.of(frame(BEHIND, 1)));
      Await.when(vertx, () -> !got.isEmpty()).onComplete(test.succeeding(started -> test.verify(() -> {
        assertEquals(1, streams.closeIdleConversations(io.switchboard.ops.Clocks.monotonicMillis() + 3_600_000),
            "let go for quiet");
        streams.onNodeLeft(); // 2 was dropped on its way here
        Await.when(vertx, () -> got.size() >= 2).onComplete(test.succeeding(read -> test.verify(() -> {
          assertEquals(List.of(frame(BEHIND, 1), frame(BEHIND, 2)), got);
          test.completeNow();
        })));
      })));
    });
  }

  /**
   * A node that hovers around its backlog limit sends RESYNC after RESYNC, and each swept every
   * stream's log end (a call per partition). Those that come while a sweep reads make one more
   * sweep after it, not one each.
   */
  @Test
  void nodeLeftsDuringAReadAreOneMoreRead(Vertx vertx, VertxTestContext test) {
    List<String> got = new CopyOnWriteArrayList<>();
    List<io.vertx.core.Promise<Map<String, Map.Entry<String, Long>>>> sweeps = new CopyOnWriteArrayList<>();
    LogReader log = new LogReader() {
      @Override
      public Future<LogPage> after(String room, long afterSeq, int limit) {
        return Future.succeededFuture(new LogPage(afterSeq + 1, List.of(), false));
      }

      @Override
      public Future<Map<String, Map.Entry<String, Long>>> tails(Set<String> rooms) {
        io.vertx.core.Promise<Map<String, Map.Entry<String, Long>>> answer = io.vertx.core.Promise.promise();
        sweeps.add(answer);
        return answer.future();
      }
    };
    vertx.runOnContext(v -> {
      RoomStreams streams = new RoomStreams(vertx, vertx.getOrCreateContext(), new NodeRouter(), log, new NodeMetrics());
      streams.addUser(new ClientSession("s1", RecordingSocket.into(got), BOB, null, null, 0, null));
      streams.onPrivate(AT_END, "e", 1, EncodedFrame.of(frame(AT_END, 1)));
      for (int i = 0; i < 5; i++) {
        streams.onNodeLeft();
      }
      test.verify(() -> assertEquals(1, sweeps.size(), "one read at a time"));
      sweeps.get(0).complete(Map.of(AT_END, Map.entry("e", 1L)));
      test.verify(() -> assertEquals(2, sweeps.size(), "the four asked meanwhile: one read more"));
      sweeps.get(1).complete(Map.of(AT_END, Map.entry("e", 1L)));
      test.verify(() -> assertEquals(2, sweeps.size(), "and no more"));
      streams.onNodeLeft();
      test.verify(() -> assertEquals(3, sweeps.size(), "a later one reads again"));
      test.completeNow();
    });
  }

  private static String frame(String room, long seq) {
    return "{\"type\":\"private\",\"room\":\"" + room + "\",\"seq\":" + seq + ",\"text\":\"m" + seq + "\"}";
  }
}
