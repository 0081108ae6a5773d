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
}
