package io.switchboard.gateway;

import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.SocketAddress;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Closes a connection whose first request's head has not come in full within {@link #LIMIT_MS}
 * of its accept. The idle timeout cannot: a client that trickles a head a byte at a time
 * (slowloris) reads as alive, and kept a descriptor for as long as it liked, up to Vert.x's
 * header size in bytes times the idle timeout in seconds.
 *
 * <p>Checked by the gateway's sweep, not by a timer per connection: a connect is the node's
 * busiest path but one. Only the first request is watched; a keep-alive connection's later ones
 * fall to the idle timeout. Confined to the gateway's event loop.
 */
final class HeadDeadline {

  /** As long as the idle timeout's floor: a slow link's head still arrives in time. */
  static final long LIMIT_MS = GatewayVerticle.IDLE_FLOOR_MS;

  private record Waiting(HttpConnection connection, long since) {
  }

  /** By the peer's address (one per TCP connection), oldest first. */
  private final LinkedHashMap<SocketAddress, Waiting> waiting = new LinkedHashMap<>();

  /** A connection was accepted at {@code tick} (monotonic ms). */
  void accepted(HttpConnection connection, long tick) {
    SocketAddress peer = connection.remoteAddress();
    if (peer != null) {
      waiting.put(peer, new Waiting(connection, tick));
      connection.closeHandler(v -> waiting.remove(peer)); // a probe that only connects, say
    }
  }

  /** The first request (or upgrade) of the connection from {@code peer} came in full. */
  void arrived(SocketAddress peer) {
    if (peer != null && !waiting.isEmpty()) {
      waiting.remove(peer);
    }
  }

  /**
   * Closes the connections accepted {@link #LIMIT_MS} or more before {@code tick} with no full
   * head yet; how many it closed.
   */
  int closeLate(long tick) {
    int closed = 0;
    for (Iterator<Map.Entry<SocketAddress, Waiting>> it = waiting.entrySet().iterator(); it.hasNext(); ) {
      Waiting w = it.next().getValue();
      if (tick - w.since() < LIMIT_MS) {
        break; // the rest came later
      }
      it.remove();
      closed++;
      w.connection().close();
    }
    return closed;
  }

  /** How many connections wait for their first head (for tests). */
  int waiting() {
    return waiting.size();
  }
}
