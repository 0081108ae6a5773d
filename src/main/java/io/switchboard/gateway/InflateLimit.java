package io.switchboard.gateway;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.compression.DecompressionException;
import io.netty.handler.codec.compression.ZlibCodecFactory;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtensionHandler;
import io.netty.handler.codec.http.websocketx.extensions.compression.DeflateFrameServerExtensionHandshaker;
import io.netty.handler.codec.http.websocketx.extensions.compression.PerMessageDeflateServerExtensionHandshaker;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerOptions;

/**
 * WebSocket compression that stops inflating at {@code limits.maxFrameBytes}.
 *
 * <p>Vert.x builds its deflate decoders without an allocation limit, so a frame within
 * {@code maxFrameBytes} on the wire could inflate about a thousand times over before the message
 * size was checked: a 1 MiB frame of zeros became a gigabyte of heap. This swaps Vert.x's
 * extension handler for one whose decoders give up past the limit (with a
 * {@link DecompressionException} that {@link #exceeded} recognises), before the connection reads
 * its upgrade request. The other settings are Vert.x's defaults, which the gateway does not change.
 */
final class InflateLimit {

  /** The name Vert.x gives its handler in the pipeline ({@code HttpServerConnectionHandler}). */
  private static final String HANDLER = "webSocketExtensionHandler";

  private InflateLimit() {
  }

  /**
   * Replaces the connection's extension handler; a no-op where there is none (compression off).
   *
   * @param maxBytes the largest message allowed: the decoders stop one byte past it, so that a
   *                 message of exactly this size still inflates ({@link MessageAssembler} then decides)
   */
  static void install(HttpConnection connection, int maxBytes) {
    // Vert.x 5 exposes an HTTP/1 connection's pipeline only on its implementation class
    if (!(connection instanceof io.vertx.core.net.impl.ConnectionBase base)) {
      return;
    }
    ChannelPipeline pipeline = base.channelHandlerContext().pipeline();
    if (pipeline.get(HANDLER) == null) {
      return;
    }
    int maxAllocation = maxBytes + 1;
    pipeline.replace(HANDLER, HANDLER, new WebSocketServerExtensionHandler(
        new DeflateFrameServerExtensionHandshaker(HttpServerOptions.DEFAULT_WEBSOCKET_COMPRESSION_LEVEL, maxAllocation),
        new PerMessageDeflateServerExtensionHandshaker(HttpServerOptions.DEFAULT_WEBSOCKET_COMPRESSION_LEVEL,
            ZlibCodecFactory.isSupportingWindowSizeAndMemLevel(), PerMessageDeflateServerExtensionHandshaker.MAX_WINDOW_SIZE,
            HttpServerOptions.DEFAULT_WEBSOCKET_ALLOW_SERVER_NO_CONTEXT,
            HttpServerOptions.DEFAULT_WEBSOCKET_PREFERRED_CLIENT_NO_CONTEXT, maxAllocation)));
  }

  /** Whether a socket error is a decoder giving up at the limit: the message was too big. */
  static boolean exceeded(Throwable e) {
    return e instanceof DecompressionException && e.getMessage() != null
        && e.getMessage().contains("maximum size");
  }
}
