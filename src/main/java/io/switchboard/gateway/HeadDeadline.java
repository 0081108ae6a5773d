package io.switchboard.gateway;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpRequest;
import io.vertx.core.http.HttpConnection;
import java.util.Iterator;
import java.util.LinkedHashSet;

/**
 * Closes a connection whose first request's head has not come in full within {@link #LIMIT_MS}
 * of its accept. The idle timeout cannot: a client that trickles a head a byte at a time
 * (slowloris) reads as alive, and kept a descriptor for as long as it liked, up to Vert.x's
 * header size in bytes times the idle timeout in seconds.
 *
 * <p>The head is seen by a Netty handler right behind Vert.x's request decoder, which takes
 * itself out at the first request. Watching Vert.x's request and handshake handlers instead
 * missed the upgrades Vert.x answers itself (400, 405, 426 for a bad {@code Connection} header,
 * method or version): those were cut as slow heads, with a warning that said so.
 *
 * <p>Checked by the gateway's sweep, not by a timer per connection: a connect is the node's
 * busiest path but one. Only the first request is watched; a keep-alive connection's later ones
 * fall to the idle timeout. Confined to the gateway's event loop, which is also the loop of the
 * connections it accepts.
 */
final class HeadDeadline {

  /** As long as the idle timeout's floor: a slow link's head still arrives in time. */
  static final long LIMIT_MS = GatewayServerOptions.IDLE_FLOOR_MS;

  /** The name Vert.x gives its HTTP/1 request decoder ({@code HttpServerConnectionInitializer}). */
  private static final String DECODER = "httpDecoder";

  /** One accepted connection, until its first head; equal only to itself. */
  private static final class Waiting {
    final HttpConnection connection;
    final long since;

    Waiting(HttpConnection connection, long since) {
      this.connection = connection;
      this.since = since;
    }
  }

  /** Oldest first. */
  private final LinkedHashSet<Waiting> waiting = new LinkedHashSet<>();

  /**
   * A connection was accepted at {@code tick} (monotonic ms). Not watched where its pipeline
   * cannot be reached (a Vert.x whose internals changed; {@code SlowHeadSocketTest} fails first):
   * the idle timeout is then its only bound.
   */
  void accepted(HttpConnection connection, long tick) {
    // Vert.x 5 exposes an HTTP/1 connection's pipeline only on its implementation class
    if (!(connection instanceof io.vertx.core.net.impl.ConnectionBase base)) {
      return;
    }
    ChannelPipeline pipeline = base.channelHandlerContext().pipeline();
    if (pipeline.get(DECODER) == null) {
      return;
    }
    Waiting w = new Waiting(connection, tick);
    waiting.add(w);
    pipeline.addAfter(DECODER, null, new FirstHead(w));
    connection.closeHandler(v -> waiting.remove(w)); // a probe that only connects, say
  }

  /**
   * Closes the connections accepted {@link #LIMIT_MS} or more before {@code tick} with no full
   * head yet; how many it closed.
   */
  int closeLate(long tick) {
    int closed = 0;
    for (Iterator<Waiting> it = waiting.iterator(); it.hasNext(); ) {
      Waiting w = it.next();
      if (tick - w.since < LIMIT_MS) {
        break; // the rest came later
      }
      it.remove();
      closed++;
      w.connection.close();
    }
    return closed;
  }

  /** How many connections wait for their first head (for tests). */
  int waiting() {
    return waiting.size();
  }

  /**
   * Sees the decoder's first request, whole or refused by it (too long, malformed): either way
   * the head is in. Leaves the pipeline then, so that an upgraded socket carries nothing of it.
   */
  private final class FirstHead extends ChannelInboundHandlerAdapter {
    private final Waiting w;

    FirstHead(Waiting w) {
      this.w = w;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof HttpRequest) {
        waiting.remove(w);
        ctx.pipeline().remove(this); // the context still passes this message on
      }
      ctx.fireChannelRead(msg);
    }
  }
}
