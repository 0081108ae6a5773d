package io.switchboard.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/** The load generator's Vert.x (native transport), and opening many connections a few at a time. */
final class Clients implements AutoCloseable {

  /** How to open connection number i. */
  interface Opener {
    Future<Conn> open(WebSocketClient client, int i);
  }

  final Vertx vertx;
  final WebSocketClient client;
  final List<Conn> all = Collections.synchronizedList(new ArrayList<>());

  Clients() {
    // one event loop: the generator has one core (taskset), and every connection and timer
    // then shares one thread, so per-connection state needs no locks
    vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true).setEventLoopPoolSize(1));
    client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(100_000)
        .setConnectTimeout(30_000).setIdleTimeout(0));
  }

  boolean nativeTransport() {
    return vertx.isNativeTransportEnabled();
  }

  /** Opens {@code n} connections, {@code concurrency} at a time; waits for all (joined). */
  List<Conn> open(int n, int concurrency, Opener opener) {
    Conn[] out = new Conn[n];
    AtomicInteger next = new AtomicInteger();
    Promise<Void> done = Promise.promise();
    AtomicInteger left = new AtomicInteger(n);
    IntFunction<Void>[] chain = new IntFunction[1];
    chain[0] = ignored -> {
      int i = next.getAndIncrement();
      if (i >= n) {
        return null;
      }
      opener.open(client, i).onComplete(ar -> {
        if (ar.failed()) {
          done.tryFail(ar.cause());
          return;
        }
        out[i] = ar.result();
        if (left.decrementAndGet() == 0) {
          done.tryComplete();
        } else {
          chain[0].apply(0);
        }
      });
      return null;
    };
    vertx.runOnContext(v -> {
      for (int k = 0; k < Math.min(concurrency, n); k++) {
        chain[0].apply(0);
      }
    });
    await(done.future(), 600);
    List<Conn> list = List.of(out);
    all.addAll(list);
    return list;
  }

  static <T> T await(Future<T> future, long seconds) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    await(vertx.close(), 60);
  }
}
