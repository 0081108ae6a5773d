package io.switchboard.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A flood of callers costs two scans, and nobody gets an answer read before it asked. */
@ExtendWith(VertxExtension.class)
class SharedScanTest {

  private final List<Promise<String>> scans = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final SharedScan<String> shared = new SharedScan<>(() -> {
    Promise<String> p = Promise.promise();
    scans.add(p);
    return p.future();
  });

  @Test
  void callersDuringAScanShareTheNextOne() {
    Future<String> first = shared.get();
    List<Future<String>> during = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      during.add(shared.get());
    }
    assertEquals(1, scans.size(), "one scan at a time");

    scans.get(0).complete("before");
    assertEquals("before", first.result());
    assertEquals(2, scans.size(), "the callers that came meanwhile get a scan of their own");
    assertTrue(during.stream().noneMatch(Future::isComplete), "an answer read before they asked is not theirs");
    Future<String> late = shared.get();

    scans.get(1).complete("after");
    during.forEach(f -> assertEquals("after", f.result()));
    assertEquals(3, scans.size());
    assertTrue(!late.isComplete());
    scans.get(2).complete("latest");
    assertEquals("latest", late.result());

    Future<String> idle = shared.get();
    assertEquals(4, scans.size(), "nothing running: a caller starts a scan at once");
    scans.get(3).complete("alone");
    assertEquals("alone", idle.result());
  }

  @Test
  void aFailedScanFailsItsCallersOnly() {
    Future<String> first = shared.get();
    Future<String> second = shared.get();
    scans.get(0).fail("partition lost");
    assertEquals("partition lost", first.cause().getMessage());
    scans.get(1).complete("fine");
    assertEquals("fine", second.result());

    SharedScan<String> throwing = new SharedScan<>(() -> {
      throw new IllegalStateException("member shutting down");
    });
    assertEquals("member shutting down", throwing.get().cause().getMessage());
    assertEquals("member shutting down", throwing.get().cause().getMessage(), "and the next call runs again");
  }

  @Test
  void eachCallerIsAnsweredOnItsOwnContext(Vertx vertx, VertxTestContext test) {
    Context a = vertx.getOrCreateContext();
    Context b = vertx.getOrCreateContext();
    var answered = test.checkpoint(2);
    a.runOnContext(v -> shared.get().onComplete(test.succeeding(s -> test.verify(() -> {
      assertEquals(a, Vertx.currentContext());
      answered.flag();
    }))));
    b.runOnContext(v -> shared.get().onComplete(test.succeeding(s -> test.verify(() -> {
      assertEquals(b, Vertx.currentContext());
      answered.flag();
    }))));
    // both asked before any scan ends; the scans end on neither context
    a.runOnContext(v -> b.runOnContext(w -> new Thread(() -> {
      scans.get(0).complete("one");
      scans.get(1).complete("two");
    }).start()));
  }
}
