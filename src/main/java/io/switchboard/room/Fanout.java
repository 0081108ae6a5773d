package io.switchboard.room;

import io.switchboard.Addresses;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import java.util.Collection;

/**
 * Sends one encoded frame to each node that has members for it, once per node: locally
 * straight to the {@link NodeRouter}, to other nodes over their clustered node address.
 *
 * <p>The clustered event bus has no bound of its own: what a node that reads slowly (a long GC,
 * an overloaded host) has not taken waits in this node's socket buffer, and one such node could
 * grow every other node's heap until it died too. So each node's unsent bytes are counted from
 * the send to its write's completion (the frame's UTF-8 bytes and a rough allowance for the
 * headers), and past
 * {@code limits.nodeBacklogBytes} its room messages are not sent. Once its backlog is down to
 * half the limit, the node is told it missed some ({@link #RESYNC}), and every stream there
 * reads where its log ends and what it missed, as after a node died (a stream also sees the gap
 * at its next message). Presence frames, which nothing brings back, and private messages, which
 * only a stream already open for the conversation would read again, go on to twice the limit.
 */
public final class Fanout {

  static final String KIND = "k";
  static final String ROOM = "r";
  static final String SEQ = "s";
  static final String TAG = "t";
  /** The {@link #KIND} of the word that this node did not send the receiver some frames. */
  static final String RESYNC = "RESYNC";
  /** The headers and the event bus's framing, roughly: the count need not be exact, only bounded. */
  private static final int OVERHEAD = 128;
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Fanout.class);
  private static final io.switchboard.ops.ThrottledLog DROPPING = new io.switchboard.ops.ThrottledLog(LOG);
  /** In place of Vert.x's own line, a stack trace for every frame to a node that went (logback.xml). */
  private static final io.switchboard.ops.ThrottledLog UNREACHABLE = new io.switchboard.ops.ThrottledLog(LOG);

  private final EventBus eventBus;
  private final String localNode;
  private final NodeRouter router;
  private final long backlogLimit;
  /** Per other node: bytes handed to the event bus whose write has not completed. */
  private final java.util.concurrent.ConcurrentHashMap<String, java.util.concurrent.atomic.AtomicLong> unsent =
      new java.util.concurrent.ConcurrentHashMap<>();
  /** The nodes this node dropped frames for and has not yet told so. */
  private final java.util.Set<String> owed = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final io.micrometer.core.instrument.Counter dropped;

  public Fanout(EventBus eventBus, String localNode, NodeRouter router, long backlogLimit,
                io.switchboard.ops.NodeMetrics metrics) {
    this.eventBus = eventBus;
    this.localNode = localNode;
    this.router = router;
    this.backlogLimit = backlogLimit;
    this.dropped = io.micrometer.core.instrument.Counter.builder("switchboard.node.backlog.dropped")
        .description("frames not sent to a node that had limits.nodeBacklogBytes unsent (it reads messages from the log)")
        .register(metrics.meters());
    metrics.gauge("switchboard.node.backlog", "the most bytes sent to one other node and not yet written to its socket",
        () -> unsent.values().stream().mapToLong(java.util.concurrent.atomic.AtomicLong::get).max().orElse(0));
  }

  public void send(Collection<String> nodes, NodeRouter.Kind kind, String room, long seq, String frame,
                   String tag) {
    DeliveryOptions options = null;
    long bytes = -1; // counted once, for the first other node: text outside ASCII is up to 3 bytes a char
    for (String node : nodes) {
      if (node.equals(localNode)) {
        router.route(kind, room, seq, frame, tag);
        continue;
      }
      java.util.concurrent.atomic.AtomicLong backlog = unsent.computeIfAbsent(node, n -> new java.util.concurrent.atomic.AtomicLong());
      if (backlog.get() > (kind == NodeRouter.Kind.MESSAGE ? backlogLimit : 2 * backlogLimit)) {
        owed.add(node);
        resyncIfCaughtUp(node, backlog); // its last write may have completed before it was owed anything
        dropped.increment();
        DROPPING.warn("node {} has {} bytes unsent (limits.nodeBacklogBytes {}): its {} frames are not sent;"
            + " it reads messages from the rooms' logs", node, backlog.get(), backlogLimit, kind);
        continue;
      }
      if (options == null) {
        options = new DeliveryOptions()
            .addHeader(KIND, kind.name())
            .addHeader(ROOM, room)
            .addHeader(SEQ, Long.toString(seq));
        if (tag != null) {
          options.addHeader(TAG, tag);
        }
      }
      if (bytes < 0) {
        bytes = io.netty.buffer.ByteBufUtil.utf8Bytes(frame) + room.length() + OVERHEAD; // room names are ASCII
      }
      write(node, backlog, options, frame, bytes, false);
    }
  }

  private void write(String node, java.util.concurrent.atomic.AtomicLong backlog, DeliveryOptions options,
                     String body, long bytes, boolean resync) {
    backlog.addAndGet(bytes);
    // completes once written to the node's socket, or failed (the connection closed)
    eventBus.sender(Addresses.node(node), options).write(body).onComplete(done -> {
      backlog.addAndGet(-bytes);
      if (done.failed()) {
        UNREACHABLE.warn("frames to node {} do not get through ({}): it reads what it missed from the rooms' logs"
            + " once they do, or its connections' rooms are cleaned up once it is declared dead", node, done.cause().toString());
      }
      if (done.failed() && unsent.get(node) == backlog) {
        // lost on the way, as surely as a frame not sent: the node is owed a reading of the logs
        // (a quiet room's last message waited for the next round, a first private message for
        // the conversation's next one). A RESYNC that failed is owed again, and goes with the
        // next write that gets through, not at once: to a node that is gone, in a loop
        owed.add(node);
        if (resync) {
          return;
        }
      }
      resyncIfCaughtUp(node, backlog);
    });
  }

  /** A node owed frames whose backlog is down to half the limit is told to read what it missed. */
  private void resyncIfCaughtUp(String node, java.util.concurrent.atomic.AtomicLong backlog) {
    if (backlog.get() <= backlogLimit / 2 && owed.remove(node)) {
      write(node, backlog, new DeliveryOptions().addHeader(KIND, RESYNC), "", OVERHEAD, true);
    }
  }

  /** A node that left gets nothing more: its count goes ({@link io.switchboard.presence.NodeDeaths}). */
  public void forget(String node) {
    unsent.remove(node);
    owed.remove(node);
  }

  /** The clustered node consumer's handler: what another node sent here. */
  public void receive(Message<String> message) {
    var headers = message.headers();
    if (RESYNC.equals(headers.get(KIND))) {
      router.nodeLeft(); // the same reading of the logs as after a node died
      return;
    }
    try {
      NodeRouter.Kind kind = NodeRouter.Kind.valueOf(headers.get(KIND));
      router.route(kind, headers.get(ROOM), Long.parseLong(headers.get(SEQ)), message.body(), headers.get(TAG));
    } catch (RuntimeException e) {
      // only nodes send here; anything else in the cluster that does is ignored, not crashed on
    }
  }
}
