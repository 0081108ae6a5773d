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
import io.vertx.core.http.ServerWebSocketHandshake;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The way of a new WebSocket to its welcome, for one gateway: refused while the gateway stops,
 * for a foreign origin, for a bad or expired token, at {@code limits.maxConnections}, and over
 * the user's connect rate to this node ({@link Buckets#connects}), and over the user's {@code
 * limits.maxConnectionsPerUser} counted cluster-wide; each step answers within
 * {@link Addresses#LOCAL_REQUEST}'s timeout or the connection is refused with 1013. An admitted
 * socket, still paused, goes to the gateway's {@code open}. A connection that gets neither a
 * welcome nor a refusal in {@link #STUCK_MS} is closed with 1011 and logged with the step it was
 * at ({@link #closeStuck}).
 */
final class Admission {

  private static final Logger LOG = LoggerFactory.getLogger(Admission.class);
  // a reconnect storm against a full node, or a stalled cluster, refuses thousands a second
  private static final io.switchboard.ops.ThrottledLog AT_LIMIT = new io.switchboard.ops.ThrottledLog(LOG);
  private static final io.switchboard.ops.ThrottledLog NOT_IN_TIME = new io.switchboard.ops.ThrottledLog(LOG);
  private static final io.switchboard.ops.ThrottledLog CLUSTER_DOWN = new io.switchboard.ops.ThrottledLog(LOG);
  private static final io.switchboard.ops.ThrottledLog AT_USER_LIMIT = new io.switchboard.ops.ThrottledLog(LOG);
  private static final io.switchboard.ops.ThrottledLog TOO_OFTEN = new io.switchboard.ops.ThrottledLog(LOG);
  private static final io.switchboard.ops.ThrottledLog STUCK = new io.switchboard.ops.ThrottledLog(LOG);
  private static final io.switchboard.ops.ThrottledLog SOCKET_ERRORS = new io.switchboard.ops.ThrottledLog(LOG);
  private static final io.switchboard.ops.ThrottledLog OPEN_FAILED = new io.switchboard.ops.ThrottledLog(LOG);
  private static final io.switchboard.ops.ThrottledLog BAD_ORIGIN = new io.switchboard.ops.ThrottledLog(LOG);

  /**
   * Past the deadlines of both waiting steps (token and count) with a margin: a connection that
   * has neither its welcome nor a refusal by then waits on something without a deadline. Left
   * alone it would stay open for good, paused, with no session and no heartbeat.
   */
  static final long STUCK_MS = 2 * Addresses.LOCAL_REQUEST.getSendTimeout() + 2_000;

  /** One connection on its way to its welcome: the step it is at, and since when (monotonic). */
  private static final class Arrival {
    final long since;
    String step = "upgrade";
    ServerWebSocket ws;
    /** Closed by a refusal: a step's later answer must not open or refuse it again. */
    boolean refused;
    /** Holds one of the node's {@code limits.maxConnections} until a session takes it or it is given back. */
    boolean holdsSlot;

    Arrival(long since) {
      this.since = since;
    }
  }

  /** This gateway's connections from their upgrade to their welcome or refusal, oldest first; its loop only. */
  private final Set<Arrival> arriving = new LinkedHashSet<>();

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

  /** An upgrade request on the WebSocket path: accepted, then on its way to a welcome. */
  void handshake(ServerWebSocketHandshake hs) {
    Arrival arrival = new Arrival(io.switchboard.ops.Clocks.monotonicMillis());
    arriving.add(arrival);
    hs.accept().onComplete(ar -> {
      if (ar.succeeded() && arrival.refused) {
        ar.result().close(CloseCode.INTERNAL_ERROR.code(), CloseCode.INTERNAL_ERROR.reason()); // upgraded after the sweep gave up on it
      } else if (ar.succeeded()) {
        connect(ar.result(), arrival);
      } else {
        arriving.remove(arrival); // Vert.x answered the upgrade with an error status itself
      }
    });
  }

  /**
   * Closes with 1011, and logs with the step it was at, every connection that has waited
   * {@link #STUCK_MS} for its welcome, and gives back its place among the node's connections. A
   * cluster count still on its way is given back when it comes (the count's answer finds the
   * connection refused).
   */
  void closeStuck(long tick) {
    for (Iterator<Arrival> it = arriving.iterator(); it.hasNext(); ) {
      Arrival a = it.next();
      if (tick - a.since < STUCK_MS) {
        return; // the rest came later
      }
      it.remove();
      STUCK.warn("connection closed with 1011: neither welcomed nor refused after {} ms, at its {} step",
          tick - a.since, a.step);
      if (a.ws == null) {
        a.refused = true; // not upgraded yet (so holding no place): closed when it is
      } else if (a.ws.isClosed()) {
        a.refused = true;
        release(a);
        node.metrics().closed(null); // the client went meanwhile
      } else {
        refuse(a, CloseCode.INTERNAL_ERROR);
      }
    }
  }

  /** Gives back the arrival's place among the node's connections, once. */
  private void release(Arrival a) {
    if (a.holdsSlot) {
      a.holdsSlot = false;
      node.connections().decrementAndGet();
    }
  }

  /** How many connections are on their way to a welcome (for tests). */
  int arriving() {
    return arriving.size();
  }

  private void connect(ServerWebSocket ws, Arrival arrival) {
    arrival.ws = ws;
    arrival.step = "first checks";
    DirectSocketWrites.apply(ws); // before the first write
    ws.pause();
    ws.exceptionHandler(e -> onSocketError(ws, e));
    if (stopping.getAsBoolean()) {
      refuse(arrival, CloseCode.GOING_AWAY);
      return;
    }
    if (!origins.allows(ws.headers().get("Origin"), ws.headers().get("Host"))) {
      // a page served from an origin auth.allowedOrigins leaves out is refused, every client of it
      BAD_ORIGIN.info("connection refused: origin {} is not allowed (auth.allowedOrigins)",
          io.switchboard.ops.LogText.oneLine(ws.headers().get("Origin")));
      refuse(arrival, CloseCode.FORBIDDEN_ORIGIN);
      return;
    }
    arrival.holdsSlot = true;
    // a full node still checks the token: a client told 1013 retries, and one whose token
    // will never pass must hear 1008 instead, whatever the node's load
    boolean full = node.connections().incrementAndGet() > config.limits().maxConnections();
    arrival.step = "token check";
    // the check answers at once for HS256 (no timer to set and cancel on every connect); a
    // check that has to wait (a key fetched) must still not keep the socket forever
    io.vertx.core.Future<Identity> checked = node.tokens().verify(tokenOf(ws));
    Deadline deadline = checked.isComplete() ? null
        : new Deadline(arrival, "connection refused: its token was not checked within {} ms");
    // HS256's answer is a future without a context: what its callback threw would go unheard
    io.switchboard.ops.Promises.here(checked).onComplete(ar -> {
      if (deadline != null && !deadline.cancel()) {
        return;
      }
      if (ar.failed()) {
        Throwable e = ar.cause();
        refuse(arrival, e instanceof TokenRejected r && r.expired() ? CloseCode.TOKEN_EXPIRED : CloseCode.UNAUTHORIZED);
      } else if (full) {
        AT_LIMIT.warn("connection refused: node at limits.maxConnections ({})", config.limits().maxConnections());
        refuse(arrival, CloseCode.TRY_AGAIN_LATER);
      } else {
        admit(arrival, ar.result());
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
    Deadline(Arrival arrival, String refusal, Object... args) {
      long ms = Addresses.LOCAL_REQUEST.getSendTimeout();
      timer = vertx.setTimer(ms, t -> {
        passed = true;
        release(arrival);
        if (arrival.refused) {
          return; // the sweep closed it first (a loop that stood still past both)
        }
        Object[] all = java.util.Arrays.copyOf(args, args.length + 1);
        all[args.length] = ms;
        NOT_IN_TIME.warn(refusal, all);
        refuse(arrival, CloseCode.TRY_AGAIN_LATER);
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

  /** A connection refused before its welcome: its place given back, the close frame is all it gets. */
  private void refuse(Arrival arrival, CloseCode code) {
    arriving.remove(arrival);
    arrival.refused = true;
    release(arrival);
    ServerWebSocket ws = arrival.ws;
    node.metrics().closed(code);
    ws.close(code.code(), code.reason());
  }

  private void admit(Arrival arrival, Identity identity) {
    long wait = KeyedBuckets.take(node.connects().of(identity.user(), now -> Buckets.connects(config.limits(), now)), 1);
    if (wait > 0) {
      node.metrics().rateLimited();
      TOO_OFTEN.warn("connection of {} refused: over {} connects a second to this node, a burst of {}"
          + " (five and ten times limits.maxConnectionsPerUser)", identity.user(),
          5L * config.limits().maxConnectionsPerUser(), 10L * config.limits().maxConnectionsPerUser());
      refuse(arrival, CloseCode.TRY_AGAIN_LATER);
      return;
    }
    arrival.step = "count";
    ServerWebSocket ws = arrival.ws;
    // a cluster that does not answer must not keep the socket waiting for its welcome forever
    Deadline deadline = new Deadline(arrival, "connection of {} refused: the cluster did not count it within {} ms", identity.user());
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
          // the client went while it was counted, or the sweep closed it as stuck
          boolean gone = ws.isClosed() || arrival.refused;
          // the token ran out while the cluster counted (up to 5 s): refused as at its check,
          // not welcomed and closed by the next sweep, past PROTOCOL.md's 2 s after exp
          boolean expired = identity.expired(System.currentTimeMillis());
          if (ar.failed() || ar.result() < 0 || gone || stopping.getAsBoolean() || kicked || expired) {
            if (ar.succeeded() && ar.result() >= 0) {
              uncount(identity.user());
            }
            if (ar.failed()) {
              CLUSTER_DOWN.warn("connection of {} refused: cluster unavailable: {}", identity.user(), ar.cause().toString());
            } else if (ar.result() < 0) {
              AT_USER_LIMIT.warn("connection of {} refused: at limits.maxConnectionsPerUser ({})", identity.user(),
                  config.limits().maxConnectionsPerUser());
            }
            CloseCode code = gone ? null : stopping.getAsBoolean() ? CloseCode.GOING_AWAY
                : ar.failed() ? CloseCode.TRY_AGAIN_LATER : kicked ? CloseCode.KICKED
                : ar.result() < 0 ? CloseCode.TOO_MANY_CONNECTIONS : expired ? CloseCode.TOKEN_EXPIRED : null;
            if (code == null) {
              arriving.remove(arrival);
              release(arrival);
              if (!arrival.refused) {
                node.metrics().closed(null); // the client went: no refusal to count
              }
            } else {
              refuse(arrival, code);
            }
            return;
          }
          arrival.step = "open";
          try {
            open.accept(ws, identity);
          } catch (RuntimeException e) {
            // an open that throws has taken nothing (GatewayVerticle.open): both counts come back here
            OPEN_FAILED.error("connection of {} closed with 1011: its open failed", identity.user(), e);
            uncount(identity.user());
            refuse(arrival, CloseCode.INTERNAL_ERROR);
            return;
          }
          arrival.holdsSlot = false; // the session's now: its clean-up gives it back
          arriving.remove(arrival);
        });
  }

  /** Takes back a count the cluster made for a connection refused after all, the user busy till it answers. */
  private void uncount(String user) {
    streams.connectStarted(user);
    node.users().disconnect(user, node.nodeId()).onComplete(ar -> streams.connectEnded(user));
  }

  /** Before the welcome: a broken frame closes the socket (it is paused then, so this is rare). */
  private void onSocketError(ServerWebSocket ws, Throwable e) {
    if (SocketErrors.unexpected(e)) {
      SOCKET_ERRORS.warn("socket error before the welcome: {}", e.toString(), e);
    } else {
      LOG.debug("socket error: {}", e.toString());
    }
    CloseCode code = SocketErrors.closeCodeFor(e);
    if (code != null && !ws.isClosed()) {
      ws.close(code.code(), code.reason());
    }
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
