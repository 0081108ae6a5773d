package io.switchboard.config;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Builds a {@link Config} from the defaults, an optional JSON file and the environment, in that
 * order of precedence (the environment wins). Anything unknown or out of range fails the whole
 * load with a message that names the key: a node never starts half-configured.
 */
public final class ConfigLoader {

  private ConfigLoader() {
  }

  /** The node's configuration: defaults, then {@code confFile} (may be null), then {@code env}. */
  public static Config load(Path confFile, Map<String, String> env) {
    Map<String, Object> values = defaults();
    if (confFile != null) {
      applyFile(values, confFile);
    }
    applyEnv(values, env);
    return validated(values);
  }

  /** Defaults overridden by a map of keys to values; tests use it, with the same validation. */
  public static Config fromMap(Map<String, ?> overrides) {
    Map<String, Object> values = defaults();
    overrides.forEach((k, raw) -> put(values, k, raw, "override"));
    return validated(values);
  }

  private static Map<String, Object> defaults() {
    Map<String, Object> values = new LinkedHashMap<>();
    ConfigKeys.ALL.forEach(k -> values.put(k.name(), k.defaultValue()));
    return values;
  }

  private static void applyFile(Map<String, Object> values, Path file) {
    JsonObject json;
    try {
      json = new JsonObject(Files.readString(file));
    } catch (IOException e) {
      throw new ConfigException("--conf " + file + ": cannot read the file (" + e.getMessage() + ")");
    } catch (DecodeException | ClassCastException e) {
      throw new ConfigException("--conf " + file + ": not a JSON object (" + e.getMessage() + ")");
    }
    Map<String, Object> flat = new LinkedHashMap<>();
    flatten("", json, flat);
    flat.forEach((k, raw) -> put(values, k, raw, "file " + file));
  }

  /** Accepts both nested objects ({@code {"http":{"port":1}}}) and dotted keys. */
  private static void flatten(String prefix, JsonObject json, Map<String, Object> out) {
    for (Map.Entry<String, Object> e : json) {
      String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
      if (e.getValue() instanceof JsonObject nested) {
        flatten(key, nested, out);
      } else if (e.getValue() instanceof io.vertx.core.json.JsonArray array) {
        out.put(key, array.getList());
      } else {
        out.put(key, e.getValue());
      }
    }
  }

  /**
   * The variables Kubernetes gives every pod for each Service of its namespace (service links):
   * a Service named {@code switchboard} brings {@code SWITCHBOARD_SERVICE_HOST},
   * {@code SWITCHBOARD_PORT_80_TCP_ADDR} and the like, which name no key.
   */
  private static final java.util.regex.Pattern SERVICE_LINK = java.util.regex.Pattern.compile(
      "SWITCHBOARD(_[A-Z0-9_]+)?_(SERVICE_HOST|SERVICE_PORT(_[A-Z0-9_]+)?|PORT_[0-9]+_(TCP|UDP|SCTP)(_PROTO|_PORT|_ADDR)?)");
  /** {@code SWITCHBOARD_PORT=tcp://10.0.0.7:80}: a service link only by its value, else a mistyped key. */
  private static final java.util.regex.Pattern SERVICE_LINK_PORT = java.util.regex.Pattern.compile(
      "SWITCHBOARD(_[A-Z0-9_]+)?_PORT");
  /** An origin as a browser sends it: a scheme and an authority, nothing after. */
  private static final java.util.regex.Pattern ORIGIN = java.util.regex.Pattern.compile(
      "[A-Za-z][A-Za-z0-9+.-]*://[^/?#@\\s]+");
  private static final java.util.regex.Pattern LINK_ADDRESS = java.util.regex.Pattern.compile("(tcp|udp|sctp)://\\S+");

  /** Every key by its environment variable's name. */
  private static final Map<String, ConfigKey> BY_ENV = byEnv();

  private static Map<String, ConfigKey> byEnv() {
    Map<String, ConfigKey> byEnv = new LinkedHashMap<>();
    ConfigKeys.ALL.forEach(k -> byEnv.put(k.envName(), k));
    return byEnv;
  }

