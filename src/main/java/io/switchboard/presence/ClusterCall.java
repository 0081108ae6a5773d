package io.switchboard.presence;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/** Hazelcast's async calls as Vert.x futures on the caller's context, failures included. */
public final class ClusterCall {

  private ClusterCall() {
  }

  /**
   * Hazelcast throws some failures at once instead of through the returned stage (a member
   * shutting down, say): those become failed futures too, so callers have one failure path.
   */
  public static <T> Future<T> call(Vertx vertx, Supplier<CompletionStage<T>> call) {
    CompletionStage<T> stage;
    try {
      stage = call.get();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    // Not Future.fromCompletionStage, nor a plain whenComplete: both complete through Hazelcast's
    // default async executor, which on a two-core machine starts a new thread for every completion
    // (the common ForkJoinPool has parallelism 1 there, and Hazelcast then falls back to
    // new Thread(...).start()): 2-3 ms per message. The hand-over to the context is all that runs
    // on Hazelcast's thread.
    io.vertx.core.Context context = vertx.getOrCreateContext();
    io.vertx.core.Promise<T> promise = io.vertx.core.Promise.promise();
    stage.whenCompleteAsync((value, failure) -> context.runOnContext(v -> {
      if (failure != null) {
        promise.fail(failure instanceof java.util.concurrent.CompletionException c && c.getCause() != null
            ? c.getCause() : failure);
      } else {
        promise.complete(value);
      }
    }), Runnable::run);
    return promise.future();
  }
}
