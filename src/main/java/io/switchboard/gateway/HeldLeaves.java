package io.switchboard.gateway;

import io.switchboard.NodeServices;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leaves that {@code presence.leaveGrace} holds back for one gateway: each dropped
 * connection's leave of each of its rooms, sent when its grace ends, or at once when the gateway
 * stops.
 */
final class HeldLeaves {

  private static final Logger LOG = LoggerFactory.getLogger(HeldLeaves.class);
  private static final io.switchboard.ops.ThrottledLog FAILED = new io.switchboard.ops.ThrottledLog(LOG);

  private final Vertx vertx;
  private final NodeServices node;
  private final RoomStreams streams;
  /** Timer → the leave it will send. */
  private final Map<Long, Supplier<Future<Void>>> held = new HashMap<>();

  HeldLeaves(Vertx vertx, NodeServices node, RoomStreams streams) {
    this.vertx = vertx;
    this.node = node;
    this.streams = streams;
  }

  /**
   * Sends a dropped connection's leave of {@code room} after {@code grace} ms. A connection of the
   * same user that joins the room meanwhile, here or on another node, finds the user still there
   * and announces no join; the late leave then is not the user's last and announces nothing: a
   * client that reconnects in time causes no leave and join for the room's members to see.
   */
  void hold(String room, JsonObject leave, long grace) {
    String user = leave.getString("user");
    streams.leaveUnderWay(room, user);
    Supplier<Future<Void>> send = () -> node.rooms().leave(leave)
        .onFailure(e -> FAILED.warn("held leave of {} from {} failed: {}", leave.getString("user"), room, e.toString()))
        .andThen(ar -> MembershipCommands.settledOf(ar.cause()).onComplete(done -> streams.leaveDone(room, user)))
        .<Void>mapEmpty().otherwiseEmpty();
    long[] timer = new long[1];
    timer[0] = vertx.setTimer(grace, t -> {
      held.remove(timer[0]);
      send.get();
    });
    held.put(timer[0], send);
  }

  /** Sends every held leave now (the gateway stops); their completions. */
  List<Future<Void>> sendAll() {
    List<Future<Void>> sent = new ArrayList<>();
    held.forEach((timer, leave) -> {
      vertx.cancelTimer(timer);
      sent.add(leave.get());
    });
    held.clear();
    return sent;
  }
}
