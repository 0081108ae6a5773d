package io.switchboard.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SingleThreadEventLoop;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.switchboard.room.EncodedFrame;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.http.WebSocketInternal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Small frames that one gateway writes during a turn of its event loop leave with one flush per
 * socket at the end of that turn, instead of one syscall each. A publish answers its sender
 * twice, with the {@code ack} and with the message itself (the sender is a member of the
 * room), from two tasks of the same turn: two {@code send} syscalls were a third of the CPU of
 * a publish (async-profiler).
 *
 * <p>One flush task per loop turn, not one per socket: Netty's {@code FlushConsolidationHandler}
 * schedules a task for every socket, which cost a fan-out to 1000 members a quarter of its rate.
 * Only for the loop's own thread; anything else writes through Vert.x, which flushes at once.
 */
final class TurnFlush {

  /** Larger frames go through Vert.x, which splits them to the frame size limit. */
  private static final int MAX_DEFERRED_CHARS = 8 * 1024;

  private final SingleThreadEventLoop loop;
  private List<Pending> dirty = new ArrayList<>();
  private List<Pending> flushing = new ArrayList<>();
  private final Runnable flushAll = this::flushAll;

  /** The socket of one session: whether a flush is owed to it this turn. */
  static final class Pending {
    final ChannelHandlerContext chctx;
    boolean owed;

    Pending(ChannelHandlerContext chctx) {
      this.chctx = chctx;
    }
  }

  private TurnFlush(SingleThreadEventLoop loop) {
    this.loop = loop;
  }

  /** For the event loop of the calling verticle; null where Netty's loop offers no end-of-turn task. */
  static TurnFlush forCurrentLoop(io.vertx.core.Context context) {
    if (context instanceof io.vertx.core.internal.ContextInternal internal
        && internal.nettyEventLoop() instanceof SingleThreadEventLoop loop) {
      return new TurnFlush(loop);
    }
    return null;
  }

  /** The socket's pipeline position Vert.x itself writes from; null when it cannot be had. */
  static Pending pendingFor(ServerWebSocket ws) {
    return ws instanceof WebSocketInternal internal ? new Pending(internal.channelHandlerContext()) : null;
  }

  /** Writes one text frame without flushing; false when the caller must write it through Vert.x. */
  boolean write(Pending socket, String text) {
    if (text.length() > MAX_DEFERRED_CHARS || !onLoop(socket)) {
      return false;
    }
    write(socket, Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
    return true;
  }

  /** The same for a frame shared with other members: a view of its bytes, no copy. */
  boolean write(Pending socket, EncodedFrame frame) {
    if (frame.length() > MAX_DEFERRED_CHARS || !onLoop(socket)) {
      return false;
    }
    write(socket, frame.duplicate());
    return true;
  }

  private boolean onLoop(Pending socket) {
    return socket != null && socket.chctx.executor().inEventLoop() && loop.inEventLoop();
  }

  private void write(Pending socket, ByteBuf text) {
    socket.chctx.write(new TextWebSocketFrame(true, 0, text), socket.chctx.voidPromise());
    if (!socket.chctx.channel().isWritable()) {
      // a turn's unflushed frames passed the high-water mark: hand them to the kernel now, so
      // that only what the client does not read counts as its backlog (limits.outboundBytes)
      socket.chctx.flush();
    }
    if (!socket.owed) {
      socket.owed = true;
      if (dirty.isEmpty()) {
        loop.executeAfterEventLoopIteration(flushAll);
      }
      dirty.add(socket);
    }
  }

  private void flushAll() {
    // a flush can lead to writes (a drained socket's handlers): those go to the next list
    List<Pending> now = dirty;
    dirty = flushing;
    flushing = now;
    for (Pending socket : now) {
      socket.owed = false;
      try {
        socket.chctx.flush();
      } catch (RuntimeException e) {
        // one socket's failure must not keep the others' frames back
        org.slf4j.LoggerFactory.getLogger(TurnFlush.class).warn("flush failed", e);
      }
    }
    now.clear();
  }
}
