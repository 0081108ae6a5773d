package io.switchboard.ops;

import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;

/**
 * Promises whose callbacks' failures are heard. Vert.x drops, without a word, what a callback of
 * a promise without a context throws; one bound to a context hands it to the context's exception
 * handler, which the node sets to log it. A connection waited for its welcome for good that way,
 * its open having thrown, with nothing in the log.
 */
public final class Promises {

  private Promises() {
  }

  /**
   * {@code future}, or where it has no context (a library's {@code succeededFuture}, say) the same
   * answer on the calling thread's context.
   */
  public static <T> io.vertx.core.Future<T> here(io.vertx.core.Future<T> future) {
    if (future instanceof io.vertx.core.internal.FutureInternal<T> internal && internal.context() != null) {
      return future;
    }
    Promise<T> promise = here();
    future.onComplete(promise);
    return promise.future();
  }

  /** A promise bound to the calling thread's context; a plain one where there is none. */
  public static <T> Promise<T> here() {
    return on(Vertx.currentContext());
  }

  /** A promise bound to {@code context}; a plain one where it is null (tests that have none). */
  public static <T> Promise<T> on(Context context) {
    return context instanceof ContextInternal internal ? internal.promise() : Promise.promise();
  }
}
