package io.switchboard.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import java.util.ArrayDeque;
import java.util.List;

/**
 * One load-generator connection, in two steps that can be timed apart: {@link #connect} (the
 * upgrade, and for Switchboard the token check up to {@code welcome}), then {@link #join} its
 * rooms. From then on every frame goes to the scenario's listener. Confined to the generator's
 * one event loop.
 */
final class Conn {

  /** What a scenario does with each live frame. */
  interface Listener {
    void onFrame(Conn conn, String text);
  }

  private static final String WELCOME = "{\"type\":\"welcome\"";
  private static final String JOINED = "{\"type\":\"joined\"";
  private static final String ERROR = "{\"type\":\"error\"";

  final String user;
  List<String> rooms = List.of();
  /** Send times of publishes not yet acknowledged, oldest first (a session answers in order). */
  final ArrayDeque<Long> inFlight = new ArrayDeque<>();
  private final Listener listener;
  private WebSocket ws;
  /** Completes at welcome (Switchboard) or on the last joined: what the opener waits for now. */
  private Promise<Conn> pending = Promise.promise();
  private int awaitingJoins;
  private boolean live;
  private long nextId;
  private int cursor;

  private Conn(String user, Listener listener) {
    this.user = user;
    this.listener = listener;
  }

  /** Connects and joins: what most scenarios want. */
  static Future<Conn> open(WebSocketClient client, Target target, int port, Jwt jwt, String user, List<String> rooms,
                           Listener listener) {
    return connect(client, target, port, jwt, user, listener).compose(c -> c.join(rooms));
  }

  /** Opens the socket; for Switchboard with a freshly signed token, ready once {@code welcome} came. */
  static Future<Conn> connect(WebSocketClient client, Target target, int port, Jwt jwt, String user, Listener listener) {
    Conn conn = new Conn(user, listener);
    String uri = target.switchboard() ? "/ws?token=" + jwt.token(user) : "/ws";
    // handlers before the connect: Vert.x resumes a new socket ahead of connect's callback, and the
    // frames that came with the 101 (the welcome) went to no handler there
    io.vertx.core.http.ClientWebSocket ws = client.webSocket();
    conn.ws = ws;
    ws.closeHandler(v -> conn.pending.tryFail(user + ": closed " + ws.closeStatusCode() + " " + ws.closeReason()));
    ws.textMessageHandler(conn::onText);
    return ws.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(uri))
        .compose(connected -> {
          if (!target.switchboard()) {
            conn.pending.tryComplete(conn); // the baseline has no welcome
          }
          return conn.pending.future();
        });
  }

  /** Joins {@code rooms} (without history); completes when every {@code joined} came. */
  Future<Conn> join(List<String> rooms) {
    this.rooms = rooms;
    if (rooms.isEmpty()) {
      live = true;
      return Future.succeededFuture(this);
    }
    pending = Promise.promise();
    awaitingJoins = rooms.size();
    for (int i = 0; i < rooms.size(); i++) {
      sendJoin(i);
    }
    return pending.future();
  }

  private void sendJoin(int index) {
    ws.writeTextMessage("{\"type\":\"join\",\"room\":\"" + rooms.get(index) + "\",\"history\":0,\"id\":" + index + "}");
  }

  /**
   * A join refused {@code rate_limited} (the node's budget for replies with members and history,
   * spent by thousands of joins at once) is sent again after the wait it asks for, as a client
   * would; true when it will be.
   */
  private boolean joinLater(String text) {
    io.vertx.core.json.JsonObject error = new io.vertx.core.json.JsonObject(text);
    if (!"rate_limited".equals(error.getString("code")) || !(error.getValue("id") instanceof Integer index)
        || index >= rooms.size()) {
      return false;
    }
    io.vertx.core.Vertx.currentContext().owner().setTimer(Math.max(1, error.getLong("retryAfterMs", 100L)),
        t -> sendJoin(index));
    return true;
  }

  private void onText(String text) {
    if (live) {
      listener.onFrame(this, text);
    } else if (text.startsWith(WELCOME)) {
      pending.tryComplete(this);
    } else if (text.startsWith(JOINED)) {
      if (--awaitingJoins == 0) {
        live = true;
        pending.tryComplete(this);
      }
    } else if (text.startsWith(ERROR) && !joinLater(text)) {
      pending.tryFail(user + ": " + text);
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
