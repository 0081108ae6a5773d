package io.switchboard.presence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A dead node's clean-up that failed is tried again, with growing pauses, while it is due. */
@ExtendWith(VertxExtension.class)
class CleanupRetryTest {

  @Test
  void aFailedCleanUpIsTriedAgainWithGrowingPausesUntilItSucceeds(Vertx vertx, VertxTestContext test) {
    CleanupRetry retry = new CleanupRetry(vertx, 50, 120);
    List<Long> at = new ArrayList<>();
    long start = System.nanoTime();
    vertx.runOnContext(v -> retry.run("purge", () -> true, () -> {
      at.add((System.nanoTime() - start) / 1_000_000);
      return at.size() < 4 ? Future.failedFuture("partition migrating") : Future.succeededFuture();
    }).onComplete(test.succeeding(done -> test.verify(() -> {
      assertEquals(4, at.size(), "three failures, then the attempt that succeeded");
      // pauses of 50, 100, then 120 (the cap): each at least as long as asked
      assertTrue(at.get(1) - at.get(0) >= 50, at.toString());
      assertTrue(at.get(2) - at.get(1) >= 100, at.toString());
      assertTrue(at.get(3) - at.get(2) >= 120, at.toString());
      test.completeNow();
    }))));
  }

  @Test
  void noAttemptOnceTheCleanUpIsNoLongerDueOrStopped(Vertx vertx, VertxTestContext test) {
    CleanupRetry retry = new CleanupRetry(vertx, 20, 20);
    AtomicInteger attempts = new AtomicInteger();
    AtomicBoolean due = new AtomicBoolean(true);
    var ended = test.checkpoint(2);
    vertx.runOnContext(v -> {
      retry.run("purge", due::get, () -> {
        if (attempts.incrementAndGet() == 2) {
          due.set(false); // the node came back: a split brain healed
        }
        return Future.failedFuture("still failing");
      }).onComplete(test.succeeding(done -> test.verify(() -> {
        assertEquals(2, attempts.get());
        ended.flag();
      })));

      CleanupRetry stopped = new CleanupRetry(vertx, 20, 20);
      AtomicInteger tries = new AtomicInteger();
      stopped.run("purge", () -> true, () -> {
        stopped.stop();
        tries.incrementAndGet();
        return Future.failedFuture("failing");
      }).onComplete(test.succeeding(done -> test.verify(() -> {
        assertEquals(1, tries.get());
        ended.flag();
      })));
    });
  }

  @Test
  void anAttemptThatThrowsCountsAsFailed(Vertx vertx, VertxTestContext test) {
    CleanupRetry retry = new CleanupRetry(vertx, 10, 10);
    AtomicInteger attempts = new AtomicInteger();
    vertx.runOnContext(v -> retry.run("purge", () -> true, () -> {
      if (attempts.incrementAndGet() == 1) {
        throw new IllegalStateException("hazelcast instance not active");
      }
      return Future.succeededFuture();
    }).onComplete(test.succeeding(done -> test.verify(() -> {
      assertEquals(2, attempts.get());
      test.completeNow();
    }))));
  }
}
