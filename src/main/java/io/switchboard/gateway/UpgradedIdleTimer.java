package io.switchboard.gateway;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.timeout.IdleStateHandler;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.http.WebSocketInternal;

/**
 * Takes the HTTP server's idle timer off a WebSocket once it is a session. The server's idle
 * timeout ({@code heartbeat.timeout + interval}) drops HTTP connections that neither read nor
 * write; a session has the node's own heartbeat, which pings it every interval and closes it
 * with 4001 when it goes silent, before that timeout could. Left on, Netty's
 * {@link IdleStateHandler} (with its pipeline context and scheduled task) was about 180 bytes
 * of every idle connection's heap, and every read and write moved its clock.
 */
final class UpgradedIdleTimer {

  private UpgradedIdleTimer() {
  }

  /** Whether {@code ws} had the timer and lost it. */
  static boolean remove(ServerWebSocket ws) {
    if (!(ws instanceof WebSocketInternal internal)) {
      return false;
    }
    ChannelPipeline pipeline = internal.channelHandlerContext().pipeline();
    IdleStateHandler idle = pipeline.get(IdleStateHandler.class);
    if (idle == null) {
      return false;
    }
    pipeline.remove(idle);
    return true;
  }
}
