package io.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A member that joined behind the stream catches up from the log, whatever the log answers. */
@ExtendWith(VertxExtension.class)
class LocalRoomTest {

  /**
   * The stream is at seq 500, its recent window empty, and a member joins at seq 10: it reads
   * the log. A read that fails at once used to be retried at once, recursively, until the stack
   * overflowed; now it is retried every {@link LocalRoom#RETRY_MS}.
   */
  @Test
  void aFailedCatchUpReadIsRetriedAfterAPause(Vertx vertx, VertxTestContext test) {
    AtomicInteger reads = new AtomicInteger();
    vertx.runOnContext(v -> {
      joinBehindTheStream(vertx, (r, after, limit) -> {
        reads.incrementAndGet();
        return Future.failedFuture("the cluster is not answering");
      });
      vertx.setTimer(LocalRoom.RETRY_MS * 3 + LocalRoom.RETRY_MS / 2, t -> test.verify(() -> {
        assertTrue(reads.get() >= 2 && reads.get() <= 5, "reads in 1.75 s: " + reads.get());
        test.completeNow();
      }));
    });
  }

  /** A log that lacks what the stream delivered (lost and restarted) is not read for ever. */
  @Test
  void aLogWithNothingAfterTheMembersSeqEndsTheCatchUp(Vertx vertx, VertxTestContext test) {
    AtomicInteger reads = new AtomicInteger();
    vertx.runOnContext(v -> {
      joinBehindTheStream(vertx, (r, after, limit) -> {
        reads.incrementAndGet();
        return Future.succeededFuture(java.util.Map.entry(after + 1, java.util.List.<String>of()));
      });
      vertx.setTimer(300, t -> test.verify(() -> {
        assertTrue(reads.get() == 1, "reads: " + reads.get());
        test.completeNow();
      }));
    });
  }

  /** The room's stream is at seq 500 with an empty recent window; a member joins at seq 10. */
  private static void joinBehindTheStream(Vertx vertx, OrderedStream.LogReader log) {
    LocalRoom room = new LocalRoom(vertx, "lobby", log, null);
    room.stream().start(500, "e");
    room.joined(new ClientSession("s1", null, null, null, null, 0, null), 10, "e");
  }
}
