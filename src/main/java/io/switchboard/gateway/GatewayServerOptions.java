package io.switchboard.gateway;

import io.switchboard.config.Config;
import io.vertx.core.http.HttpServerOptions;

/** The HTTP server options of every gateway: what each one says about this service's sockets and requests. */
final class GatewayServerOptions {

  /** Longer than a connect's 5 s deadline and an API request's 6 s: see {@link #idleTimeoutMs}. */
  static final long IDLE_FLOOR_MS = 10_000;

  private GatewayServerOptions() {
  }

  static HttpServerOptions of(Config config) {
    HttpServerOptions options = new HttpServerOptions()
        .setHost(config.http().host())
        .setPort(config.http().port())
        // a token travels in the upgrade's query string (PROTOCOL.md section 1): an identity
        // provider's with many claims passes Vert.x's 4 KiB request line, and was refused 414
        .setMaxInitialLineLength(16 * 1024)
        .setMaxWebSocketFrameSize(config.limits().maxFrameBytes())
        // the sessions' messages are joined by MessageAssembler under the same bound; this one is
        // Vert.x's, for any socket that its own aggregator reads
        .setMaxWebSocketMessageSize(config.limits().maxFrameBytes())
        // permessage-deflate compresses every frame again for every socket: off unless asked for,
        // so that a fanned-out frame stays one shared buffer (DESIGN property 3)
        .setPerMessageWebSocketCompressionSupported(config.http().compression())
        .setPerFrameWebSocketCompressionSupported(config.http().compression())
        // every response and frame is written on this verticle's own event loop: with that promise
        // Vert.x drops the HTTP connection's cross-thread write queue, 4 KiB that every
        // WebSocket kept for its whole life (its first jctools chunk) and never used
        .setStrictThreadMode(true)
        // HTTP/1.1 only (upgrades and a small JSON API): with h2c on, every connection carried
        // two detection handlers, and had its setup held back until its first request's head was
        // whole, which hid a client trickling that head from HeadDeadline
        .setHttp2ClearTextEnabled(false)
        // a connection that neither reads nor writes this long is dropped: a half-sent request or
        // an idle keep-alive held a descriptor for ever. A live WebSocket gets a ping every
        // interval, and a silent one is closed 4001 at the timeout, before this
        .setIdleTimeout((int) idleTimeoutMs(config.heartbeat()))
        .setIdleTimeoutUnit(java.util.concurrent.TimeUnit.MILLISECONDS);
    if (config.http().tls()) {
      // HTTPS and wss:// on the same port
      options.setSsl(true).setKeyCertOptions(new io.vertx.core.net.PemKeyCertOptions()
          .setCertPath(config.http().tlsCertPath()).setKeyPath(config.http().tlsKeyPath()));
    }
    return options;
  }

  /**
   * Never shorter than the node's own waits ({@link #IDLE_FLOOR_MS}): a connect whose count the
   * cluster is slow to take, or an API request behind a stalled partition, is answered, not cut.
   */
  static long idleTimeoutMs(Config.Heartbeat heartbeat) {
    return Math.max(IDLE_FLOOR_MS, heartbeat.timeout() + heartbeat.interval());
  }
}
