package io.switchboard.support;

import io.vertx.core.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Blocking waits for the test thread, with a bound: a hang fails the test instead of the build. */
public final class Await {

  public static final long SECONDS = 15;

  private Await() {
  }

  public static <T> T of(Future<T> future) {
    return of(future, SECONDS);
  }

  public static <T> T of(Future<T> future, long seconds) {
    try {
      return future.await(seconds, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("nothing came within " + seconds + " s", e);
    }
  }

  /**
   * Polls {@code condition}, a timer of {@code everyMs} apart, for what no event announces; at
   * most {@code polls} times. Whether it held.
   */
  public static boolean until(io.vertx.core.Vertx vertx, java.util.function.BooleanSupplier condition, long everyMs,
                              int polls) {
    for (int i = 0; i < polls && !condition.getAsBoolean(); i++) {
      of(vertx.timer(everyMs));
    }
    return condition.getAsBoolean();
  }

  /**
   * For a test on an event loop: polls {@code condition} there, a timer of {@code everyMs}
   * apart, and completes when it holds, or fails after {@code polls} polls.
   */
  public static Future<Void> when(io.vertx.core.Vertx vertx, java.util.function.BooleanSupplier condition, long everyMs,
                                  int polls) {
    if (condition.getAsBoolean()) {
      return Future.succeededFuture();
    }
    if (polls <= 0) {
      return Future.failedFuture(new AssertionError("the condition did not hold in time"));
    }
    return vertx.timer(everyMs).compose(t -> when(vertx, condition, everyMs, polls - 1));
  }

  /** {@link #when} every 10 ms for up to {@link #SECONDS}. */
  public static Future<Void> when(io.vertx.core.Vertx vertx, java.util.function.BooleanSupplier condition) {
    return when(vertx, condition, 10, (int) (SECONDS * 100));
  }

  /**
   * Polls {@code value}, a timer of {@code everyMs} apart, until it is positive and has not moved
   * for {@code times} polls in a row (what fills up until something pushes back); at most
   * {@code polls} times. The last value read.
   */
  public static long steady(io.vertx.core.Vertx vertx, java.util.function.LongSupplier value, long everyMs, int times,
                            int polls) {
    long last = -1;
    for (int steady = 0, i = 0; steady < times && i < polls; i++) {
      of(vertx.timer(everyMs));
      long now = value.getAsLong();
      steady = now == last && now > 0 ? steady + 1 : 0;
      last = now;
    }
    return last;
  }
}