  private static void applyEnv(Map<String, Object> values, Map<String, String> env) {
    env.forEach((name, raw) -> {
      if (!name.startsWith("SWITCHBOARD_")) {
        return;
      }
      ConfigKey key = BY_ENV.get(name);
      // Kubernetes tells every pod where a Service called switchboard… is: not ours to read. A
      // Service called switchboard-http gives SWITCHBOARD_HTTP_PORT=tcp://…, a key's name, but
      // no port of ours is ever an address
      if (key == null && SERVICE_LINK.matcher(name).matches()
          || SERVICE_LINK_PORT.matcher(name).matches() && LINK_ADDRESS.matcher(raw.trim()).matches()) {
        return;
      }
      if (key == null && mistyped(name)) {
        throw new ConfigException("unknown environment variable " + name + " (no configuration key has that name"
            + closest(name) + ")");
      }
      if (key != null) {
        values.put(key.name(), key.convert(raw, "environment " + name));
      }
      // else someone else's (ignoredVariables): a test harness's SWITCHBOARD_URL, inherited by
      // the node it starts, stopped that node
    });
  }

  /**
   * The {@code SWITCHBOARD_*} variables that name no key and are taken for someone else's, to be
   * named in the log once its format is set. A key's name mistyped is not among them: it stops
   * the node at {@link #load} (a SWITCHBOARD_DEV_LOGIN=false let a node start with development
   * login on).
   */
  public static java.util.List<String> ignoredVariables(Map<String, String> env) {
    return env.keySet().stream().filter(n -> n.startsWith("SWITCHBOARD_") && !BY_ENV.containsKey(n)
        && !SERVICE_LINK.matcher(n).matches() && !SERVICE_LINK_PORT.matcher(n).matches() && !mistyped(n))
        .sorted().toList();
  }

  /**
   * A key's variable mistyped: a section's name after the prefix (SWITCHBOARD_LIMITS_MAX_ROOM), or
   * the end of a key's variable (SWITCHBOARD_DEV_LOGIN, SWITCHBOARD_PORT).
   */
  private static boolean mistyped(String name) {
    return isSection(name) || !closest(name).isEmpty();
  }

  /** {@code SWITCHBOARD_LIMITS_…}: the name of a section of keys follows the prefix. */
  private static boolean isSection(String name) {
    String rest = name.substring("SWITCHBOARD_".length());
    String first = rest.contains("_") ? rest.substring(0, rest.indexOf('_')) : rest;
    return ConfigKeys.ALL.stream().anyMatch(k -> k.name().substring(0, k.name().indexOf('.')).equalsIgnoreCase(first));
  }

  /** "; did you mean SWITCHBOARD_HTTP_PORT?" for SWITCHBOARD_PORT, or nothing. */
  private static String closest(String name) {
    String tail = "_" + name.substring("SWITCHBOARD_".length());
    return BY_ENV.keySet().stream().filter(n -> n.endsWith(tail)).findFirst()
        .map(n -> "; did you mean " + n + "?").orElse("");
  }

  private static void put(Map<String, Object> values, String name, Object raw, String source) {
    ConfigKey key = ConfigKeys.BY_NAME.get(name);
    if (key == null) {
      throw new ConfigException("unknown configuration key '" + name + "' (" + source + ")");
    }
    values.put(name, key.convert(raw, source));
  }

