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
    return Future.fromCompletionStage(stage, vertx.getOrCreateContext());
  }
}
