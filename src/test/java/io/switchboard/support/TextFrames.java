package io.switchboard.support;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import java.util.ArrayList;
import java.util.List;

/** A plain WebSocket client for servers that speak no Switchboard protocol: the first text frames a socket gets. */
public final class TextFrames {

  private TextFrames() {
  }

  /** Connects to {@code /} on loopback and waits for {@code count} text frames, taken from the moment it opens; then closes. */
  public static List<String> receive(Vertx vertx, int port, int count) {
    return receive(vertx, port, count, io.vertx.core.Future.succeededFuture());
  }

  /**
   * As above, but the socket stays open until {@code keepOpenUntil} completes (its close frame
   * would be one more write for a server whose writes a test counts). The client is closed then,
   * and stays reachable until then: Vert.x closes a client, and its sockets, once the GC finds
   * it unreachable.
   */
  public static List<String> receive(Vertx vertx, int port, int count, io.vertx.core.Future<?> keepOpenUntil) {
    WebSocketClient client = vertx.createWebSocketClient();
    List<String> got = new ArrayList<>();
    Promise<List<String>> all = Promise.promise();
    // handlers before the connect: set in its callback, they missed frames that came with the 101 (WsClient)
    io.vertx.core.http.ClientWebSocket ws = client.webSocket();
    ws.textMessageHandler(m -> {
      got.add(m);
      if (got.size() == count) {
        all.complete(got);
      }
    });
    Await.of(ws.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/")));
    try {
      return Await.of(all.future());
    } finally {
      keepOpenUntil.onComplete(done -> client.close());
    }
  }
}
