package io.switchboard.support;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * A test's WebSocket client: keeps every frame it receives, in order, and lets the test wait for
 * the next frame that matches (by id, by type, by anything) or for the close. Blocking helpers
 * ({@code await…}) are for the test thread only.
 */
public final class WsClient {

  public static final long TIMEOUT_SECONDS = 15;

  /** A received close: code and reason. */
  public record Close(int code, String reason) {
  }

  private final WebSocketClient client;
  private final WebSocket ws;
  private final List<JsonObject> unread = new ArrayList<>();
  private final List<JsonObject> all = new ArrayList<>();
  private final List<Waiter> waiters = new ArrayList<>();
  private final Promise<Close> closed = Promise.promise();
  private final AtomicLong ids = new AtomicLong(1000);

  private record Waiter(Predicate<JsonObject> match, Promise<JsonObject> promise) {
  }

  private record Counter(Predicate<JsonObject> match, int count, List<JsonObject> seen, Promise<List<JsonObject>> promise) {
  }

  private final List<Counter> counters = new ArrayList<>();

  /**
   * Handlers given before the connect: Vert.x's {@code WebSocketClient.connect} resumes the new
   * socket in its own callback, before the caller's, and delivers there the frames that came with
   * the 101 (the welcome, when both arrive in one read) to no handler: about one connect in 10 000
   * lost its welcome that way (CI, four times; a stress run of 24 000 connects, once). A {@link
   * ClientWebSocket} hands its handlers over before it resumes. When the server closed at once
   * (a refused token), handing them over throws in that callback and fails the connect: the
   * socket is connected and closed, and {@link #connect} answers with it, closed.
   */
  private WsClient(WebSocketClient client, ClientWebSocket ws) {
    this.client = client;
    this.ws = ws;
    ws.textMessageHandler(this::onText);
    ws.closeHandler(v -> onClosed());
  }

  /**
   * No frame comes after the close: whatever is still awaited fails at once, saying how the
   * socket closed, instead of a bare timeout that leaves the reader guessing.
   */
  private synchronized void onClosed() {
    Close close = new Close(ws.closeStatusCode() == null ? -1 : ws.closeStatusCode(), ws.closeReason());
    closed.tryComplete(close);
    waiters.forEach(w -> w.promise.tryFail(closedBefore(close)));
    waiters.clear();
    counters.forEach(c -> c.promise.tryFail(closedBefore(close)));
    counters.clear();
  }

  private static AssertionError closedBefore(Close close) {
    return new AssertionError("the socket closed (" + close.code() + " " + close.reason() + ") before the awaited frame came");
  }

  public static Future<WsClient> connect(Vertx vertx, int port, String token) {
    return connect(vertx, port, "/ws" + (token == null ? "" : "?token=" + token), MultiMap.caseInsensitiveMultiMap());
  }

  public static Future<WsClient> connect(Vertx vertx, int port, String uri, MultiMap headers) {
    // a browser takes a message of any size: Vert.x's client stops at 256 KiB, and the node's
    // replies may take half of limits.outboundBytes (512 KiB at the defaults)
    WebSocketClient client = vertx.createWebSocketClient(new io.vertx.core.http.WebSocketClientOptions()
        .setMaxMessageSize(4 << 20).setMaxFrameSize(4 << 20));
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(uri);
    headers.forEach(options::addHeader);
    ClientWebSocket ws = client.webSocket();
    WsClient c = new WsClient(client, ws);
    return ws.connect(options).<WsClient>map(connected -> c).recover(e -> {
      // connected, and closed by the server before the handlers were handed over (see above)
      if (e instanceof IllegalStateException && connectedAndClosed(ws)) {
        c.onClosed();
        return Future.succeededFuture(c);
      }
      return Future.failedFuture(e);
    });
  }

  private static boolean connectedAndClosed(ClientWebSocket ws) {
    try {
      return ws.isClosed();
    } catch (IllegalStateException notConnected) {
      return false;
    }
  }

  /** Connects and waits for {@code welcome}. */
  public static WsClient open(Vertx vertx, int port, String token) {
    WsClient c = Await.of(connect(vertx, port, token));
    try {
      c.awaitType("welcome");
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; " + c.probe(), e);
    }
    return c;
  }

  /**
   * What a socket that stays silent still does, for a failure's message: a node's loop that
   * reads the socket answers a ping at once, even before the welcome (Vert.x answers pings of a
   * paused socket), and the pong's write flushes whatever the node wrote and did not flush.
   * CI once saw upgraded sockets that got neither a welcome nor a close, with no log line.
   */
  private String probe() {
    Promise<Long> pong = Promise.promise();
    long sent = System.nanoTime();
    try {
      ws.pongHandler(b -> pong.tryComplete((System.nanoTime() - sent) / 1_000_000));
      ws.writePing(Buffer.buffer("probe"));
    } catch (RuntimeException e) {
      return "no ping could be sent: " + e;
    }
    try {
      long ms = Await.of(pong.future(), 3);
      String report = "a ping got its pong in " + ms + " ms, frames since: " + frames().stream().map(f -> f.getString("type")).toList();
      if (frames().isEmpty()) {
        // Vert.x's client delivers pongs even while it holds the socket's frames back (paused)
        ws.resume();
        try {
          Await.of(collect(f -> true, 1), 1);
          report += "; after a resume here: " + frames().stream().map(f -> f.getString("type")).toList();
        } catch (AssertionError e) {
          report += "; none after a resume here either";
        }
      }
      return report;
    } catch (AssertionError e) {
      return "a ping got no pong in 3 s: the connection or its loop is stuck (closed: " + ws.isClosed() + ")";
    }
  }

