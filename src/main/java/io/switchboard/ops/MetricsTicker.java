package io.switchboard.ops;

import com.hazelcast.core.HazelcastInstance;
import io.switchboard.NodeServices;
import io.switchboard.auth.Grants;
import io.switchboard.protocol.Timestamps;
import io.switchboard.room.Fanout;
import io.switchboard.room.NodeRouter;
import io.switchboard.room.RoomStore;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/**
 * Once a second, this node's vital signs go to the members of {@code $metrics} (PROTOCOL.md
 * section 5), wherever they are connected; nothing is sent while the room is empty, and nothing
 * is stored (the room has no history).
 */
public final class MetricsTicker {

  static final long PERIOD_MS = 1_000;

  private final Vertx vertx;
  private final NodeServices node;
  private final RoomStore rooms;
  private final Fanout fanout;
  private final HazelcastInstance hazelcast;
  private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
  private final java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
  private double lastIn;
  private double lastOut;
  private long lastTick;
  private long timer = -1;

  public MetricsTicker(Vertx vertx, NodeServices node, RoomStore rooms, Fanout fanout, HazelcastInstance hazelcast) {
    this.vertx = vertx;
    this.node = node;
    this.rooms = rooms;
    this.fanout = fanout;
    this.hazelcast = hazelcast;
  }

  /** A count of $metrics' watchers is on its way (on this verticle's loop only). */
  private boolean counting;

  public void start() {
    lastIn = node.metrics().messagesInTotal();
    lastOut = node.metrics().messagesOutTotal();
    lastTick = System.nanoTime();
    timer = vertx.setPeriodic(PERIOD_MS, t -> tick());
  }

  public void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  private void tick() {
    if (counting) {
      return; // the last count has not come back ($metrics' partition held): no pile of them to burst out later
    }
    long now = System.nanoTime();
    double seconds = Math.max(0.001, (now - lastTick) / 1e9);
    double in = node.metrics().messagesInTotal();
    double out = node.metrics().messagesOutTotal();
    long messagesIn = Math.round((in - lastIn) / seconds);
    long messagesOut = Math.round((out - lastOut) / seconds);
    lastIn = in;
    lastOut = out;
    lastTick = now;
    counting = true;
    rooms.count(Grants.METRICS_ROOM).onComplete(ar -> counting = false).onSuccess(r -> {
      if (r.count() == 0) {
        return; // the frame is built only for a watcher: the process CPU load alone reads /proc (1 % of a profile)
      }
      JsonObject frame = new JsonObject()
          .put("type", "metrics")
          .put("node", node.nodeId())
          .put("ts", Timestamps.now())
          .put("connections", node.connections().get())
          .put("rooms", node.router().userRooms())
          .put("messagesIn", messagesIn)
          .put("messagesOut", messagesOut)
          .put("heapUsedBytes", memory.getHeapMemoryUsage().getUsed())
          .put("cpu", cpu())
          .put("clusterMembers", io.switchboard.presence.NodeIds.serving(hazelcast.getCluster()));
      fanout.send(r.nodes(), NodeRouter.Kind.EVENT, Grants.METRICS_ROOM, 0, frame.encode(), null);
    });
  }

  /** This process's share of the machine's CPU, 0 to 1 (-1 when the JVM cannot tell). */
  private double cpu() {
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      double load = sun.getProcessCpuLoad();
      return load < 0 ? -1 : Math.round(load * 1000) / 1000.0;
    }
    return -1;
  }
}
