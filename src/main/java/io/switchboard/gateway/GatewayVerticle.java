package io.switchboard.gateway;

import io.switchboard.Addresses;
import io.switchboard.NodeServices;
import io.switchboard.auth.Identity;
import io.switchboard.config.Config;
import io.switchboard.protocol.CloseCode;
import io.switchboard.protocol.CommandDecoder;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.FrameEncoder;
import io.switchboard.protocol.NodeReplies;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts WebSockets on {@code /ws} (one instance per event loop, all sharing the port): {@link
 * Admission} checks origin, token and limits before anything else; then this moves frames:
 * decode → {@link SessionCommands} → encoded reply, and ends sessions through one clean-up path.
 * One periodic sweep per instance sends pings, closes idle connections and expired tokens. HTTP
 * routes come from the router the node hands in.
 */
public final class GatewayVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(GatewayVerticle.class);
  private static final io.switchboard.ops.ThrottledLog SOCKET_ERRORS = new io.switchboard.ops.ThrottledLog(LOG);
  private static final io.switchboard.ops.ThrottledLog CONNECTION_ERRORS = new io.switchboard.ops.ThrottledLog(LOG);
  private static final io.switchboard.ops.ThrottledLog SLOW_HEADS = new io.switchboard.ops.ThrottledLog(LOG);
  /** Every connection closing while the cluster stalls fails its clean-up: one line a second. */
  private static final io.switchboard.ops.ThrottledLog CLEANUP_FAILED = new io.switchboard.ops.ThrottledLog(LOG);
  // a burst into a room of 20 000 can close thousands of slow readers at once
  private static final io.switchboard.ops.ThrottledLog SLOW_CONSUMERS = new io.switchboard.ops.ThrottledLog(LOG);
  private static final SecureRandom RANDOM = new SecureRandom();

  /** How long a client may take to answer a server's close frame before its connection is dropped. */
  static final long CLOSE_GRACE_MS = 1_000;
  /** How long a stop waits for the cluster to take the connections' clean-up (within the 9 s of Main). */
  public static final long STOP_CLEANUP_MS = 3_000;

  private final NodeServices node;
  private final StopTogether stops;
  private final java.util.function.Function<io.vertx.core.Vertx, Router> routes;
  private final Config config;
  private final Set<ClientSession> sessions = new LinkedHashSet<>();
  private Admission admission;
  private RoomStreams streams;
  private SessionCommands commands;
  private HttpServer server;
  private long sweepTimer;
  /** Set when stop() begins: no connection is admitted after it takes its list of sessions to close. */
  private boolean stopping;
  /** Leaves held back by presence.leaveGrace; sent at once when the gateway stops. */
  private HeldLeaves heldLeaves;
  private TurnFlush turn;
  private final HeadDeadline heads = new HeadDeadline();
  /** Where every session's whole messages go. */
  private InboundFrames messages;

  /** {@code stops}: shared by the node's instances, which close their servers together. */
  public GatewayVerticle(NodeServices node, java.util.function.Function<io.vertx.core.Vertx, Router> routes,
                         StopTogether stops) {
    this.node = node;
    this.routes = routes;
    this.config = node.config();
    this.stops = stops;
  }

  @Override
  public Future<?> start() {
    turn = TurnFlush.forCurrentLoop(context);
    streams = new RoomStreams(vertx, context, node.router(), new LogReader() {
      @Override
      public Future<LogPage> after(String room, long afterSeq, int limit) {
        return readLog(room, afterSeq, limit);
      }

      @Override
      public Future<Map<String, Map.Entry<String, Long>>> tails(java.util.Set<String> rooms) {
        return node.rooms().tails(rooms);
      }
    }, node.metrics());
    node.router().register(streams);
    commands = new SessionCommands(vertx, node, streams);
    messages = new InboundFrames(new CommandDecoder(config.limits().maxTextChars()), commands);
    streams.onEpochReset(commands::joinAgain);
    heldLeaves = new HeldLeaves(vertx, node, streams);
    admission = new Admission(vertx, node, streams, () -> stopping, this::open);
    HttpServerOptions options = GatewayServerOptions.of(config);
    Router router = routes.apply(vertx);
    server = vertx.createHttpServer(options)
        .requestHandler(router)
        .connectionHandler(c -> {
          InflateLimit.install(c, config.limits().maxFrameBytes());
          heads.accepted(c, io.switchboard.ops.Clocks.monotonicMillis());
        })
        .webSocketHandshakeHandler(hs -> {
          if ("/ws".equals(hs.path())) {
            admission.handshake(hs);
          } else {
            hs.reject(404);
          }
        })
        // what Vert.x cannot give to a request or a socket (its default logs them at TRACE)
        .exceptionHandler(e -> {
          if (SocketErrors.unexpected(e)) {
            CONNECTION_ERRORS.warn("connection error: {}", e.toString(), e);
          } else {
            LOG.debug("connection error: {}", e.toString());
          }
        });
    long sweepEvery = Math.min(1_000, config.heartbeat().interval() / 2);
    sweepTimer = vertx.setPeriodic(sweepEvery, t -> sweep());
    return server.listen();
  }

  /** The port actually bound (useful with {@code http.port} 0). */
  public int port() {
    return server.actualPort();
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    vertx.cancelTimer(sweepTimer);
    List<Future<Void>> cleanups = new ArrayList<>();
    for (ClientSession s : new ArrayList<>(sessions)) {
      cleanups.add(end(s, CloseCode.GOING_AWAY));
    }
    cleanups.addAll(heldLeaves.sendAll());
    // a stalled cluster must not hold the shutdown: once this member has left, the others
    // remove whatever of its presence these clean-ups did not (NodeDeaths)
    Promise<Void> cleaned = Promise.promise();
    // one window for both waits (this instance's and the others'), as Main's budget counts it
    long deadline = io.switchboard.ops.Clocks.monotonicMillis() + STOP_CLEANUP_MS;
    long limit = vertx.setTimer(STOP_CLEANUP_MS, t -> {
      LOG.warn("shutdown: the cluster did not take every connection's clean-up within {} ms; going on", STOP_CLEANUP_MS);
      cleaned.tryComplete();
    });
    Future.join(cleanups).onComplete(ar -> {
      vertx.cancelTimer(limit);
      cleaned.tryComplete();
    });
    return cleaned.future().compose(v -> othersCleaned(deadline)).eventually(() -> {
      streams.close();
      return server.close();
    });
  }

  /**
   * Every instance of the node is done with its clean-up (see {@link StopTogether}), or one never
   * will be: waited for until {@code deadline} (monotonic ms), the end of the stop's window.
   */
  private Future<Void> othersCleaned(long deadline) {
    Promise<Void> all = Promise.promise();
    long limit = vertx.setTimer(Math.max(1, deadline - io.switchboard.ops.Clocks.monotonicMillis()), t -> all.tryComplete());
    stops.arrive().whenComplete((v, e) -> context.runOnContext(x -> {
      vertx.cancelTimer(limit);
      all.tryComplete();
    }));
    return all.future();
  }

  /**
   * Makes an admitted socket a session and welcomes it. Throws only before the session exists,
   * having taken nothing (Admission gives the counts back); a failure after that ends the session
   * with 1011, and its clean-up gives them back.
   */
  private void open(ServerWebSocket ws, Identity identity) {
    long now = System.currentTimeMillis();
    Config.Limits limits = config.limits();
    long mono = io.switchboard.ops.Clocks.monotonicMillis();
    // reconnecting does not refill what the user's last connection here spent
    SpentLimits.Spent spent = node.spent().opened(identity.user(), mono);
    ClientSession s;
    try {
      s = new ClientSession(newSessionId(), ws, identity,
          spent != null ? spent.messages() : Buckets.messages(limits, mono),
          spent != null ? spent.refusals() : new RefusalWindow(SessionCommands.ABUSE_REFUSALS, SessionCommands.ABUSE_WINDOW_MS),
          now, turn);
    } catch (RuntimeException e) {
      node.spent().closed(identity.user(), spent, mono); // no session, no clean-up to give the place back
      throw e;
    }
    if (spent != null) {
      s.joins = spent.joins();
      s.reads = spent.reads();
    }
    s.onEnd(code -> end(s, code));
    sessions.add(s);
    node.metrics().opened();
    try {
      welcome(s, limits, spent != null && spent.frames() != null ? spent.frames() : Buckets.frames(limits, mono));
    } catch (RuntimeException e) {
      LOG.error("session {} ({}): its open failed, closing it with 1011", s.id, s.user(), e);
      s.end(CloseCode.INTERNAL_ERROR);
    }
  }

  /** Wires the session's handlers, then writes its welcome and lets its frames in. */
  private void welcome(ClientSession s, Config.Limits limits, TokenBucket frames) {
    ServerWebSocket ws = s.ws;
    streams.addUser(s);
    ws.closeHandler(v -> cleanup(s));
    ws.setWriteQueueMaxSize(limits.outboundBytes());
    UpgradedIdleTimer.remove(ws); // the session's heartbeat takes over
    ws.exceptionHandler(e -> onSessionError(s, e));
    // any frame is life (PROTOCOL.md): a pong, a ping Vert.x answers by itself, a continuation
    s.frameBucket(frames, Buckets.frameBurst(limits));
    s.drainLimit(config.heartbeat().timeout());
    s.frameLimit(config.limits().maxFrameBytes());
    ws.frameHandler(f -> {
      if (s.closedWith != null || s.closed()) {
        return; // ended by the node, or cleaned up: what still comes in is not looked at
      }
      s.lastSeen = io.switchboard.ops.Clocks.monotonicMillis();
      if (f.type() == io.vertx.core.http.WebSocketFrameType.PING) {
        s.checkBacklog(); // Vert.x wrote its pong whatever the queue holds: pings unread must not pile up
      }
      long hold = s.takeFrame(s.lastSeen);
      if (hold < 0) {
        s.end(CloseCode.RATE_LIMIT_ABUSE);
        return;
      } else if (hold > 0) {
        holdFrames(s, hold);
      }
      // messages put together here, not by Vert.x (MessageAssembler says why)
      s.assembling = MessageAssembler.take(s.assembling, f, limits.maxFrameBytes(), messages, s);
    });
    s.send(FrameEncoder.welcome(s.id, s.user(), s.name(), node.nodeId(), config.heartbeat().interval(),
        config.heartbeat().timeout(), limits.maxFrameBytes(), limits.maxTextChars(), limits.rate(), limits.burst(),
        limits.maxRooms()));
    ws.resume();
  }

  private void holdFrames(ClientSession s, long ms) {
    vertx.setTimer(ms, t -> {
      long more = s.releaseFrames(io.switchboard.ops.Clocks.monotonicMillis());
      if (more > 0) {
        holdFrames(s, more);
      }
    });
  }

  /**
   * A frame or message over {@code limits.maxFrameBytes} ends the session with 1009, broken
   * framing with 1002; other socket errors are only logged. Netty's decoder reads nothing more
   * after broken framing, so the session must end: left open, it would be deaf until its
   * heartbeat timeout, its presence still shown.
   */
  private void onSessionError(ClientSession s, Throwable e) {
    if (SocketErrors.unexpected(e)) {
      SOCKET_ERRORS.warn("session {} ({}): socket error: {}", s.id, s.user(), e.toString(), e);
    } else {
      LOG.debug("session {} ({}): socket error: {}", s.id, s.user(), e.toString());
    }
    CloseCode code = SocketErrors.closeCodeFor(e);
    if (code != null) {
      s.end(code);
    }
  }

  /**
   * The server ends a session: the close frame goes out, the session and its presence are freed
   * at once (on the next turn of the loop, never inside a loop over members) without waiting for
   * the client's closing handshake, and a client that never answers loses the TCP connection.
   */
  private Future<Void> end(ClientSession s, CloseCode code) {
    if (s.closedWith == null) {
      s.closedWith = code; // counted by its code, not as closed by the client (the shutdown's 1001)
    }
    if (code == CloseCode.SLOW_CONSUMER) {
      SLOW_CONSUMERS.info("session {} ({}) closed as a slow consumer: over {} unsent bytes", s.id, s.user(),
          config.limits().outboundBytes());
    }
    s.close(code);
    vertx.setTimer(CLOSE_GRACE_MS, t -> {
      if (!s.ws.isClosed()) {
        ((io.vertx.core.internal.http.WebSocketInternal) s.ws).channelHandlerContext().close();
      }
    });
    Promise<Void> cleaned = Promise.promise();
    context.runOnContext(v -> cleanup(s).onComplete(cleaned));
    return cleaned.future();
  }

  /** The one cleanup path of a connection: rooms left, presence and counts given back. */
  private Future<Void> cleanup(ClientSession s) {
    if (!s.markClosed()) {
      return Future.succeededFuture();
    }
    sessions.remove(s);
    streams.removeUser(s);
    long mono = io.switchboard.ops.Clocks.monotonicMillis();
    node.spent().closed(s.user(), s.spent(mono), mono);
    node.connections().decrementAndGet();
    node.metrics().closed(s.closedWith);
    List<Future<?>> pending = new ArrayList<>();
    long grace = config.presence().leaveGrace();
    // a connection that dropped (closed by the client or the network, or silent past its
    // heartbeat) may come back within the grace; one the server ended for a reason (kicked, slow,
    // abusive, expired: PROTOCOL.md has their presence gone at once) or this node stopping may not
    boolean hold = grace > 0 && !stopping && (s.closedWith == null || s.closedWith == CloseCode.HEARTBEAT_TIMEOUT);
    for (Map.Entry<String, Boolean> room : s.rooms.entrySet()) {
      commands.detach(s, room.getKey());
      if (!room.getValue()) {
        continue; // a join under way: its answer (or its undo, if it comes too late) sends the leave
      }
      JsonObject leave = new JsonObject().put("room", room.getKey()).put("user", s.user());
      if (hold) {
        heldLeaves.hold(room.getKey(), leave, grace);
      } else {
        pending.add(commands.sendLeave(room.getKey(), s.user()));
      }
    }
    s.rooms.clear();
    streams.connectStarted(s.user());
    pending.add(node.users().disconnect(s.user(), node.nodeId()).andThen(ar -> streams.connectEnded(s.user())));
    return Future.join(pending)
        .onFailure(e -> CLEANUP_FAILED.warn("session {} ({}): presence clean-up failed: {}", s.id, s.user(), e.toString()))
        .<Void>mapEmpty()
        .otherwiseEmpty();
  }

  private void sweep() {
    long now = System.currentTimeMillis(); // for token expiry; time spans on the monotonic tick
    long tick = io.switchboard.ops.Clocks.monotonicMillis();
    streams.closeIdleConversations(tick);
    admission.closeStuck(tick);
    int late = heads.closeLate(tick);
    if (late > 0) {
      SLOW_HEADS.warn("closed {} connection(s) whose first request did not come in full within {} ms", late,
          HeadDeadline.LIMIT_MS);
    }
    long interval = config.heartbeat().interval();
    long timeout = config.heartbeat().timeout();
    for (ClientSession s : new ArrayList<>(sessions)) {
      if (s.readingHeld()) {
        s.lastSeen = tick; // not silent: unread, its frames wait behind the cluster's answers
      }
      if (s.identity.expired(now)) {
        s.send(FrameEncoder.error(null, ErrorCode.TOKEN_EXPIRED, "your token expired; connect again with a new one", -1));
        s.end(CloseCode.TOKEN_EXPIRED);
      } else if (tick - s.lastSeen >= timeout) {
        s.end(CloseCode.HEARTBEAT_TIMEOUT);
      } else if (tick - s.lastPing >= interval && s.writable()) { // not after its close frame
        s.lastPing = tick;
        s.ws.writePing(Buffer.buffer());
      }
    }
  }

  /**
   * A stream's read of what it missed, within a quarter of {@code limits.outboundBytes}: it goes
   * to every member at once, and a page of large messages (up to 100 of them, or a room's whole
   * history) would close them all as slow consumers. The stream reads on while there is more.
   */
  private Future<LogPage> readLog(String room, long afterSeq, int limit) {
    return node.rooms().history(Addresses.historyRequest(room, null, afterSeq, limit)
            .put("messageBytes", (long) config.limits().outboundBytes() / 4))
        .map(r -> new LogPage(r.getLong("firstSeq"), NodeReplies.strings(r.getJsonArray("messages")),
            r.getBoolean("more", false), r.getString("epoch"), r.getLong("seq", -1L)));
  }

  private static String newSessionId() {
    byte[] bytes = new byte[6];
    RANDOM.nextBytes(bytes);
    return "s-" + HexFormat.of().formatHex(bytes);
  }
}
