package io.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.switchboard.support.Await;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A session's socket loses the HTTP server's idle timer (its heartbeat takes over), so a silent
 * one outlives the idle timeout; a socket that keeps it is dropped at the timeout. Should a
 * Vert.x upgrade put the timer elsewhere, the first assertion fails here.
 */
@ExtendWith(VertxExtension.class)
class UpgradedIdleTimerTest {

  private final List<WebSocketClient> clients = new ArrayList<>();

  @Test
  void aSessionsSocketOutlivesTheServersIdleTimeout(Vertx vertx) {
    Promise<Void> keptClosed = Promise.promise();
    WebSocket kept = connect(vertx, true, keptClosed);
    Promise<Void> timedClosed = Promise.promise();
    connect(vertx, false, timedClosed);
    // Vert.x closes a client, and its sockets, once the GC finds it unreachable: both clients
    // stay in `clients`, and this GC (CI once had one here by chance) proves it
    System.gc();
    Await.of(timedClosed.future()); // the idle timeout (300 ms) drops the silent socket that kept its timer
    Await.of(vertx.timer(600)); // as long again and more, silent too
    assertFalse(kept.isClosed(), "the socket without the timer is still open");
  }

  /** A server with a 300 ms idle timeout, and one silent client of it; {@code remove}: the server takes the timer off. */
  private WebSocket connect(Vertx vertx, boolean remove, Promise<Void> closed) {
    Promise<Boolean> removed = Promise.promise();
    HttpServer server = Await.of(vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1")
            .setIdleTimeout(300).setIdleTimeoutUnit(TimeUnit.MILLISECONDS))
        .webSocketHandler(ws -> removed.complete(remove && UpgradedIdleTimer.remove(ws)))
        .listen(0));
    WebSocketClient client = vertx.createWebSocketClient();
    clients.add(client);
    // the close handler before the connect: the 300 ms timeout may close it before the test
    // thread gets to it, and a handler set on a closed socket throws
    io.vertx.core.http.ClientWebSocket ws = client.webSocket();
    ws.closeHandler(v -> closed.tryComplete());
    Await.of(ws.connect(server.actualPort(), "127.0.0.1", "/"));
    boolean taken = Await.of(removed.future());
    if (remove) {
      assertTrue(taken, "this Vert.x still puts the idle timer where it is looked for");
    }
    return ws;
  }
}
