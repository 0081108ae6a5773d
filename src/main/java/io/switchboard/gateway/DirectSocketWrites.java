package io.switchboard.gateway;

import io.netty.channel.ChannelHandlerContext;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.http.WebSocketInternal;
import io.vertx.core.net.impl.VertxConnection;
import io.vertx.core.net.impl.VertxHandler;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes away the cross-thread write queue that Vert.x gives every WebSocket connection.
 *
 * <p>{@code HttpServerOptions.setStrictThreadMode} makes the HTTP connection write straight to
 * Netty, but Vert.x 5 (up to 5.2.3 at least) builds the WebSocket connection that replaces it
 * without that switch: each socket keeps a jctools queue whose first chunk (1024 slots, about
 * 4.9 KiB with the queue itself) is a third of an idle connection's heap, and that only writes
 * from other threads would use. Every write of the gateway happens on the socket's own event
 * loop, so the connection gets the direct queue Vert.x itself uses in strict mode.
 *
 * <p>This reaches into Vert.x internals. When they change, nothing breaks: the socket keeps
 * Vert.x's queue, and the node says so once at start.
 */
final class DirectSocketWrites {

  private static final Logger LOG = LoggerFactory.getLogger(DirectSocketWrites.class);
  private static final MethodHandle SET_QUEUE;
  private static final MethodHandle NEW_DIRECT;

  static {
    MethodHandle set = null;
    MethodHandle make = null;
    try {
      Field queue = VertxConnection.class.getDeclaredField("outboundMessageQueue");
      queue.setAccessible(true);
      Class<?> direct = Class.forName(VertxConnection.class.getName() + "$DirectOutboundMessageQueue");
      Constructor<?> ctor = direct.getDeclaredConstructor(VertxConnection.class);
      ctor.setAccessible(true);
      if (!queue.getType().isAssignableFrom(direct)) {
        throw new IllegalStateException(direct + " is not a " + queue.getType());
      }
      set = MethodHandles.lookup().unreflectSetter(queue);
      make = MethodHandles.lookup().unreflectConstructor(ctor);
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.info("WebSocket connections keep Vert.x's cross-thread write queue (about 5 KiB each): {}", e.toString());
    }
    SET_QUEUE = set;
    NEW_DIRECT = make;
  }

  private DirectSocketWrites() {
  }

  /** Whether sockets of this Vert.x get the direct queue at all. */
  static boolean available() {
    return SET_QUEUE != null;
  }

  /**
   * Gives {@code ws} the direct queue; to be called on the socket's event loop before anything
   * is written to it. True when it did.
   */
  static boolean apply(ServerWebSocket ws) {
    if (SET_QUEUE == null || !(ws instanceof WebSocketInternal internal)) {
      return false;
    }
    ChannelHandlerContext chctx = internal.channelHandlerContext();
    // the direct queue writes on the calling thread: only ever from the channel's own loop
    if (!chctx.executor().inEventLoop() || !(chctx.handler() instanceof VertxHandler<?> handler)) {
      return false;
    }
    VertxConnection conn = handler.getConnection();
    try {
      SET_QUEUE.invoke(conn, NEW_DIRECT.invoke(conn));
      return true;
    } catch (Throwable e) {
      LOG.debug("socket keeps Vert.x's write queue", e);
      return false;
    }
  }
}
