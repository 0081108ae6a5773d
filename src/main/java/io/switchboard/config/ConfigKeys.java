package io.switchboard.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The configuration keys of DESIGN.md's operating contract, with their defaults and ranges. */
public final class ConfigKeys {

  public static final int DEFAULT_HTTP_PORT = 8080;
  public static final int DEFAULT_MAX_CONNECTIONS = 100_000;
  public static final int DEFAULT_MAX_CONNECTIONS_PER_USER = 10;
  public static final int DEFAULT_MAX_ROOMS = 50;
  public static final int DEFAULT_MAX_FRAME_BYTES = 65_536;
  public static final int DEFAULT_MAX_TEXT_CHARS = 4_000;
  public static final int DEFAULT_RATE = 20;
  public static final int DEFAULT_BURST = 40;
  public static final int DEFAULT_OUTBOUND_BYTES = 1_048_576;
  public static final long DEFAULT_HEARTBEAT_INTERVAL = 25_000;
  public static final long DEFAULT_HEARTBEAT_TIMEOUT = 60_000;
  public static final int DEFAULT_HISTORY_SIZE = 1_000;
  public static final int DEFAULT_RECOVER_MAX = 500;
  /** 30 days; 0 keeps rooms with messages for good. */
  public static final long DEFAULT_RETENTION = 30L * 24 * 3_600_000;

  public static final List<ConfigKey> ALL = List.of(
      ConfigKey.integer("http.port", DEFAULT_HTTP_PORT, 0, 65_535),
      ConfigKey.string("http.host", "0.0.0.0"),
      ConfigKey.string("http.tls.certPath", ""),
      ConfigKey.string("http.tls.keyPath", ""),
      ConfigKey.longKey("http.drainDelay", 0, 0, 5_000),
      ConfigKey.bool("http.compression", false),
      ConfigKey.string("cluster.name", "switchboard"),
      ConfigKey.longKey("cluster.failureTimeout", 10_000, 3_000, 600_000),
      ConfigKey.string("cluster.config", ""),
      ConfigKey.string("cluster.host", "127.0.0.1"),
      ConfigKey.string("auth.jwtSecret", ""),
      ConfigKey.string("auth.publicKey", ""),
      ConfigKey.string("auth.issuer", ""),
      ConfigKey.string("auth.audience", ""),
      ConfigKey.bool("auth.devLogin", true),
      ConfigKey.strings("auth.allowedOrigins"),
      ConfigKey.integer("limits.maxConnections", DEFAULT_MAX_CONNECTIONS, 1, Integer.MAX_VALUE),
      ConfigKey.integer("limits.maxConnectionsPerUser", DEFAULT_MAX_CONNECTIONS_PER_USER, 1, 100_000),
      ConfigKey.integer("limits.maxRooms", DEFAULT_MAX_ROOMS, 1, 100_000),
      ConfigKey.integer("limits.maxFrameBytes", DEFAULT_MAX_FRAME_BYTES, 256, 16 * 1024 * 1024),
      ConfigKey.integer("limits.maxTextChars", DEFAULT_MAX_TEXT_CHARS, 1, 1_000_000),
      ConfigKey.integer("limits.rate", DEFAULT_RATE, 1, 1_000_000),
      ConfigKey.integer("limits.burst", DEFAULT_BURST, 1, 1_000_000),
      ConfigKey.integer("limits.outboundBytes", DEFAULT_OUTBOUND_BYTES, 1_024, Integer.MAX_VALUE),
      // what one slow node may hold of another's memory: see Fanout
      ConfigKey.integer("limits.nodeBacklogBytes", 64 * 1024 * 1024, 64 * 1024, Integer.MAX_VALUE),
      ConfigKey.longKey("heartbeat.interval", DEFAULT_HEARTBEAT_INTERVAL, 100, 3_600_000),
      ConfigKey.longKey("heartbeat.timeout", DEFAULT_HEARTBEAT_TIMEOUT, 200, 3_600_000),
      ConfigKey.integer("history.size", DEFAULT_HISTORY_SIZE, 1, 100_000),
      ConfigKey.integer("history.recoverMax", DEFAULT_RECOVER_MAX, 0, 100_000),
      ConfigKey.integer("history.backups", 1, 0, 6),
      // a room's byte ring doubles as it grows: at 256 MiB its array stays within an int's reach
      ConfigKey.integer("history.maxBytes", 16 * 1024 * 1024, 64 * 1024, 256 * 1024 * 1024),
      // every join of a new name and every private message to a new user makes an entry that
      // stays while it holds messages: without a bound, one client could fill the cluster's heap.
      // At it, rooms nobody is in make way (IdleRooms)
      ConfigKey.integer("history.maxRooms", 100_000, 10, 100_000_000),
      // ms after its newest message that a room nobody is in is removed with its history: without
      // it, every room that ever held a message stays, and use alone reaches history.maxRooms
      ConfigKey.longKey("history.retention", DEFAULT_RETENTION, 0, 100L * DEFAULT_RETENTION),
      // past this share of the heap after a collection, the rooms a member keeps refuse new
      // messages: rooms times history.maxBytes is far more than any heap (MemoryGuard)
      ConfigKey.integer("history.maxHeapPercent", 90, 0, 99),
      ConfigKey.bool("metrics.public", false),
      ConfigKey.longKey("presence.reconcileInterval", 15_000, 1_000, 3_600_000),
      ConfigKey.longKey("presence.leaveGrace", 0, 0, 60_000),
      ConfigKey.string("log.format", "text"));

  static final Map<String, ConfigKey> BY_NAME = byName();

  private ConfigKeys() {
  }

  private static Map<String, ConfigKey> byName() {
    Map<String, ConfigKey> map = new LinkedHashMap<>();
    ALL.forEach(k -> map.put(k.name(), k));
    return Map.copyOf(map);
  }
}
