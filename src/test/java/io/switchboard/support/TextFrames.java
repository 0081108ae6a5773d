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

  /** Connects to {@code /} on loopback and waits for {@code count} text frames, taken from the moment it opens. */
  public static List<String> receive(Vertx vertx, int port, int count) {
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
    return Await.of(all.future());
  }
}
