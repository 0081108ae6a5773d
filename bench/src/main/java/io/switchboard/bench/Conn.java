package io.switchboard.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import java.util.ArrayDeque;
import java.util.List;

/**
 * One load-generator connection: connects (with a token for Switchboard), waits for welcome,
 * joins its rooms, then hands every frame to the scenario's listener.
 */
final class Conn {

  /** What a scenario does with each live frame. */
  interface Listener {
    void onFrame(Conn conn, String text);
  }

  final String user;
  final List<String> rooms;
  /** Send times of publishes not yet acknowledged, oldest first (a session answers in order). */
  final ArrayDeque<Long> inFlight = new ArrayDeque<>();
  private WebSocket ws;
  private long nextId;
  private int cursor;

  private Conn(String user, List<String> rooms) {
    this.user = user;
    this.rooms = rooms;
  }

  static Future<Conn> open(WebSocketClient client, Target target, int port, Jwt jwt, String user, List<String> rooms,
                           Listener listener) {
    Conn conn = new Conn(user, rooms);
    String uri = target.switchboard() ? "/ws?token=" + jwt.token(user) : "/ws";
    Promise<Conn> ready = Promise.promise();
    int[] awaiting = {rooms.size()};
    boolean[] welcomed = {!target.switchboard()};
    return client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(uri))
        .compose(ws -> {
          conn.ws = ws;
          ws.closeHandler(v -> {
            if (!ready.future().isComplete()) {
              ready.tryFail("closed " + ws.closeStatusCode() + " " + ws.closeReason());
            }
          });
          ws.textMessageHandler(text -> {
            if (ready.future().isComplete()) {
              listener.onFrame(conn, text);
            } else if (!welcomed[0] && text.startsWith("{\"type\":\"welcome\"")) {
              welcomed[0] = true;
              conn.joinAll();
            } else if (text.startsWith("{\"type\":\"joined\"") && --awaiting[0] == 0) {
              ready.tryComplete(conn);
            } else if (text.startsWith("{\"type\":\"error\"")) {
              ready.tryFail(user + ": " + text);
            }
          });
          if (welcomed[0]) {
            conn.joinAll();
          }
          return ready.future();
        });
  }

  private void joinAll() {
    for (String room : rooms) {
      ws.writeTextMessage("{\"type\":\"join\",\"room\":\"" + room + "\",\"history\":0}");
    }
  }

  /** Publishes a stamped message into its next room (round robin); {@code track}: expect an ack. */
  void publish(boolean track) {
    String room = rooms.get(cursor++ % rooms.size());
    if (track) {
      inFlight.addLast(System.nanoTime());
    }
    ws.writeTextMessage(Stamp.publish(room, ++nextId));
  }

  Future<Void> close() {
    return ws.close();
  }
}
