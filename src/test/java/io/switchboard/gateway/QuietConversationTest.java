package io.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.switchboard.auth.Identity;
import io.switchboard.ops.Clocks;
import io.switchboard.ops.NodeMetrics;
import io.switchboard.room.EncodedFrame;
import io.switchboard.room.NodeRouter;
import io.switchboard.support.Await;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A conversation let go for quiet while its user is still here: a message stored meanwhile by
 * a node that died before sending it is read from the log when the next one comes, not skipped.
 */
@ExtendWith(VertxExtension.class)
class QuietConversationTest {

  private static final String ROOM = "dm:alice:bob";
  private static final Identity BOB = new Identity("bob", "Bob", java.util.Set.of(), null, 0);

  @Test
  void theNextStreamOfAQuietConversationGoesOnFromWhereItStopped(Vertx vertx, VertxTestContext test) {
    List<String> got = new CopyOnWriteArrayList<>();
    vertx.runOnContext(v -> {
      RoomStreams streams = streams(vertx); // 2 was stored by a node that died before sending it
      streams.addUser(new ClientSession("s1", socket(got), BOB, null, null, 0, null));
      streams.onPrivate(ROOM, "e", 1, EncodedFrame.of(frame(1)));
      // checked in verify: an assertion thrown on the loop would only be logged
      Await.when(vertx, () -> !got.isEmpty()).onComplete(test.succeeding(t1 -> test.verify(() -> {
        assertEquals(List.of(frame(1)), got);
        assertEquals(1, streams.closeIdleConversations(Clocks.monotonicMillis() + 3_600_000), "let go for quiet");
        streams.onNodeLeft(); // the node that stored 2 died: no stream here to catch up
        streams.onPrivate(ROOM, "e", 3, EncodedFrame.of(frame(3)));
        Await.when(vertx, () -> got.size() >= 3).onComplete(test.succeeding(t2 -> test.verify(() -> {
          assertEquals(List.of(frame(1), frame(2), frame(3)), got, "2 read from the log, in order");
          test.completeNow();
        })));
      })));
    });
  }

  @Test
  void aConversationWhoseUsersLeftStartsAgainAtItsNextMessage(Vertx vertx, VertxTestContext test) {
    List<String> got = new CopyOnWriteArrayList<>();
    vertx.runOnContext(v -> {
      RoomStreams streams = streams(vertx);
      List<String> firstGot = new CopyOnWriteArrayList<>();
      ClientSession first = new ClientSession("s1", socket(firstGot), BOB, null, null, 0, null);
      streams.addUser(first);
      streams.onPrivate(ROOM, "e", 1, EncodedFrame.of(frame(1)));
      Await.when(vertx, () -> !firstGot.isEmpty()).onComplete(test.succeeding(t1 -> test.verify(() -> {
        assertEquals(1, streams.closeIdleConversations(Clocks.monotonicMillis() + 3_600_000), "let go for quiet");
        streams.removeUser(first); // bob went away; what came while he was gone is his to read
        streams.addUser(new ClientSession("s2", socket(got), BOB, null, null, 0, null));
        streams.onPrivate(ROOM, "e", 3, EncodedFrame.of(frame(3)));
        // a replay would read 2 from the log first: the first frame to come tells
        Await.when(vertx, () -> !got.isEmpty()).onComplete(test.succeeding(t2 -> test.verify(() -> {
          assertEquals(List.of(frame(3)), got, "live from the next message, nothing replayed");
          test.completeNow();
        })));
      })));
    });
  }

  /** Streams of this context over a log that holds seqs 1 to 3 of the conversation. */
  private static RoomStreams streams(Vertx vertx) {
    LogReader log = (room, after, limit) -> Future.succeededFuture(
        new LogPage(after + 1, java.util.stream.LongStream.rangeClosed(after + 1, 3)
            .mapToObj(QuietConversationTest::frame).toList(), false));
    return new RoomStreams(vertx, vertx.getOrCreateContext(), new NodeRouter(), log, new NodeMetrics());
  }

  private static String frame(long seq) {
    return "{\"type\":\"private\",\"room\":\"" + ROOM + "\",\"seq\":" + seq + ",\"text\":\"m" + seq + "\"}";
  }

  private static ServerWebSocket socket(List<String> got) {
    return RecordingSocket.into(got);
  }
}
