package io.switchboard.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DESIGN.md, operating contract: defaults, a JSON file, environment variables over both. */
class ConfigLoaderTest {

  private static final String SECRET = "a-signing-key-of-at-least-32-bytes-for-hs256";

  @TempDir
  Path dir;

  private Path file(String json) throws IOException {
    Path f = dir.resolve("switchboard.json");
    Files.writeString(f, json);
    return f;
  }

  private static ConfigKey key(String name) {
    return ConfigKeys.ALL.stream().filter(k -> k.name().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no key " + name));
  }

  private static void assertMentions(ConfigException e, String... words) {
    for (String w : words) {
      assertTrue(e.getMessage().contains(w), "'" + e.getMessage() + "' should mention " + w);
    }
  }

  // ---- defaults

  @Test
  void defaultsEqualTheDesignTable() {
    Config c = ConfigLoader.load(null, Map.of());
    assertEquals(8080, c.http().port());
    assertEquals("switchboard", c.cluster().name());
    assertEquals(10_000L, c.cluster().failureTimeout());
    assertEquals("", c.cluster().config(), "empty: working folder, then the jar");
    assertEquals("", c.auth().jwtSecret(), "none: a random shared key");
    assertEquals("", c.auth().publicKey());
    assertTrue(c.auth().devLogin());
    assertEquals(List.of(), c.auth().allowedOrigins(), "empty: own origin, localhost, 127.0.0.1");
    assertEquals(100_000, c.limits().maxConnections());
    assertEquals(10, c.limits().maxConnectionsPerUser());
    assertEquals(50, c.limits().maxRooms());
    assertEquals(65_536, c.limits().maxFrameBytes());
    assertEquals(4_000, c.limits().maxTextChars());
    assertEquals(20, c.limits().rate());
    assertEquals(40, c.limits().burst());
    assertEquals(1_048_576, c.limits().outboundBytes());
    assertEquals(25_000L, c.heartbeat().interval());
    assertEquals(60_000L, c.heartbeat().timeout());
    assertEquals(1_000, c.history().size());
    assertEquals(16 * 1024 * 1024, c.history().maxBytes());
    assertEquals(30L * 24 * 3_600_000, c.history().retention());
    assertEquals(500, c.history().recoverMax());
    assertEquals(1, c.history().backups());
    assertFalse(c.metrics().isPublic());
  }

  @Test
  void defaultsAreValidWithoutFileOrEnvironment() {
    assertEquals(8080, ConfigLoader.load(null, Map.of()).http().port());
  }

  @Test
  void unrelatedEnvironmentVariablesAreIgnored() {
    Config c = ConfigLoader.load(null, Map.of("PATH", "/bin", "HOME", "/root", "SWITCHBOARDX", "1"));
    assertEquals(8080, c.http().port());
  }

  /**
   * Kubernetes gives every pod variables for each Service of its namespace; the manifest's own
   * Service is called switchboard. Before, the first of them stopped the node at start.
   */
  @Test
  void kubernetesServiceLinksAreNotTakenForKeys() {
    Config c = ConfigLoader.load(null, Map.of(
        "SWITCHBOARD_SERVICE_HOST", "10.0.0.7", "SWITCHBOARD_SERVICE_PORT", "80",
        "SWITCHBOARD_SERVICE_PORT_HTTP", "80", "SWITCHBOARD_PORT", "tcp://10.0.0.7:80",
        "SWITCHBOARD_PORT_80_TCP", "tcp://10.0.0.7:80", "SWITCHBOARD_PORT_80_TCP_PROTO", "tcp",
        "SWITCHBOARD_PORT_80_TCP_PORT", "80", "SWITCHBOARD_PORT_80_TCP_ADDR", "10.0.0.7",
        "SWITCHBOARD_HZ_SERVICE_HOST", "10.0.0.8", "SWITCHBOARD_LIMITS_MAX_ROOMS", "7"));
    assertEquals(7, c.limits().maxRooms(), "a real key beside them is still read");
    assertThrows(ConfigException.class, () -> ConfigLoader.load(null, Map.of("SWITCHBOARD_LIMITS_MAX_ROOM", "7")),
        "a misspelt key still stops the node");
    assertThrows(ConfigException.class, () -> ConfigLoader.load(null, Map.of("SWITCHBOARD_HTTP_PROT", "9090")),
        "a key of a section, misspelt, still stops the node");
    assertThrows(ConfigException.class, () -> ConfigLoader.load(null, Map.of("SWITCHBOARD_LIMITS", "7")),
        "so does a section's name alone");
    assertThrows(ConfigException.class, () -> ConfigLoader.load(null, Map.of("SWITCHBOARD_PORT", "9090")),
        "a port set by a guessed name, not a service link's address, still stops the node");
    ConfigException guessed = assertThrows(ConfigException.class,
        () -> ConfigLoader.load(null, Map.of("SWITCHBOARD_DEV_LOGIN", "false")), "a key's name without its section too");
    assertTrue(guessed.getMessage().contains("SWITCHBOARD_AUTH_DEV_LOGIN"), guessed.getMessage());
    // a Service called switchboard-http: its link's name is http.port's variable, its value an address
    assertEquals(8080, ConfigLoader.load(null, Map.of("SWITCHBOARD_HTTP_PORT", "tcp://10.0.0.9:80",
        "SWITCHBOARD_HTTP_SERVICE_HOST", "10.0.0.9")).http().port());
    assertEquals(9090, ConfigLoader.load(null, Map.of("SWITCHBOARD_HTTP_PORT", "9090")).http().port());
  }

  /**
   * A variable that is no key's mistyped is someone else's: a
   * test harness's SWITCHBOARD_URL, inherited by the node it starts, stopped that node at start.
   * It is ignored (and named in the log); a key's variable mistyped (a section's name after the
   * prefix, or the end of a key's variable: SWITCHBOARD_DEV_LOGIN) still stops the node.
   */
  @Test
  void variablesThatAreNoKeyMistypedAreIgnored() {
    Map<String, String> env = Map.of("SWITCHBOARD_URL", "http://127.0.0.1:8080", "SWITCHBOARD_JAR", "target/switchboard.jar",
        "SWITCHBOARD_LIMITS_MAX_ROOMS", "7", "SWITCHBOARD_SERVICE_HOST", "10.0.0.7");
    assertEquals(7, ConfigLoader.load(null, env).limits().maxRooms());
    assertEquals(List.of("SWITCHBOARD_JAR", "SWITCHBOARD_URL"), ConfigLoader.ignoredVariables(env), "named in the log");
  }

  /** An entry no browser's Origin can equal stopped no node: every page was then refused 1008. */
  @Test
  void originsAreWrittenAsBrowsersSendThem() {
    for (String bad : List.of("https://chat.example.com/", "chat.example.com", "https://chat.example.com/app",
        "https://chat.example.com:443", "http://chat.example.com:80", "https://user@chat.example.com")) {
      ConfigException e = assertThrows(ConfigException.class,
          () -> ConfigLoader.load(null, Map.of("SWITCHBOARD_AUTH_ALLOWED_ORIGINS", bad)), bad);
      assertMentions(e, "auth.allowedOrigins", bad);
    }
    assertEquals(List.of("https://chat.example.com", "http://localhost:3000", "*"), ConfigLoader.load(null,
        Map.of("SWITCHBOARD_AUTH_ALLOWED_ORIGINS", "https://chat.example.com,http://localhost:3000,*")).auth().allowedOrigins());
  }

  // ---- file

  @Test
  void fileWithNestedKeys() throws IOException {
    Config c = ConfigLoader.load(file("{\"http\":{\"port\":9000},\"limits\":{\"maxRooms\":7,\"rate\":5}}"), Map.of());
    assertEquals(9000, c.http().port());
    assertEquals(7, c.limits().maxRooms());
    assertEquals(5, c.limits().rate());
    assertEquals(40, c.limits().burst(), "keys the file does not set keep their defaults");
  }

  @Test
  void fileWithDottedKeys() throws IOException {
    Config c = ConfigLoader.load(file("{\"http.port\":9001,\"metrics.public\":true}"), Map.of());
    assertEquals(9001, c.http().port());
    assertTrue(c.metrics().isPublic());
  }

  @Test
  void fileMixingNestedAndDottedKeys() throws IOException {
    Config c = ConfigLoader.load(file("{\"http\":{\"port\":9002},\"limits.maxRooms\":3,\"auth\":{\"devLogin\":false,\"jwtSecret\":\"" + SECRET + "\"}}"),
        Map.of());
    assertEquals(9002, c.http().port());
    assertEquals(3, c.limits().maxRooms());
    assertFalse(c.auth().devLogin());
  }

  @Test
  void fileWithAListOfOrigins() throws IOException {
    Config c = ConfigLoader.load(file("{\"auth\":{\"allowedOrigins\":[\"https://chat.example\",\"*\"]}}"), Map.of());
    assertEquals(List.of("https://chat.example", "*"), c.auth().allowedOrigins());
  }

  @Test
  void fileWithLongHeartbeatValues() throws IOException {
    Config c = ConfigLoader.load(file("{\"heartbeat\":{\"interval\":1000,\"timeout\":3000}}"), Map.of());
    assertEquals(1000L, c.heartbeat().interval());
    assertEquals(3000L, c.heartbeat().timeout());
  }

  // ---- environment

  @Test
  void environmentOverridesTheFile() throws IOException {
    Config c = ConfigLoader.load(file("{\"http\":{\"port\":9000},\"limits\":{\"maxRooms\":7}}"),
        Map.of("SWITCHBOARD_HTTP_PORT", "9100"));
    assertEquals(9100, c.http().port());
    assertEquals(7, c.limits().maxRooms(), "what the environment does not set comes from the file");
  }

  @Test
  void environmentOverridesDefaultsOfEveryType() {
    Config c = ConfigLoader.load(null, Map.of(
        "SWITCHBOARD_LIMITS_MAX_CONNECTIONS", "5",
        "SWITCHBOARD_HEARTBEAT_TIMEOUT", "90000",
        "SWITCHBOARD_AUTH_DEV_LOGIN", "false",
        "SWITCHBOARD_AUTH_JWT_SECRET", SECRET,
        "SWITCHBOARD_CLUSTER_NAME", "blue",
        "SWITCHBOARD_AUTH_ALLOWED_ORIGINS", "https://a.example, https://b.example"));
    assertEquals(5, c.limits().maxConnections());
    assertEquals(90_000L, c.heartbeat().timeout());
    assertFalse(c.auth().devLogin());
    assertEquals("blue", c.cluster().name());
    assertEquals(List.of("https://a.example", "https://b.example"), c.auth().allowedOrigins());
  }

  /** An env file's trailing blank: taken off booleans as it is off numbers. */
  @Test
  void booleansAndNumbersFromTheEnvironmentMayHaveBlanksAround() {
    Config c = ConfigLoader.load(null, Map.of("SWITCHBOARD_AUTH_DEV_LOGIN", "false ", "SWITCHBOARD_HTTP_PORT", " 8081 ", "SWITCHBOARD_AUTH_JWT_SECRET", SECRET,
        "SWITCHBOARD_METRICS_PUBLIC", " TRUE"));
    assertFalse(c.auth().devLogin());
    assertEquals(8081, c.http().port());
    assertTrue(c.metrics().isPublic());
  }

  @Test
  void envNameSplitsDotsAndCamelCaseHumps() {
    assertEquals("SWITCHBOARD_LIMITS_MAX_CONNECTIONS", key("limits.maxConnections").envName());
    assertEquals("SWITCHBOARD_LIMITS_MAX_CONNECTIONS_PER_USER", key("limits.maxConnectionsPerUser").envName());
    assertEquals("SWITCHBOARD_HTTP_PORT", key("http.port").envName());
    assertEquals("SWITCHBOARD_AUTH_JWT_SECRET", key("auth.jwtSecret").envName());
    assertEquals("SWITCHBOARD_HISTORY_RECOVER_MAX", key("history.recoverMax").envName());
    assertEquals("SWITCHBOARD_METRICS_PUBLIC", key("metrics.public").envName());
  }

  @Test
  void everyKeyHasItsOwnEnvironmentVariable() {
    Set<String> names = new HashSet<>();
    for (ConfigKey k : ConfigKeys.ALL) {
      assertTrue(k.envName().matches("SWITCHBOARD_[A-Z0-9_]+"), k.envName());
      assertTrue(names.add(k.envName()), "two keys share " + k.envName());
    }
  }

  @Test
  void everyKeyCanBeSetThroughItsEnvironmentVariable() {
    Config c = ConfigLoader.load(null, Map.of(key("history.recoverMax").envName(), "7"));
    assertEquals(7, c.history().recoverMax());
  }

  @Test
  void environmentValueIsTrimmed() {
    assertEquals(9100, ConfigLoader.load(null, Map.of("SWITCHBOARD_HTTP_PORT", " 9100 ")).http().port());
  }

  // ---- failures name the key

  @Test
  void negativePortInFileFailsNamingTheKey() throws IOException {
    Path f = file("{\"http\":{\"port\":-1}}");
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f, Map.of()));
    assertMentions(e, "http.port", "-1");
  }

  /** The random key is known inside the cluster only: such a node started, was ready, and refused every client. */
  @Test
  void developmentLoginOffWithoutAKeyFailsNamingTheKeys() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> ConfigLoader.load(null, Map.of("SWITCHBOARD_AUTH_DEV_LOGIN", "false")));
    assertMentions(e, "auth.devLogin", "auth.jwtSecret", "auth.publicKey");
    assertFalse(ConfigLoader.load(null, Map.of("SWITCHBOARD_AUTH_DEV_LOGIN", "false", "SWITCHBOARD_AUTH_JWT_SECRET", SECRET))
        .auth().devLogin());
  }

  /** "switchboard " from an env file formed a cluster of its own; a key's newline made tokens another key's. */
  @Test
  void aClusterNameOrSecretWithBlanksAroundFailsNamingTheKey() {
    ConfigException name = assertThrows(ConfigException.class,
        () -> ConfigLoader.load(null, Map.of("SWITCHBOARD_CLUSTER_NAME", "switchboard ")));
    assertMentions(name, "cluster.name");
    ConfigException secret = assertThrows(ConfigException.class,
        () -> ConfigLoader.load(null, Map.of("SWITCHBOARD_AUTH_JWT_SECRET", SECRET + "\n")));
    assertMentions(secret, "auth.jwtSecret");
  }

  @Test
  void negativePortInEnvironmentFailsNamingTheKeyAndVariable() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> ConfigLoader.load(null, Map.of("SWITCHBOARD_HTTP_PORT", "-1")));
    assertMentions(e, "http.port", "SWITCHBOARD_HTTP_PORT");
  }

  @Test
  void portAboveRangeFailsNamingTheKey() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> ConfigLoader.load(null, Map.of("SWITCHBOARD_HTTP_PORT", "65536")));
    assertMentions(e, "http.port");
  }

  @Test
  void nonNumericPortInEnvironmentFailsNamingTheKey() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> ConfigLoader.load(null, Map.of("SWITCHBOARD_HTTP_PORT", "abc")));
    assertMentions(e, "http.port", "abc");
  }

  @Test
  void nonNumericPortInFileFailsNamingTheKey() throws IOException {
    Path f = file("{\"http\":{\"port\":\"abc\"}}");
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f, Map.of()));
    assertMentions(e, "http.port", "abc");
  }

  @Test
  void fractionalPortFailsNamingTheKey() throws IOException {
    Path f = file("{\"http.port\":80.5}");
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f, Map.of()));
    assertMentions(e, "http.port");
  }

  @Test
  void emptyEnvironmentValueForANumberFailsNamingTheKey() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> ConfigLoader.load(null, Map.of("SWITCHBOARD_LIMITS_MAX_ROOMS", "")));
    assertMentions(e, "limits.maxRooms");
  }

  @Test
  void nonBooleanFailsNamingTheKey() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> ConfigLoader.load(null, Map.of("SWITCHBOARD_METRICS_PUBLIC", "yes")));
    assertMentions(e, "metrics.public");
  }

  @Test
  void unknownKeyInFileFailsNamingTheKey() throws IOException {
    Path f = file("{\"http\":{\"prot\":9000}}");
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f, Map.of()));
    assertMentions(e, "http.prot");
  }

  @Test
  void unknownTopLevelKeyInFileFailsNamingTheKey() throws IOException {
    Path f = file("{\"port\":9000}");
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f, Map.of()));
    assertMentions(e, "port");
  }

  @Test
  void unknownSwitchboardVariableFailsNamingTheVariable() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> ConfigLoader.load(null, Map.of("SWITCHBOARD_HTTP_PROT", "9000")));
    assertMentions(e, "SWITCHBOARD_HTTP_PROT");
  }

  @Test
  void notJsonFileFailsNamingTheFile() throws IOException {
    Path f = file("port = 9000");
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f, Map.of()));
    assertMentions(e, f.toString());
  }

  @Test
  void jsonFileThatIsNotAnObjectFails() throws IOException {
    for (String json : List.of("[1]", "5", "\"x\"", "null", "")) {
      Path f = file(json);
      assertThrows(ConfigException.class, () -> ConfigLoader.load(f, Map.of()), json);
    }
  }

  @Test
  void missingFileFailsNamingTheFile() {
    Path f = dir.resolve("absent.json");
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f, Map.of()));
    assertMentions(e, f.toString());
  }

  @Test
  void heartbeatTimeoutEqualToIntervalFails() {
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(null,
        Map.of("SWITCHBOARD_HEARTBEAT_INTERVAL", "30000", "SWITCHBOARD_HEARTBEAT_TIMEOUT", "30000")));
    assertMentions(e, "heartbeat.timeout", "heartbeat.interval");
  }

  @Test
  void heartbeatTimeoutShorterThanIntervalFails() throws IOException {
    Path f = file("{\"heartbeat\":{\"interval\":60000,\"timeout\":30000}}");
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f, Map.of()));
    assertMentions(e, "heartbeat.timeout", "heartbeat.interval");
  }

  /**
   * A relayed message is about as large as the frame that brought it: with less than twice that
   * room for unsent bytes, one large message closed every member that got it as a slow consumer.
   */
  @Test
  void outboundBytesLeavesRoomForTwoLargestFrames() {
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(null,
        Map.of("SWITCHBOARD_LIMITS_MAX_FRAME_BYTES", "65536", "SWITCHBOARD_LIMITS_OUTBOUND_BYTES", "131071")));
    assertMentions(e, "limits.outboundBytes", "limits.maxFrameBytes");
    Config c = ConfigLoader.load(null,
        Map.of("SWITCHBOARD_LIMITS_MAX_FRAME_BYTES", "65536", "SWITCHBOARD_LIMITS_OUTBOUND_BYTES", "131072"));
    assertEquals(131_072, c.limits().outboundBytes());
  }

  /**
   * The ping goes out once the interval passed, seen by a sweep every min(1 s, interval / 2),
   * and its pong needs as long again: a timeout within that margin closed live clients as silent.
   */
  @Test
  void heartbeatTimeoutLeavesTimeForThePongToComeBack() {
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(null,
        Map.of("SWITCHBOARD_HEARTBEAT_INTERVAL", "30000", "SWITCHBOARD_HEARTBEAT_TIMEOUT", "31999")));
    assertMentions(e, "heartbeat.timeout", "heartbeat.interval", "2000 ms");
    Config c = ConfigLoader.load(null,
        Map.of("SWITCHBOARD_HEARTBEAT_INTERVAL", "30000", "SWITCHBOARD_HEARTBEAT_TIMEOUT", "32000"));
    assertEquals(32_000L, c.heartbeat().timeout());
    assertEquals(400L, ConfigLoader.load(null,
        Map.of("SWITCHBOARD_HEARTBEAT_INTERVAL", "200", "SWITCHBOARD_HEARTBEAT_TIMEOUT", "400")).heartbeat().timeout(),
        "short intervals: a sweep every interval / 2");
  }

  /** A room's byte ring doubles as it grows: past 1 GiB its size overflowed an int. */
  @Test
  void historyMaxBytesStopsAt256MiB() {
    assertEquals(256 * 1024 * 1024, ConfigLoader.load(null,
        Map.of("SWITCHBOARD_HISTORY_MAX_BYTES", Integer.toString(256 * 1024 * 1024))).history().maxBytes());
    assertMentions(assertThrows(ConfigException.class, () -> ConfigLoader.load(null,
        Map.of("SWITCHBOARD_HISTORY_MAX_BYTES", Integer.toString(256 * 1024 * 1024 + 1)))), "history.maxBytes");
  }

  /** An HS256 key shorter than its hash is guessed from any token; a blank one is no key. */
  @Test
  void aJwtSecretShorterThan32BytesOrBlankFails() {
    assertMentions(assertThrows(ConfigException.class, () -> ConfigLoader.load(null,
        Map.of("SWITCHBOARD_AUTH_JWT_SECRET", "secret"))), "auth.jwtSecret", "32 bytes");
    assertMentions(assertThrows(ConfigException.class, () -> ConfigLoader.load(null,
        Map.of("SWITCHBOARD_AUTH_JWT_SECRET", " ".repeat(40)))), "auth.jwtSecret", "blank");
    assertEquals("k".repeat(32), ConfigLoader.load(null,
        Map.of("SWITCHBOARD_AUTH_JWT_SECRET", "k".repeat(32))).auth().jwtSecret());
  }

  @Test
  void badValueInFileFailsEvenWhenTheEnvironmentWouldOverrideIt() throws IOException {
    Path f = file("{\"http\":{\"port\":\"abc\"}}");
    assertThrows(ConfigException.class, () -> ConfigLoader.load(f, Map.of("SWITCHBOARD_HTTP_PORT", "9000")));
  }

  @Test
  void originsListWithANonStringFailsNamingTheKey() throws IOException {
    Path f = file("{\"auth\":{\"allowedOrigins\":[1]}}");
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f, Map.of()));
    assertMentions(e, "auth.allowedOrigins");
  }
}
