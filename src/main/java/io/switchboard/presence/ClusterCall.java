package io.switchboard.presence;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.internal.serialization.Data;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import com.hazelcast.map.impl.proxy.MapProxyImpl;
import com.hazelcast.spi.impl.SerializationServiceSupport;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/** Hazelcast's async calls as Vert.x futures on the caller's context, failures included. */
public final class ClusterCall {

  private ClusterCall() {
  }

  /**
   * Runs an entry processor on one key. {@code IMap.submitToKey} wraps the operation's future in
   * one that deserializes the answer on the common ForkJoinPool: one more thread, and a wake-up
   * of it, per call (about 10 % of a core at 6 000 publishes/s, measured). On a member, the
   * operation's own future is taken instead and the answer is deserialized on the caller's
   * context; anything else (a client's map, a later Hazelcast) goes the public way.
   */
  @SuppressWarnings("unchecked")
  public static <K, V, R> Future<R> onKey(Vertx vertx, HazelcastInstance hazelcast, IMap<K, V> map, K key,
                                          EntryProcessor<K, V, R> processor) {
    if (map instanceof MapProxyImpl<?, ?> member && hazelcast instanceof SerializationServiceSupport support) {
      // getSerializationService throws once the member is shut down: inside map, that is a failed future
      return ClusterCall.<Data>call(vertx, () -> member.executeOnKeyInternal(key, processor))
          .map(data -> (R) support.getSerializationService().toObject(data));
    }
    return call(vertx, () -> map.submitToKey(key, processor));
  }

  /**
   * As {@link #onKey}, for a change that must not be answered before its backups have it: where
   * Hazelcast's backup timeout passes first, this fails with
   * {@link com.hazelcast.core.IndeterminateOperationStateException} (the owner ran the processor,
   * its backups may not have it), where Hazelcast would answer with the owner's reply alone. That
   * switch is per map or global in Hazelcast's API; here it is per call, so that only the callers
   * that ask for it get the failure. The key's partition is the default's: the map must have no
   * partitioning strategy of its own.
   */
  @SuppressWarnings("unchecked")
  public static <K, V, R> Future<R> onKeyWithBackups(Vertx vertx, HazelcastInstance hazelcast, IMap<K, V> map, K key,
                                                     EntryProcessor<K, V, R> processor) {
    if (map instanceof MapProxyImpl<?, ?> member && hazelcast instanceof SerializationServiceSupport support) {
      return ClusterCall.<Data>call(vertx, () -> {
        com.hazelcast.spi.impl.NodeEngine engine = member.getNodeEngine();
        Data keyData = engine.toData(key);
        com.hazelcast.map.impl.operation.MapOperation operation = ((com.hazelcast.map.impl.MapService) member.getService())
            .getMapServiceContext().getMapOperationProvider(map.getName())
            .createEntryOperation(map.getName(), keyData, processor);
        operation.setThreadId(com.hazelcast.internal.util.ThreadUtil.getThreadId());
        return engine.getOperationService()
            .createInvocationBuilder(com.hazelcast.map.impl.MapService.SERVICE_NAME, operation,
                engine.getPartitionService().getPartitionId(keyData))
            .setResultDeserialized(false)
            .setFailOnIndeterminateOperationState(true)
            .<Data>invoke();
      }).map(data -> (R) support.getSerializationService().toObject(data));
    }
    return call(vertx, () -> map.submitToKey(key, processor));
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
      return ((io.vertx.core.internal.ContextInternal) vertx.getOrCreateContext()).failedFuture(e);
    }
    // Not Future.fromCompletionStage, nor a plain whenComplete: both complete through Hazelcast's
    // default async executor, which on a two-core machine starts a new thread for every completion
    // (the common ForkJoinPool has parallelism 1 there, and Hazelcast then falls back to
    // new Thread(...).start()): 2-3 ms per message. The hand-over to the context is all that runs
    // on Hazelcast's thread.
    io.vertx.core.Context context = vertx.getOrCreateContext();
    // bound to the context, so that a caller's callback that throws is logged (see Promises)
    io.vertx.core.Promise<T> promise = io.switchboard.ops.Promises.on(context);
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
