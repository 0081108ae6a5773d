package io.switchboard.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.ops.Clocks;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class DeadlineQueueTest {

  private static final long WAIT_MS = 80;

  @Test
  void openRequestsAreGivenUpOnInOrderAndNoSoonerThanTheirWait(Vertx vertx, VertxTestContext test) {
    List<String> ran = new CopyOnWriteArrayList<>();
    Context context = vertx.getOrCreateContext();
    context.runOnContext(v -> {
      DeadlineQueue queue = DeadlineQueue.of(vertx, Vertx.currentContext(), this, WAIT_MS);
      long added = Clocks.monotonicMillis();
      queue.add(() -> ran.add("first@" + (Clocks.monotonicMillis() - added)));
      DeadlineQueue.Entry answered = queue.add(() -> ran.add("answered"));
      queue.add(() -> {
        ran.add("third@" + (Clocks.monotonicMillis() - added));
        test.verify(() -> {
          assertEquals(2, ran.size(), ran.toString());
          assertTrue(ran.get(0).startsWith("first@"), ran.toString());
          assertTrue(ran.get(1).startsWith("third@"), ran.toString());
          for (String r : ran) {
            assertTrue(Long.parseLong(r.substring(r.indexOf('@') + 1)) >= WAIT_MS, r);
          }
          assertEquals(0, queue.size(), "all gone once due");
        });
        test.completeNow();
      });
      answered.cancel();
    });
  }

  /** The timer is set for the oldest open request; when that one is answered, the next still comes on time. */
  @Test
  void anAnsweredHeadDoesNotKeepTheNextFromItsDeadline(Vertx vertx, VertxTestContext test) {
    vertx.getOrCreateContext().runOnContext(v -> {
      DeadlineQueue queue = DeadlineQueue.of(vertx, Vertx.currentContext(), this, WAIT_MS);
      DeadlineQueue.Entry head = queue.add(() -> test.failNow("answered, yet given up on"));
      vertx.setTimer(WAIT_MS / 2, t -> {
        long added = Clocks.monotonicMillis();
        queue.add(() -> test.verify(() -> {
          long waited = Clocks.monotonicMillis() - added;
          assertTrue(waited >= WAIT_MS, "given up on after " + waited + " ms");
          test.completeNow();
        }));
        head.cancel();
      });
    });
  }

  /** Answered requests do not pile up behind the head: the queue holds what is in flight. */
  @Test
  void answeredRequestsAtTheHeadGoAtTheNextAdd(Vertx vertx, VertxTestContext test) {
    vertx.getOrCreateContext().runOnContext(v -> test.verify(() -> {
      DeadlineQueue queue = DeadlineQueue.of(vertx, Vertx.currentContext(), this, 60_000);
      for (int i = 0; i < 1_000; i++) {
        queue.add(() -> test.failNow("answered, yet given up on")).cancel();
      }
      DeadlineQueue.Entry open = queue.add(() -> test.failNow("not due for a minute"));
      assertEquals(1, queue.size());
      queue.add(() -> { }).cancel();
      queue.add(() -> { }).cancel();
      assertEquals(3, queue.size(), "behind an open one, answered ones wait for it");
      open.cancel();
      queue.add(() -> { }).cancel();
      assertEquals(1, queue.size());
      test.completeNow();
    }));
  }

  /** Off an event loop there is no queue: each deadline is a timer of its own, and cancelling it calls it off. */
  @Test
  void offTheEventLoopEachDeadlineHasATimerOfItsOwn(Vertx vertx, VertxTestContext test) {
    long scheduled = Clocks.monotonicMillis();
    DeadlineQueue.schedule(vertx, this, WAIT_MS, () -> test.failNow("cancelled, yet run")).cancel();
    DeadlineQueue.schedule(vertx, this, WAIT_MS, () -> test.verify(() -> {
      long waited = Clocks.monotonicMillis() - scheduled;
      assertTrue(waited >= WAIT_MS, "run after " + waited + " ms");
      // the cancelled one was due first: had it not been called off, it would have failed the test by now
      vertx.setTimer(WAIT_MS, t -> test.completeNow());
    }));
  }

  @Test
  void oneQueuePerContextAndKeyAndNoneOffTheEventLoop(Vertx vertx, VertxTestContext test) throws Exception {
    assertNull(DeadlineQueue.of(vertx, vertx.getOrCreateContext(), this, WAIT_MS), "the test's thread is no event loop");
    Object otherKey = new Object();
    vertx.getOrCreateContext().runOnContext(v -> test.verify(() -> {
      DeadlineQueue queue = DeadlineQueue.of(vertx, Vertx.currentContext(), this, WAIT_MS);
      assertNotNull(queue);
      assertSame(queue, DeadlineQueue.of(vertx, Vertx.currentContext(), this, WAIT_MS));
      assertTrue(queue != DeadlineQueue.of(vertx, Vertx.currentContext(), otherKey, WAIT_MS));
      Vertx other = Vertx.vertx();
      try {
        assertNull(DeadlineQueue.of(other, Vertx.currentContext(), this, WAIT_MS), "another instance's context");
      } finally {
        other.close();
      }
      test.completeNow();
    }));
    assertTrue(test.awaitCompletion(5, TimeUnit.SECONDS));
  }
}
