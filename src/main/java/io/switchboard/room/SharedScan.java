package io.switchboard.room;

import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Runs a cluster-wide scan for any number of callers, one scan at a time: callers that ask while a
 * scan runs share the next one, which starts when it ends. A caller never gets an answer read
 * before it asked, and a flood of requests (say {@code GET /api/rooms} in a loop) costs the
 * cluster two scans at most, not one per request, each holding a worker thread and visiting every
 * partition. Each caller is answered on its own context. Any thread.
 */
final class SharedScan<T> {

  private final Supplier<Future<T>> scan;
  private boolean running;
  /** Callers waiting for the scan after the running one. */
  private List<Waiter<T>> next = new ArrayList<>();

  SharedScan(Supplier<Future<T>> scan) {
    this.scan = scan;
  }

  Future<T> get() {
    Promise<T> promise = Promise.promise();
    Waiter<T> waiter = new Waiter<>(promise, Vertx.currentContext());
    List<Waiter<T>> start;
    synchronized (this) {
      next.add(waiter);
      if (running) {
        return promise.future();
      }
      running = true;
      start = next;
      next = new ArrayList<>();
    }
    run(start);
    return promise.future();
  }

  private void run(List<Waiter<T>> waiters) {
    Future<T> result;
    try {
      result = scan.get();
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    result.onComplete(ar -> {
      waiters.forEach(w -> w.answer(ar));
      List<Waiter<T>> start;
      synchronized (this) {
        if (next.isEmpty()) {
          running = false;
          return;
        }
        start = next;
        next = new ArrayList<>();
      }
      run(start);
    });
  }

  private record Waiter<T>(Promise<T> promise, Context context) {
    void answer(AsyncResult<T> ar) {
      if (context == null || context == Vertx.currentContext()) {
        promise.handle(ar);
      } else {
        context.runOnContext(v -> promise.handle(ar));
      }
    }
  }
}
