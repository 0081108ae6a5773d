package io.switchboard.room;

import io.switchboard.Addresses;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import java.util.Collection;

/**
 * Sends one encoded frame to each node that has members for it, once per node: locally
 * straight to the {@link NodeRouter}, to other nodes over their clustered node address.
 */
public final class Fanout {

  static final String KIND = "k";
  static final String ROOM = "r";
  static final String SEQ = "s";
  static final String TAG = "t";

  private final EventBus eventBus;
  private final String localNode;
  private final NodeRouter router;

  public Fanout(EventBus eventBus, String localNode, NodeRouter router) {
    this.eventBus = eventBus;
    this.localNode = localNode;
    this.router = router;
  }

  public void send(Collection<String> nodes, NodeRouter.Kind kind, String room, long seq, String frame,
                   String tag) {
    DeliveryOptions options = null;
    for (String node : nodes) {
      if (node.equals(localNode)) {
        router.route(kind, room, seq, frame, tag);
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
      eventBus.send(Addresses.node(node), frame, options);
    }
  }

  /** The clustered node consumer's handler: what another node sent here. */
  public void receive(Message<String> message) {
    var headers = message.headers();
    try {
      NodeRouter.Kind kind = NodeRouter.Kind.valueOf(headers.get(KIND));
      router.route(kind, headers.get(ROOM), Long.parseLong(headers.get(SEQ)), message.body(), headers.get(TAG));
    } catch (RuntimeException e) {
      // only nodes send here; anything else in the cluster that does is ignored, not crashed on
    }
  }
}
