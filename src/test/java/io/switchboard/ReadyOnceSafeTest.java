package io.switchboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.support.Await;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A node that joins is ready once the cluster's data has its backups, not before; and not for good never. */
@ExtendWith(VertxExtension.class)
class ReadyOnceSafeTest {

  @Test
  void readyOnlyOnceTheClusterIsSafe(Vertx vertx) {
    AtomicInteger asked = new AtomicInteger();
    AtomicInteger ready = new AtomicInteger();
    AtomicInteger askedWhenReady = new AtomicInteger();
    new ReadyOnceSafe(vertx, "n-test", () -> asked.incrementAndGet() > 3, () -> true, () -> {
      askedWhenReady.set(asked.get());
      ready.incrementAndGet();
    }, 60_000, 10).start();
    assertTrue(Await.until(vertx, () -> ready.get() > 0, 10, 500));
    assertEquals(4, askedWhenReady.get(), "not before the cluster said safe");
    Await.until(vertx, () -> ready.get() > 1, 20, 5); // a while, for a second call that must not come
    assertEquals(1, ready.get(), "once");
  }

  @Test
  void aNodeThatStopsMeanwhileIsNeverReady(Vertx vertx) {
    AtomicBoolean wanted = new AtomicBoolean(true);
    AtomicInteger asked = new AtomicInteger();
    AtomicBoolean ready = new AtomicBoolean();
    new ReadyOnceSafe(vertx, "n-test", () -> {
      if (asked.incrementAndGet() == 2) {
        wanted.set(false); // stopping: /ready must stay 503
      }
      return asked.get() > 2;
    }, wanted::get, () -> ready.set(true), 60_000, 10).start();
    assertTrue(Await.until(vertx, () -> asked.get() >= 2, 10, 1_000), "asked twice");
    Await.until(vertx, () -> asked.get() >= 3, 10, 30); // a while, for a third ask that must not come
    assertEquals(false, ready.get());
    assertEquals(2, asked.get(), "no more asking once it is not wanted");
  }

  @Test
  void aClusterThatNeverGetsSafeStillGetsTheNodeReadyInTheEnd(Vertx vertx) {
    AtomicBoolean ready = new AtomicBoolean();
    long started = System.nanoTime();
    new ReadyOnceSafe(vertx, "n-test", () -> false, () -> true, () -> ready.set(true), 200, 10).start();
    assertTrue(Await.until(vertx, ready::get, 10, 500));
    assertTrue(System.nanoTime() - started >= 200_000_000L, "after its wait");
  }
}
