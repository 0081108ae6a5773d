package io.switchboard;

import io.vertx.core.Vertx;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Says a node ready ({@code GET /ready} 200) once every partition of the cluster has its backups
 * in sync. A rolling restart waits on readiness before it stops the next node: stopped while the
 * copies of what the last one left were still being made, that node could hold the only one,
 * and acknowledged messages would go with it. It said ready as soon as it listened. Past
 * {@code maxWaitMs}, ready anyway, with a warning: a cluster that never gets there must not keep
 * the node out of service for good.
 */
final class ReadyOnceSafe {

  private static final Logger LOG = LoggerFactory.getLogger(ReadyOnceSafe.class);

  private final Vertx vertx;
  private final String nodeId;
  /** Whether the cluster's data has its backups: a call to every member, run on a worker. */
  private final Callable<Boolean> safe;
  /** False once the node stops or its member is gone: then it is never said ready. */
  private final BooleanSupplier wanted;
  private final Runnable ready;
  private final long maxWaitMs;
  private final long pollMs;

  ReadyOnceSafe(Vertx vertx, String nodeId, Callable<Boolean> safe, BooleanSupplier wanted, Runnable ready,
                long maxWaitMs, long pollMs) {
    this.vertx = vertx;
    this.nodeId = nodeId;
    this.safe = safe;
    this.wanted = wanted;
    this.ready = ready;
    this.maxWaitMs = maxWaitMs;
    this.pollMs = pollMs;
  }

  void start() {
    poll(System.nanoTime());
  }

  private void poll(long since) {
    if (!wanted.getAsBoolean()) {
      return;
    }
    vertx.executeBlocking(safe, false).onComplete(ar -> {
      if (!wanted.getAsBoolean()) {
        return;
      }
      long waited = java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
      if (ar.succeeded() && Boolean.TRUE.equals(ar.result())) {
        ready.run();
        LOG.info("node {} ready: the cluster's data has its backups ({} ms after the start)", nodeId, waited);
      } else if (waited >= maxWaitMs) {
        ready.run();
        LOG.warn("node {} ready, though the cluster's data has not had all its backups for {} ms: a node stopped"
            + " now may take the last copy of some of it", nodeId, waited);
      } else {
        vertx.setTimer(pollMs, t -> poll(since));
      }
    });
  }
}
