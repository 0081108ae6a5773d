package io.switchboard.gateway;

import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import java.lang.reflect.Proxy;
import java.util.List;

/** A socket for sessions driven without a network: keeps the text of every frame written to it, open and never full. */
final class RecordingSocket {

  private RecordingSocket() {
  }

  static ServerWebSocket into(List<String> got) {
    return (ServerWebSocket) Proxy.newProxyInstance(RecordingSocket.class.getClassLoader(),
        new Class<?>[] {ServerWebSocket.class}, (proxy, method, args) -> {
          if (method.getName().equals("writeFrame")) {
            got.add(((WebSocketFrame) args[0]).textData());
          }
          Class<?> type = method.getReturnType();
          if (type == boolean.class) {
            return Boolean.FALSE;
          }
          if (type == int.class) {
            return Integer.valueOf(0);
          }
          return type == long.class ? (Object) Long.valueOf(0) : null;
        });
  }
}
