package io.switchboard.gateway;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.switchboard.Addresses;
import io.switchboard.NodeServices;
import io.switchboard.auth.Identity;
import io.switchboard.auth.TokenRejected;
import io.switchboard.config.Config;
import io.switchboard.protocol.CloseCode;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The way of a new WebSocket to its welcome, for one gateway: refused while the gateway stops,
 * for a foreign origin, at {@code limits.maxConnections}, for a bad or expired token, and over
 * the user's connect rate to this node ({@link Buckets#connects}), and over the user's {@code
 * limits.maxConnectionsPerUser} counted cluster-wide; each step answers within
 * {@link Addresses#LOCAL_REQUEST}'s timeout or the connection is refused with 1013. An admitted
 * socket, still paused, goes to the gateway's {@code open}.
 */
final class Admission {

  private static final Logger LOG = LoggerFactory.getLogger(Admission.class);
  // a reconnect storm against a full node, or a stalled cluster, refuses thousands a second
  private static final io.switchboard.ops.ThrottledLog AT_LIMIT = new io.switchboard.ops.ThrottledLog(LOG);
  private static final io.switchboard.ops.ThrottledLog NOT_IN_TIME = new io.switchboard.ops.ThrottledLog(LOG);
  private static final io.switchboard.ops.ThrottledLog CLUSTER_DOWN = new io.switchboard.ops.ThrottledLog(LOG);
  private static final io.switchboard.ops.ThrottledLog AT_USER_LIMIT = new io.switchboard.ops.ThrottledLog(LOG);
  private static final io.switchboard.ops.ThrottledLog TOO_OFTEN = new io.switchboard.ops.ThrottledLog(LOG);

  private final Vertx vertx;
  private final NodeServices node;
  private final Config config;
  private final OriginPolicy origins;
  private final RoomStreams streams;
  private final BooleanSupplier stopping;
  private final BiConsumer<ServerWebSocket, Identity> open;

  Admission(Vertx vertx, NodeServices node, RoomStreams streams, BooleanSupplier stopping,
            BiConsumer<ServerWebSocket, Identity> open) {
    this.vertx = vertx;
    this.node = node;
    this.config = node.config();
    this.origins = new OriginPolicy(config.auth().allowedOrigins());
    this.streams = streams;
    this.stopping = stopping;
    this.open = open;
  }

  void connect(ServerWebSocket ws) {
    DirectSocketWrites.apply(ws); // before the first write
    ws.pause();
    ws.exceptionHandler(e -> onSocketError(ws, e));
    if (stopping.getAsBoolean()) {
      refuse(ws, CloseCode.GOING_AWAY);
      return;
    }
    if (!origins.allows(ws.headers().get("Origin"), ws.headers().get("Host"))) {
      refuse(ws, CloseCode.FORBIDDEN_ORIGIN);
      return;
    }
    if (node.connections().incrementAndGet() > config.limits().maxConnections()) {
      node.connections().decrementAndGet();
      AT_LIMIT.warn("connection refused: node at limits.maxConnections ({})", config.limits().maxConnections());
      refuse(ws, CloseCode.TRY_AGAIN_LATER);
      return;
    }
    // the check answers at once for HS256 (no timer to set and cancel on every connect); a
    // check that has to wait (a key fetched) must still not keep the socket forever
    io.vertx.core.Future<Identity> checked = node.tokens().verify(tokenOf(ws));
    Deadline deadline = checked.isComplete() ? null
        : new Deadline(ws, "connection refused: its token was not checked within {} ms");
    checked.onComplete(ar -> {
      if (deadline != null && !deadline.cancel()) {
        return;
      }
      if (ar.failed()) {
        node.connections().decrementAndGet();
        Throwable e = ar.cause();
        refuse(ws, e instanceof TokenRejected r && r.expired() ? CloseCode.TOKEN_EXPIRED : CloseCode.UNAUTHORIZED);
      } else {
        admit(ws, ar.result());
      }
    });
  }

  /**
   * A step on the way to a welcome that must answer within {@link Addresses#LOCAL_REQUEST}'s
   * timeout: past it the connection is given back, logged and refused with 1013, and whatever
   * the step answers later is ignored.
   */
  private final class Deadline {
    private final long timer;
    private boolean passed;

    /** {@code refusal}: the log line, its last placeholder the timeout; {@code args} fill the others. */
    Deadline(ServerWebSocket ws, String refusal, Object... args) {
      long ms = Addresses.LOCAL_REQUEST.getSendTimeout();
      timer = vertx.setTimer(ms, t -> {
        passed = true;
        node.connections().decrementAndGet();
        Object[] all = java.util.Arrays.copyOf(args, args.length + 1);
        all[args.length] = ms;
        NOT_IN_TIME.warn(refusal, all);
        refuse(ws, CloseCode.TRY_AGAIN_LATER);
      });
    }

    /** Stops the clock when the step answered in time; false when the connection was already refused. */
    boolean cancel() {
      if (passed) {
        return false;
      }
      vertx.cancelTimer(timer);
      return true;
    }
  }

  /** A connection refused before its welcome: the close frame is all it gets. */
  private void refuse(ServerWebSocket ws, CloseCode code) {
    node.metrics().closed(code);
    ws.close(code.code(), code.reason());
  }

  private void admit(ServerWebSocket ws, Identity identity) {
    long wait = KeyedBuckets.take(node.connects().of(identity.user(), now -> Buckets.connects(config.limits(), now)), 1);
    if (wait > 0) {
      node.connections().decrementAndGet();
      node.metrics().rateLimited();
      TOO_OFTEN.warn("connection of {} refused: over {} connects a second to this node (limits.maxConnectionsPerUser)",
          identity.user(), config.limits().maxConnectionsPerUser());
      refuse(ws, CloseCode.TRY_AGAIN_LATER);
      return;
    }
    // a cluster that does not answer must not keep the socket waiting for its welcome forever
    Deadline deadline = new Deadline(ws, "connection of {} refused: the cluster did not count it within {} ms", identity.user());
    int kicks = streams.kicksWhileConnecting(identity.user());
    streams.connectStarted(identity.user());
    node.users().connect(identity.user(), node.nodeId(), config.limits().maxConnectionsPerUser())
        .onComplete(ar -> {
          // an admin's kick closes the user's connections counted meanwhile too: not yet
          // sessions, the kick did not find them
          boolean kicked = streams.kicksWhileConnecting(identity.user()) != kicks;
          streams.connectEnded(identity.user());
          if (!deadline.cancel()) {
            if (ar.succeeded() && ar.result() >= 0) {
              uncount(identity.user()); // counted after all
            }
            return;
          }
          // stopping: stop() has taken its list of the sessions to close with 1001, and one
          // opened now would be cut by the server's close without a close frame or a clean-up
          if (ar.failed() || ar.result() < 0 || ws.isClosed() || stopping.getAsBoolean() || kicked) {
            node.connections().decrementAndGet();
            if (ar.succeeded() && ar.result() >= 0) {
              uncount(identity.user());
            }
            if (ar.failed()) {
              CLUSTER_DOWN.warn("connection of {} refused: cluster unavailable: {}", identity.user(), ar.cause().toString());
            } else if (ar.result() < 0) {
              AT_USER_LIMIT.warn("connection of {} refused: at limits.maxConnectionsPerUser ({})", identity.user(),
                  config.limits().maxConnectionsPerUser());
            }
            CloseCode code = stopping.getAsBoolean() ? CloseCode.GOING_AWAY : ar.failed() ? CloseCode.TRY_AGAIN_LATER
                : kicked ? CloseCode.KICKED : ar.result() < 0 ? CloseCode.TOO_MANY_CONNECTIONS : null;
            if (code == null) {
              node.metrics().closed(null); // the client went while it was counted: no refusal to count
            } else {
              refuse(ws, code);
            }
            return;
          }
          open.accept(ws, identity);
        });
  }

  /** Takes back a count the cluster made for a connection refused after all, the user busy till it answers. */
  private void uncount(String user) {
    streams.connectStarted(user);
    node.users().disconnect(user, node.nodeId()).onComplete(ar -> streams.connectEnded(user));
  }

  /** Before the welcome: a broken frame closes the socket (it is paused then, so this is rare). */
  private void onSocketError(ServerWebSocket ws, Throwable e) {
    LOG.debug("socket error: {}", e.toString());
    CloseCode code = closeCodeFor(e);
    if (code != null && !ws.isClosed()) {
      ws.close(code.code(), code.reason());
    }
  }

  /** The close code for a socket error: 1009 for too big, 1002 for broken framing, null for others. */
  static CloseCode closeCodeFor(Throwable e) {
    if (e instanceof io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException c) {
      return c.closeStatus() != null && c.closeStatus().code() == CloseCode.MESSAGE_TOO_BIG.code()
          ? CloseCode.MESSAGE_TOO_BIG : CloseCode.PROTOCOL_ERROR;
    }
    // Vert.x's own aggregation of a fragmented message over the message size limit, or a
    // compressed frame that inflates past it
    boolean tooBig = (e instanceof IllegalStateException && e.getMessage() != null
        && e.getMessage().contains("max message size")) || InflateLimit.exceeded(e);
    return tooBig ? CloseCode.MESSAGE_TOO_BIG : null;
  }

  private static String tokenOf(ServerWebSocket ws) {
    String auth = ws.headers().get("Authorization");
    if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return auth.substring(7).trim();
    }
    String query = ws.query();
    if (query == null) {
      return null;
    }
    try {
      List<String> tokens = new QueryStringDecoder("?" + query).parameters().get("token");
      return tokens == null || tokens.isEmpty() ? null : tokens.get(0);
    } catch (IllegalArgumentException e) {
      return null; // a broken %-escape: no token, so unauthorized
    }
  }
}
