package io.switchboard.config;

import java.util.List;
import java.util.Map;

/** The node's validated configuration; built only by {@link ConfigLoader}. */
public record Config(Http http, Cluster cluster, Auth auth, Limits limits, Heartbeat heartbeat,
                     History history, Metrics metrics, Presence presence, Log log) {

  /** {@code tlsCertPath}/{@code tlsKeyPath}: PEM files; both empty means plain HTTP. */
  /** {@code drainDelay}: ms between /ready turning 503 and the sockets closing, at shutdown. */
  public record Http(int port, String host, String tlsCertPath, String tlsKeyPath, long drainDelay,
                     boolean compression) {
    public boolean tls() {
      return !tlsCertPath.isEmpty();
    }
  }

  /** {@code config} is empty when the default lookup (working folder, then the jar) applies. */
  public record Cluster(String name, long failureTimeout, String config, String host) {
  }

  /** {@code issuer}, {@code audience}: "" for none; when set, every token must carry that {@code iss} / {@code aud}. */
  public record Auth(String jwtSecret, String publicKey, boolean devLogin, List<String> allowedOrigins,
                     String issuer, String audience) {
  }

  public record Limits(int maxConnections, int maxConnectionsPerUser, int maxRooms, int maxFrameBytes,
                       int maxTextChars, int rate, int burst, int outboundBytes, int nodeBacklogBytes) {
  }

  public record Heartbeat(long interval, long timeout) {
  }

  /**
   * {@code maxBytes}: a room keeps at most this many bytes of messages, however few they are.
   * {@code maxRooms}: rooms and conversations the cluster keeps at most (idle ones make way).
   * {@code retention}: ms after its newest message that a room nobody is in is kept; 0: for good.
   */
  public record History(int size, int recoverMax, int backups, int maxBytes, int maxRooms, long retention,
                        int maxHeapPercent) {
  }

  public record Metrics(boolean isPublic) {
  }

  /** {@code format}: {@code text} (one readable line per event) or {@code json} (one JSON object per line). */
  public record Log(String format) {
  }

  /** {@code reconcileInterval}: ms between two checks of this node's presence against the cluster's. */
  /**
   * {@code leaveGrace}: ms a dropped connection stays in its rooms (0: none), so that a client
   * that reconnects within it, on any node, causes no leave and join.
   */
  public record Presence(long reconcileInterval, long leaveGrace) {
  }

  static Config of(Map<String, Object> v) {
    return new Config(
        new Http((int) v.get("http.port"), (String) v.get("http.host"), (String) v.get("http.tls.certPath"),
            (String) v.get("http.tls.keyPath"), (long) v.get("http.drainDelay"), (boolean) v.get("http.compression")),
        new Cluster((String) v.get("cluster.name"), (long) v.get("cluster.failureTimeout"),
            (String) v.get("cluster.config"), (String) v.get("cluster.host")),
        new Auth((String) v.get("auth.jwtSecret"), (String) v.get("auth.publicKey"),
            (boolean) v.get("auth.devLogin"), strings(v.get("auth.allowedOrigins")),
            (String) v.get("auth.issuer"), (String) v.get("auth.audience")),
        new Limits((int) v.get("limits.maxConnections"), (int) v.get("limits.maxConnectionsPerUser"),
            (int) v.get("limits.maxRooms"), (int) v.get("limits.maxFrameBytes"),
            (int) v.get("limits.maxTextChars"), (int) v.get("limits.rate"), (int) v.get("limits.burst"),
            (int) v.get("limits.outboundBytes"), (int) v.get("limits.nodeBacklogBytes")),
        new Heartbeat((long) v.get("heartbeat.interval"), (long) v.get("heartbeat.timeout")),
        new History((int) v.get("history.size"), (int) v.get("history.recoverMax"),
            (int) v.get("history.backups"), (int) v.get("history.maxBytes"), (int) v.get("history.maxRooms"),
            (long) v.get("history.retention"), (int) v.get("history.maxHeapPercent")),
        new Metrics((boolean) v.get("metrics.public")),
        new Presence((long) v.get("presence.reconcileInterval"), (long) v.get("presence.leaveGrace")),
        new Log((String) v.get("log.format")));
  }

  @SuppressWarnings("unchecked")
  private static List<String> strings(Object o) {
    return List.copyOf((List<String>) o);
  }
}