  private synchronized void onText(String text) {
    JsonObject frame;
    try {
      frame = new JsonObject(text);
    } catch (RuntimeException e) {
      // a frame the server should never send: kept, so that the test sees it instead of hanging
      frame = new JsonObject().put("type", "unparseable").put("raw", text.length() > 200 ? text.substring(0, 200) : text)
          .put("error", e.getMessage());
    }
    all.add(frame);
    for (Iterator<Counter> it = counters.iterator(); it.hasNext(); ) {
      Counter c = it.next();
      if (c.match.test(frame)) {
        c.seen.add(frame);
        if (c.seen.size() >= c.count) {
          it.remove();
          c.promise.complete(c.seen);
        }
      }
    }
    for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
      Waiter w = it.next();
      if (w.match.test(frame)) {
        it.remove();
        w.promise.complete(frame);
        return;
      }
    }
    unread.add(frame);
  }

  /** The next unread frame matching {@code match} (earlier non-matching frames stay unread). */
  public synchronized Future<JsonObject> next(Predicate<JsonObject> match) {
    for (Iterator<JsonObject> it = unread.iterator(); it.hasNext(); ) {
      JsonObject f = it.next();
      if (match.test(f)) {
        it.remove();
        return Future.succeededFuture(f);
      }
    }
    if (closed.future().isComplete()) {
      return Future.failedFuture(closedBefore(closed.future().result()));
    }
    Promise<JsonObject> p = Promise.promise();
    waiters.add(new Waiter(match, p));
    return p.future();
  }

  /**
   * Completes once {@code count} frames matching {@code match} have been received in all (read or
   * unread), with those frames in arrival order.
   */
  public synchronized Future<List<JsonObject>> collect(Predicate<JsonObject> match, int count) {
    List<JsonObject> seen = new ArrayList<>();
    all.stream().filter(match).forEach(seen::add);
    if (seen.size() >= count) {
      return Future.succeededFuture(seen);
    }
    if (closed.future().isComplete()) {
      return Future.failedFuture(closedBefore(closed.future().result()));
    }
    Promise<List<JsonObject>> p = Promise.promise();
    counters.add(new Counter(match, count, seen, p));
    return p.future();
  }

  /** The first {@code count} {@code message} frames of a room, in arrival order. */
  public List<JsonObject> awaitMessages(String room, int count) {
    return Await.of(collect(f -> "message".equals(f.getString("type")) && room.equals(f.getString("room")), count), 60);
  }

  public JsonObject await(Predicate<JsonObject> match) {
    try {
      return Await.of(next(match));
    } catch (AssertionError e) {
      // what the socket had seen: tells a frame that never came from a socket that never spoke
      throw new AssertionError(e.getMessage() + " on " + ws.localAddress() + " (closed: " + ws.isClosed()
          + ", frames so far: " + frames().stream().map(f -> f.getString("type")).toList() + ")", e);
    }
  }

  public JsonObject awaitType(String type) {
    return await(f -> type.equals(f.getString("type")));
  }

  /** Sends a frame (an id is added when it has none) and waits for the reply with its id. */
  public JsonObject request(JsonObject frame) {
    if (!frame.containsKey("id")) {
      frame.put("id", ids.incrementAndGet());
    }
    Object id = frame.getValue("id");
    Future<JsonObject> reply = next(f -> id.equals(f.getValue("id")) || (id instanceof Number n
        && f.getValue("id") instanceof Number m && n.longValue() == m.longValue()));
    send(frame.encode());
    return Await.of(reply);
  }

  public JsonObject join(String room) {
    return request(new JsonObject().put("type", "join").put("room", room));
  }

  public JsonObject publish(String room, String text) {
    return request(new JsonObject().put("type", "publish").put("room", room).put("text", text));
  }

  public void send(String text) {
    Await.of(ws.writeTextMessage(text));
  }

  public void sendBinary(Buffer data) {
    Await.of(ws.writeBinaryMessage(data));
  }

  public Future<Close> closed() {
    return closed.future();
  }

  public Close awaitClose() {
    return Await.of(closed.future());
  }

  /** Every frame received so far, in order. */
  public synchronized List<JsonObject> frames() {
    return new ArrayList<>(all);
  }

  /** Drops the frames kept so far (a test that measures heap does not want to count them). */
  public synchronized void forget() {
    all.clear();
    unread.clear();
  }

  public WebSocket socket() {
    return ws;
  }

  public void close() {
    if (!ws.isClosed()) {
      Await.of(ws.close());
    }
    client.close();
  }
}
