package io.switchboard.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.websocket.WebSocketFrameImpl;
import io.vertx.core.DeploymentOptions;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The raw baseline: a Vert.x 5 WebSocket server with no protocol. A frame starting with
 * {@code {"type":"join"} puts the socket in the room it names and is answered
 * {@code {"type":"joined"}}; any other frame is relayed, as one prebuilt buffer, to every member
 * of the room it names (the sender included). No JSON parsing, no storage, no checks: the most
 * a Vert.x WebSocket server can do on this machine, for Switchboard to be measured against.
 */
public final class BaselineServer extends VerticleBase {

  private static final String JOIN = "{\"type\":\"join\"";
  private static final String ROOM = "\"room\":\"";

  private static final Map<String, Set<ServerWebSocket>> ROOMS = new ConcurrentHashMap<>();

  private final int port;

  public BaselineServer(int port) {
    this.port = port;
  }

  public static void main(String[] args) {
    int port = Integer.parseInt(args[0]);
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    int instances = VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE;
    vertx.deployVerticle(() -> new BaselineServer(port), new DeploymentOptions().setInstances(instances))
        .onSuccess(id -> System.out.println("baseline listening on " + port + " (native transport: "
            + vertx.isNativeTransportEnabled() + ", " + instances + " event loops)"))
        .onFailure(e -> {
          e.printStackTrace();
          System.exit(1);
        });
  }

  @Override
  public Future<?> start() {
    return vertx.createHttpServer(new HttpServerOptions().setPort(port).setHost("127.0.0.1"))
        .webSocketHandler(this::accept)
        .requestHandler(req -> req.response().end("baseline"))
        .listen();
  }

  private void accept(ServerWebSocket ws) {
    Set<String> joined = ConcurrentHashMap.newKeySet();
    ws.textMessageHandler(text -> {
      String room = room(text);
      if (room == null) {
        return;
      }
      if (text.startsWith(JOIN)) {
        ROOMS.computeIfAbsent(room, r -> ConcurrentHashMap.newKeySet()).add(ws);
        joined.add(room);
        ws.writeTextMessage("{\"type\":\"joined\"}");
        return;
      }
      relay(room, text);
    });
    ws.closeHandler(v -> joined.forEach(room -> ROOMS.getOrDefault(room, Set.of()).remove(ws)));
  }

  /** One buffer for all members; each write takes a view of it. */
  private static void relay(String room, String text) {
    ByteBuf bytes = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(text.getBytes(StandardCharsets.UTF_8)));
    for (ServerWebSocket member : ROOMS.getOrDefault(room, Set.of())) {
      member.writeFrame(new WebSocketFrameImpl(WebSocketFrameType.TEXT, bytes.duplicate(), true));
    }
  }

  private static String room(String text) {
    int at = text.indexOf(ROOM);
    if (at < 0) {
      return null;
    }
    int end = text.indexOf('"', at + ROOM.length());
    return end < 0 ? null : text.substring(at + ROOM.length(), end);
  }
}
