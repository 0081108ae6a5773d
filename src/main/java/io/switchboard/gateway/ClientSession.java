package io.switchboard.gateway;

import io.switchboard.auth.Identity;
import io.switchboard.protocol.CloseCode;
import io.switchboard.room.EncodedFrame;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.websocket.WebSocketFrameImpl;
import io.vertx.core.Future;
import io.vertx.core.http.ServerWebSocket;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One WebSocket connection: who it is, which rooms it joined, its rate bucket and heartbeat
 * clock. Its frames are handled one after the other ({@link SessionSteps}), so a join, a publish
 * and a leave of the same connection take effect in the order they were sent. Event-loop confined.
 */
final class ClientSession {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ClientSession.class);

  private static final java.util.concurrent.atomic.AtomicLong OPENED = new java.util.concurrent.atomic.AtomicLong();

  final String id;
  final ServerWebSocket ws;
  final long connectedAt;
  /** Order of opening on this node: tells the newest connection apart within one millisecond. */
  final long serial = OPENED.incrementAndGet();
  Identity identity;
  /** room → joined (true) or join in flight (false). */
  final Map<String, Boolean> rooms = new LinkedHashMap<>();
  final TokenBucket bucket;
  /** Joins of rooms not joined yet: made at the first join (see MembershipCommands). */
  TokenBucket joins;
  /** history, members and refresh frames: made at the first (see SessionCommands). */
  TokenBucket reads;
  final RefusalWindow refusals;
  /** On {@link io.switchboard.ops.Clocks#monotonicMillis}, as is lastPing. */
  long lastSeen;
  long lastPing;
  /** Reading held because the connection sent frames faster than {@link #frames} allows. */
  private boolean throttled;
  /** Every frame the client sends (pings, junk and unknown types included) takes a token: see {@link #takeFrame}. */
  private TokenBucket frames;
  /** Frames in debt past which the connection is closed (see {@link #takeFrame}). */
  private int maxDebt;
  private boolean closed;
  /** The frames' steps, one after the other. */
  final SessionSteps steps = new SessionSteps(new Steps());
  /** False once the socket's unsent bytes passed {@code limits.outboundBytes}: nothing more is written. */
  private boolean writable = true;
  /** The code the server closed with; null when the client closed (or the connection dropped). */
  CloseCode closedWith;
  /** The fragmented message coming in, if one is (null almost always). */
  MessageAssembler assembling;
  private java.util.function.Consumer<CloseCode> ender = code -> close(code);
  private final TurnFlush turn;
  private final TurnFlush.Pending socket;
  /** Whether the socket sent enough for the next step (see {@link SocketDrain#drained}). */
  private final SocketDrain drain;
  /** See {@link #frameLimit}: {@code limits.maxFrameBytes}, set by the gateway. */
  private int maxFrameBytes = 65_536;

  ClientSession(String id, ServerWebSocket ws, Identity identity, TokenBucket bucket, RefusalWindow refusals,
                long now, TurnFlush turn) {
    this.id = id;
    this.ws = ws;
    this.turn = turn;
    this.socket = turn == null ? null : TurnFlush.pendingFor(ws);
    // the gateway's context the session is opened on (none in tests that drive it directly)
    this.drain = new SocketDrain(socket == null ? null : socket.chctx.channel(), io.vertx.core.Vertx.currentContext(),
        () -> closed, () -> end(CloseCode.SLOW_CONSUMER));
    this.identity = identity;
    this.bucket = bucket;
    this.refusals = refusals;
    this.connectedAt = now;
    this.lastSeen = io.switchboard.ops.Clocks.monotonicMillis();
    this.lastPing = lastSeen;
  }

  String user() {
    return identity.user();
  }

  String name() {
    return identity.name();
  }

  boolean closed() {
    return closed;
  }

  /** Marks the session closed; true the first time only, so cleanup runs once. */
  boolean markClosed() {
    if (closed) {
      return false;
    }
    closed = true;
    return true;
  }

  /** How the gateway ends a session it closes itself: close frame, clean-up at once, TCP drop later. */
  void onEnd(java.util.function.Consumer<CloseCode> action) {
    this.ender = action;
  }

  /** The server closes this session (heartbeat, expiry, abuse, slow consumer, shutdown). */
  void end(CloseCode code) {
    writable = false;
    if (closedWith == null) {
      closedWith = code;
    }
    ender.accept(code);
  }

  /** Closed sockets are skipped here: Vert.x throws from {@code writeQueueFull()} once closed. */
  boolean writable() {
    return writable && !closed && !ws.isClosed();
  }

  void send(String frame) {
    if (writable()) {
      // Vert.x splits what it writes itself at the server's frame size (limits.maxFrameBytes)
      if (turn == null || mayPassFrameLimit(frame) || !turn.write(socket, frame)) {
        ws.writeTextMessage(frame);
      }
      checkBacklog();
    }
  }

  /**
   * Writes a frame shared with the node's other members: a view of the same bytes, no copy and
   * no re-encoding. Vert.x has no public text-frame-from-bytes factory, hence its frame class.
   * Answers whether it was written (not to a closed or stopped socket).
   */
  boolean send(EncodedFrame frame) {
    if (writable()) {
      if (turn == null || frame.length() > maxFrameBytes || !turn.write(socket, frame)) {
        writeFragments(frame);
      }
      checkBacklog();
      return true;
    }
    return false;
  }

  /**
   * Writes the frame through Vert.x, whole when it fits {@code limits.maxFrameBytes}. A larger one
   * (a message at its size limit, with the seq, sender and time the node adds) goes in fragments
   * of at most that size, each a view of the shared bytes: Vert.x splits the text messages it
   * writes itself, not the frames handed to it, and a client at the usual 64 KiB frame limit
   * closed with 1009 on the whole one.
   */
  private void writeFragments(EncodedFrame frame) {
    int length = frame.length();
    int at = 0;
    do {
      int size = Math.min(maxFrameBytes, length - at);
      ws.writeFrame(new WebSocketFrameImpl(at == 0 ? WebSocketFrameType.TEXT : WebSocketFrameType.CONTINUATION,
          frame.slice(at, size), at + size == length));
      at += size;
    } while (at < length);
  }

  /** Whether a frame the turn would write whole may pass the limit (only under a limit below 24 KiB). */
  private boolean mayPassFrameLimit(String frame) {
    return 3L * frame.length() > maxFrameBytes && io.netty.buffer.ByteBufUtil.utf8Bytes(frame) > maxFrameBytes;
  }

  /** The largest frame written to the client: the node's own limit, which {@code welcome} tells. */
  void frameLimit(int bytes) {
    this.maxFrameBytes = Math.max(1, bytes);
  }

  /** How long a step waits for the socket to drain before the client is closed as a slow consumer. */
  void drainLimit(long ms) {
    drain.limit(ms);
  }

  /**
   * The write queue's high-water mark is {@code limits.outboundBytes}: past it, stop for good.
   * Netty's own buffer is asked too: {@link TurnFlush} writes there directly, and Vert.x's queue
   * sees those bytes only while the socket has the direct queue ({@link DirectSocketWrites}).
   */
  void checkBacklog() {
    // a closed socket's queue is not asked: it throws
    // (a channel that just dropped is not writable either, before Vert.x knows it closed: not slow)
    if (writable() && (ws.writeQueueFull() || (socket != null && socket.chctx.channel().isActive()
        && !socket.chctx.channel().isWritable()))) {
      end(CloseCode.SLOW_CONSUMER);
    }
  }

  /**
   * Sends the close frame only ({@link #end} is what the server uses); nothing is written after
   * it (RFC 6455), though Vert.x calls the socket
   * closed only once the client's close frame is back: at shutdown, an ack or a message whose
   * answer was already on its way went out after the 1001.
   */
  void close(CloseCode code) {
    writable = false;
    if (!ws.isClosed()) {
      ws.close(code.code(), code.reason());
    }
  }

  /**
   * A copy of what this session spent of its limits, for a later connection of its user on this
   * node ({@link SpentLimits}); at rest once every bucket is full and its refusals left their
   * window. Frames owed are not handed on, nor refusals once they closed this one with 4008:
   * that was their sanction.
   */
  SpentLimits.Spent spent(long now) {
    RefusalWindow window = closedWith == CloseCode.RATE_LIMIT_ABUSE ? refusals.empty() : refusals.copy();
    return SpentLimits.Spent.of(bucket, frames, joins, reads, window, now);
  }

  /** Sets the bucket of all frames; until then (tests that drive a session directly) nothing is throttled. */
  void frameBucket(TokenBucket bucket, int maxDebt) {
    this.frames = bucket;
    this.maxDebt = maxDebt;
  }

  /**
   * Takes a token for a frame the client sent: 0, or how many ms the reading is to be held. Only
   * publishes, joins and reads had buckets, so pings, heartbeats, unknown types and junk, each
   * parsed and answered on the event loop, came as fast as one client could send them. Held, the
   * socket reads nothing more and TCP slows the client down: no frame is lost, nothing to answer.
   */
  long takeFrame(long nowMillis) {
    if (frames == null) {
      return 0;
    }
    // frames the socket had read before a pause still come, and WebSocket pings come whatever
    // the pause (Vert.x asks for the next frame after each): each is charged all the same, and a
    // debt past maxDebt is abuse (-1), else it would hold the connection (and its heartbeat
    // timeout) for as long as it takes to pay
    long wait = frames.charge(nowMillis);
    if (frames.debt(nowMillis) > maxDebt) {
      return -1;
    }
    if (wait == 0 || throttled) {
      return 0; // a hold under way sees the debt when it ends
    }
    throttled = true;
    ws.pause();
    return wait;
  }

  /** The end of {@link #takeFrame}'s hold: 0 when reading goes on, else how many ms more to hold. */
  long releaseFrames(long nowMillis) {
    if (closed || closedWith != null) {
      return 0; // gone: nothing to resume, and no timer to keep it alive
    }
    long wait = frames.waitMs(nowMillis);
    if (wait > 0) {
      return wait;
    }
    throttled = false;
    if (!steps.holding()) {
      ws.resume();
    }
    return 0;
  }

  /**
   * True while this node holds the connection's reading back (its frames wait for the cluster,
   * or come too fast): the client may be talking all the while, and PROTOCOL.md counts any frame
   * as life.
   */
  boolean readingHeld() {
    return steps.holding() || throttled;
  }

  /** What the steps ask of this session. */
  private final class Steps implements SessionSteps.Session {
    @Override
    public boolean ended() {
      return closed || closedWith != null;
    }

    @Override
    public Future<Void> drained() {
      return drain.drained();
    }

    @Override
    public void holdReading(boolean held) {
      if (held) {
        ws.pause();
      } else if (!throttled) {
        ws.resume();
      }
    }

    /** Logged, and this connection only is closed, with 1011, as for a failure in the frame's decoding. */
    @Override
    public void failed(RuntimeException e) {
      LOG.error("session {} ({}): unexpected failure, closing it with 1011", id, identity == null ? null : user(), e);
      end(CloseCode.INTERNAL_ERROR);
    }
  }
}