  private static Config validated(Map<String, Object> values) {
    long interval = (long) values.get("heartbeat.interval");
    long timeout = (long) values.get("heartbeat.timeout");
    // the node pings once interval has passed, noticed by a sweep that runs every min(1 s,
    // interval / 2); the pong needs as long again to come back before silence is judged
    long margin = 2 * Math.min(1_000, interval / 2);
    if (timeout < interval + margin) {
      throw new ConfigException("heartbeat.timeout (" + timeout + ") must be at least heartbeat.interval (" + interval
          + ") + " + margin + " ms: a client's answer to the ping needs time to come back");
    }
    int frame = (int) values.get("limits.maxFrameBytes");
    int outbound = (int) values.get("limits.outboundBytes");
    // a relayed message is about as large as the frame that brought it: below this, one large
    // message would close every member that received it as a slow consumer (4002)
    if ((long) outbound < 2L * frame) {
      throw new ConfigException("limits.outboundBytes (" + outbound + ") must be at least twice limits.maxFrameBytes ("
          + frame + "): one message of maxFrameBytes, relayed to a member, would otherwise close it as a slow consumer");
    }
    String secret = (String) values.get("auth.jwtSecret");
    int secretBytes = secret.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    if (!secret.isEmpty() && secretBytes < 32) {
      // RFC 7518: an HS256 key as long as its hash at least; a short one is guessed from any token
      throw new ConfigException("auth.jwtSecret must be at least 32 bytes long (it has " + secretBytes
          + "); leave it unset for a random one");
    }
    if (!secret.isEmpty() && secret.isBlank()) {
      throw new ConfigException("auth.jwtSecret must not be blank; leave it unset for a random one");
    }
    if (!secret.equals(secret.strip())) {
      // a secret read from a file with its newline: the nodes whose source had none refused its tokens
      throw new ConfigException("auth.jwtSecret begins or ends with whitespace (a newline from the file it came"
          + " from?): every node must have the same key, so take it off");
    }
    if (!(boolean) values.get("auth.devLogin") && secret.isEmpty() && ((String) values.get("auth.publicKey")).isEmpty()) {
      // the random key is known inside the cluster only: the node would start, report ready, and
      // refuse every client with 1008
      throw new ConfigException("auth.devLogin is off and neither auth.jwtSecret nor auth.publicKey is set: no client"
          + " could get a token this node accepts. Set the key your identity provider signs with, or leave"
          + " development login on");
    }
    String cert = (String) values.get("http.tls.certPath");
    String key = (String) values.get("http.tls.keyPath");
    if (cert.isEmpty() != key.isEmpty()) {
      throw new ConfigException("http.tls.certPath and http.tls.keyPath go together: set both or neither");
    }
    for (String path : new String[] {cert, key}) {
      if (!path.isEmpty() && !Files.isReadable(Path.of(path))) {
        throw new ConfigException((path.equals(cert) ? "http.tls.certPath" : "http.tls.keyPath")
            + ": cannot read " + path);
      }
    }
    @SuppressWarnings("unchecked")
    java.util.List<String> origins = (java.util.List<String>) values.get("auth.allowedOrigins");
    for (String origin : origins) {
      // compared as the browser sends it: a trailing slash, a path or a missing scheme matched no
      // browser, and every page was refused 1008 by a node that had started without a word
      if (!origin.equals("*") && !ORIGIN.matcher(origin).matches()) {
        throw new ConfigException("auth.allowedOrigins: '" + origin + "' is not an origin: write scheme://host or"
            + " scheme://host:port, with no path and no trailing slash, as the browser sends it"
            + " (https://chat.example.com), or * for every origin");
      }
      if (origin.matches("(?i)https://.*:443|http://.*:80")) {
        throw new ConfigException("auth.allowedOrigins: '" + origin + "' names its scheme's default port, which the"
            + " browser leaves out of the origin it sends: write it without the port");
      }
    }
    if (!java.util.Set.of("text", "json").contains((String) values.get("log.format"))) {
      throw new ConfigException("log.format must be text or json, got '" + values.get("log.format") + "'");
    }
    String clusterName = (String) values.get("cluster.name");
    if (clusterName.isBlank()) {
      throw new ConfigException("cluster.name must not be empty");
    }
    if (!clusterName.equals(clusterName.strip())) {
      // "switchboard " from an env file formed a cluster of its own, and the service split silently
      throw new ConfigException("cluster.name '" + clusterName + "' begins or ends with whitespace: nodes join only"
          + " a cluster of exactly the same name, so take it off");
    }
    return Config.of(values);
  }
}
