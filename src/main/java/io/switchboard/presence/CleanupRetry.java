package io.switchboard.presence;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an idempotent clean-up of the cluster's data again after it failed, {@code firstMs} later,
 * the pause doubling up to {@code maxMs}, for as long as it is still due. A dead node's entries
 * that one failed attempt left behind would otherwise stay for good: nobody else reconciles a
 * node that is gone, and its users' connections would count against their limit for ever.
 * Timers run on the caller's context.
 */
public final class CleanupRetry {

  private static final Logger LOG = LoggerFactory.getLogger(CleanupRetry.class);

  private final Vertx vertx;
  private final long firstMs;
  private final long maxMs;
  private volatile boolean stopped;

  public CleanupRetry(Vertx vertx, long firstMs, long maxMs) {
    this.vertx = vertx;
    this.firstMs = firstMs;
    this.maxMs = maxMs;
  }

  /**
   * Completes when an attempt succeeds, or when the clean-up is no longer {@code due} (asked
   * before each attempt after the first) or {@link #stop stopped}.
   */
  public Future<Void> run(String what, BooleanSupplier due, Supplier<Future<?>> attempt) {
    Promise<Void> done = Promise.promise();
    attempt(what, due, attempt, firstMs, done);
    return done.future();
  }

  /** No attempt starts after this. */
  public void stop() {
    stopped = true;
  }

  private void attempt(String what, BooleanSupplier due, Supplier<Future<?>> attempt, long pause, Promise<Void> done) {
    Future<?> result;
    try {
      result = attempt.get();
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    result.onComplete(ar -> {
      if (ar.succeeded()) {
        done.complete();
        return;
      }
      LOG.warn("{} failed, again in {} ms: {}", what, pause, ar.cause().toString());
      vertx.setTimer(pause, t -> {
        if (stopped || !due.getAsBoolean()) {
          done.complete();
        } else {
          attempt(what, due, attempt, Math.min(pause * 2, maxMs), done);
        }
      });
    });
  }
}
