package io.switchboard;

/**
 * Every event bus address of Switchboard. {@code switchboard.local.*} are node-local (the HTTP
 * API → room verticle); the others cross the cluster.
 */
public final class Addresses {

  /**
   * How long a gateway or the HTTP API waits for a room request (the room verticle, or the room
   * service called directly): past it the caller answers {@code unavailable} instead of hanging
   * on a stalled cluster call.
   */
  public static final io.vertx.core.eventbus.DeliveryOptions LOCAL_REQUEST =
      new io.vertx.core.eventbus.DeliveryOptions().setSendTimeout(5_000);

  /** Server API: request {room, from, text, data} → {room, seq, ts}. */
  public static final String PUBLISH = "switchboard.publish";
  /** Server API: request {to, from, text, data} → {room, seq, ts, online}. */
  public static final String PRIVATE = "switchboard.private";

  public static final String LOCAL_JOIN = "switchboard.local.join";
  public static final String LOCAL_LEAVE = "switchboard.local.leave";
  public static final String LOCAL_PUBLISH = "switchboard.local.publish";
  public static final String LOCAL_PRIVATE = "switchboard.local.private";
  public static final String LOCAL_HISTORY = "switchboard.local.history";
  /** Request {user, limit, messageBytes} → {conversations: [{room, with, last}], more}: see RoomService#conversations. */
  public static final String LOCAL_CONVERSATIONS = "switchboard.local.conversations";

  /** The {@link #LOCAL_HISTORY} request; {@code before}/{@code after} null when absent (-1 on the wire). */
  public static io.vertx.core.json.JsonObject historyRequest(String room, Long before, Long after, int limit) {
    return new io.vertx.core.json.JsonObject().put("room", room).put("limit", limit)
        .put("before", before == null ? -1L : before).put("after", after == null ? -1L : after);
  }
  public static final String LOCAL_MEMBERS = "switchboard.local.members";
  /** Request {} → {rooms: [{room, count}]}: rooms with members, cluster-wide, system rooms left out. */
  public static final String LOCAL_ROOMS = "switchboard.local.rooms";

  /** Request {} → {count, clients}: every connection, cluster-wide. */
  public static final String LOCAL_CLIENTS = "switchboard.local.clients";
  /** Request {user, reason} → {user, closed}: closes the user's connections cluster-wide (4009). */
  public static final String LOCAL_KICK = "switchboard.local.kick";

  private static final String ROOM_PREFIX = "switchboard.room.";
  private static final String ADMIN_PREFIX = "switchboard.admin.";
  private static final String NODE_PREFIX = "switchboard.node.";

  private Addresses() {
  }

  /** Published to, to observe: every message of the room, as the {@code message} frame. */
  public static String room(String room) {
    return ROOM_PREFIX + room;
  }

  /** One clustered consumer per node: {op: clients} and {op: kick, user} for that node's connections. */
  public static String admin(String nodeId) {
    return ADMIN_PREFIX + nodeId;
  }

  /** One clustered consumer per node: sequenced messages and presence for its local members. */
  public static String node(String nodeId) {
    return NODE_PREFIX + nodeId;
  }
}
