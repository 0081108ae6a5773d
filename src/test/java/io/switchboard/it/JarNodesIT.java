package io.switchboard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.support.Await;
import io.switchboard.support.Ports;
import io.switchboard.support.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes started from the built jar, the way README tells a new user to (the second only
 * with another HTTP port), tried over HTTP and WebSocket as that user would; then one is
 * stopped with SIGTERM.
 */
@ExtendWith(VertxExtension.class)
class JarNodesIT {

  /** The JVM the tests run on: the one on PATH may be another, older one. */
  static final String JAVA = java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString();

  private final List<Process> processes = new ArrayList<>();
  private WebClient http;

  @AfterEach
  void stopAll() throws InterruptedException {
    for (Process p : processes) {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
    if (http != null) {
      http.close();
    }
  }

  @Test
  void twoNodesFromTheJarFormOneServiceAndStopCleanly(Vertx vertx, @TempDir Path dir) throws Exception {
    // a cluster of our own: a random name, and the repository's cluster.xml on free ports
    String clusterName = "it-" + UUID.randomUUID();
    Path clusterXml = dir.resolve("cluster.xml");
    Files.writeString(clusterXml, Files.readString(Path.of("cluster.xml"))
        .replace(">5701<", ">" + Ports.freeRange(10) + "<"));
    int portA = Ports.free();
    int portB = Ports.free();
    Process a = start(dir, "a", Map.of("SWITCHBOARD_HTTP_PORT", "" + portA, "SWITCHBOARD_CLUSTER_NAME", clusterName,
        "SWITCHBOARD_CLUSTER_CONFIG", clusterXml.toString()));
    awaitReady(vertx, portA, a);
    Process b = start(dir, "b", Map.of("SWITCHBOARD_HTTP_PORT", "" + portB, "SWITCHBOARD_CLUSTER_NAME", clusterName,
        "SWITCHBOARD_CLUSTER_CONFIG", clusterXml.toString()));
    awaitReady(vertx, portB, b);

    // development login on one node, the token works on the other
    http = WebClient.create(vertx);
    JsonObject login = Await.of(http.post(portA, "127.0.0.1", "/api/token")
        .sendJsonObject(new JsonObject().put("user", "alice").put("name", "Alice"))).bodyAsJsonObject();
    String bobToken = Await.of(http.post(portB, "127.0.0.1", "/api/token")
        .sendJsonObject(new JsonObject().put("user", "bob"))).bodyAsJsonObject().getString("token");
    WsClient alice = WsClient.open(vertx, portB, login.getString("token"));
    WsClient bob = WsClient.open(vertx, portA, bobToken);
    alice.join("lobby");
    JsonObject joined = bob.join("lobby");
    assertEquals(2, joined.getInteger("count"));
    alice.publish("lobby", "hello from node B");
    assertEquals("hello from node B", bob.awaitMessages("lobby", 1).get(0).getString("text"));
    assertEquals("Alice", bob.awaitMessages("lobby", 1).get(0).getString("name"));

    // the example publisher joins the cluster as a program and its messages arrive
    bob.join("ticks");
    Process example = startClass(dir, "example", Map.of("SWITCHBOARD_CLUSTER_NAME", clusterName,
        "SWITCHBOARD_CLUSTER_CONFIG", clusterXml.toString()), "io.switchboard.examples.ExamplePublisher", "ticks", "200", "2");
    List<JsonObject> ticks = bob.awaitMessages("ticks", 2);
    assertEquals("tick 1", ticks.get(0).getString("text"));
    assertEquals("example-bot", ticks.get(0).getString("from"));
    assertEquals("api", ticks.get(0).getString("via"));
    assertTrue(example.waitFor(30, TimeUnit.SECONDS), "the example stops after its count");
    assertTrue(Files.readString(dir.resolve("example.log")).contains("published: {\"room\":\"ticks\""));

    // SIGTERM: the node's clients get 1001, its users leave, and the process exits in time
    JsonObject seen = alice.awaitMessages("lobby", 1).get(0);
    long t0 = System.nanoTime();
    b.destroy();
    WsClient.Close close = alice.awaitClose();
    assertEquals(1001, close.code());
    assertEquals("going away", close.reason());
    JsonObject left = bob.await(f -> "presence".equals(f.getString("type")) && "leave".equals(f.getString("event")));
    assertEquals("alice", left.getString("user"));
    assertTrue(b.waitFor(10, TimeUnit.SECONDS), "the node exits within 10 s of SIGTERM");
    long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
    assertTrue(seconds <= 10, "exit took " + seconds + " s");
    String bLog = Files.readString(dir.resolve("b.log"));
    assertTrue(bLog.contains("shutting down") && !bLog.contains("shutdown did not finish cleanly"), "stopped cleanly: " + bLog);

    // alice reconnects to the other node with since and loses nothing of what was said meanwhile
    bob.publish("lobby", "while you were away 1");
    bob.publish("lobby", "while you were away 2");
    WsClient back = WsClient.open(vertx, portA, login.getString("token"));
    JsonObject rejoined = back.request(new JsonObject().put("type", "join").put("room", "lobby")
        .put("since", new JsonObject().put("seq", seen.getLong("seq")).put("epoch", joined.getString("epoch"))));
    assertEquals(true, rejoined.getBoolean("recovered"));
    assertEquals(List.of("while you were away 1", "while you were away 2"), rejoined.getJsonArray("history").stream()
        .map(m -> ((JsonObject) m).getString("text")).toList());
    back.close();
    bob.close();
  }

  /**
   * A SIGTERM while the node is still starting (here at its first line once clustered, before
   * its verticles are deployed): it finishes starting, then stops cleanly. Before, the stop was
   * hooked only once the start had finished, so the process just vanished.
   */
  @Test
  void aSigtermWhileStartingStillStopsCleanly(@TempDir Path dir) throws Exception {
    Path clusterXml = dir.resolve("cluster.xml");
    Files.writeString(clusterXml, Files.readString(Path.of("cluster.xml"))
        .replace(">5701<", ">" + Ports.freeRange(10) + "<"));
    Path jar = Path.of(System.getProperty("switchboard.jar", "target/switchboard.jar")).toAbsolutePath();
    ProcessBuilder pb = new ProcessBuilder(JAVA, "-jar", jar.toString()).directory(dir.toFile()).redirectErrorStream(true);
    pb.environment().putAll(Map.of("SWITCHBOARD_HTTP_PORT", "" + Ports.free(), "SWITCHBOARD_CLUSTER_NAME",
        "it-" + UUID.randomUUID(), "SWITCHBOARD_CLUSTER_CONFIG", clusterXml.toString()));
    Process p = pb.start();
    processes.add(p);
    // whatever happens, the output ends: the reading below then ends too
    p.onExit().orTimeout(60, TimeUnit.SECONDS).whenComplete((done, e) -> p.destroyForcibly());
    StringBuilder out = new StringBuilder();
    try (var lines = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()))) {
      String line;
      boolean signalled = false;
      while ((line = lines.readLine()) != null) { // until the process ends
        out.append(line).append('\n');
        if (!signalled && line.contains(" transport")) { // "node n-…: native epoll transport"
          assertTrue(!out.toString().contains(" ready on "), "signalled before the node serves");
          // SIGTERM by kill: Process.destroy() would also close the output this test still reads
          assertEquals(0, new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start().waitFor());
          signalled = true;
        }
      }
    }
    assertTrue(p.waitFor(10, TimeUnit.SECONDS), out.toString());
    assertTrue(out.toString().contains("shutting down"), out.toString());
    assertTrue(!out.toString().contains("shutdown did not finish cleanly"), out.toString());
  }

  @Test
  void aBadValueStopsTheNodeAtStartNamingTheKey(@TempDir Path dir) throws Exception {
    // each on a cluster of its own and free ports: a node that wrongly went on starting must not
    // join a running cluster or take a port another test needs
    Path clusterXml = Files.writeString(dir.resolve("cluster.xml"), Files.readString(Path.of("cluster.xml"))
        .replace(">5701<", ">" + Ports.freeRange(10) + "<"));
    Map<String, String> alone = Map.of("SWITCHBOARD_CLUSTER_NAME", "bad-start-" + java.util.UUID.randomUUID(),
        "SWITCHBOARD_CLUSTER_CONFIG", clusterXml.toString(), "SWITCHBOARD_HTTP_PORT", Integer.toString(Ports.free()));
    Process p = start(dir, "bad", with(alone, "SWITCHBOARD_HTTP_PORT", "-1"));
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the node does not start half-configured");
    assertEquals(2, p.exitValue());
    String out = Files.readString(dir.resolve("bad.log"));
    assertTrue(out.contains("http.port"), out);

    Path conf = dir.resolve("conf.json");
    Files.writeString(conf, "{\"http\":{\"prot\":8081}}");
    Process q = start(dir, "unknown", alone, "--conf", conf.toString());
    assertTrue(q.waitFor(30, TimeUnit.SECONDS));
    assertEquals(2, q.exitValue());
    assertTrue(Files.readString(dir.resolve("unknown.log")).contains("http.prot"));

    // a mistyped argument, and a key the node could not use, stop it before it joins a cluster
    Process r = start(dir, "typo", alone, "--confg", conf.toString());
    assertTrue(r.waitFor(30, TimeUnit.SECONDS));
    assertEquals(2, r.exitValue());
    assertTrue(Files.readString(dir.resolve("typo.log")).contains("unknown argument '--confg'"));
    Path jwks = Files.writeString(dir.resolve("jwks.json"), "{\"keys\":[]}");
    Process s = start(dir, "key", with(alone, "SWITCHBOARD_AUTH_PUBLIC_KEY", jwks.toString()));
    assertTrue(s.waitFor(30, TimeUnit.SECONDS));
    assertEquals(2, s.exitValue());
    String keyLog = Files.readString(dir.resolve("key.log"));
    assertTrue(keyLog.contains("auth.publicKey") && !keyLog.contains("Members {"), keyLog);
    // a cluster.config that is not there is a configuration error too (it was a stack trace, exit 1)
    Process t = start(dir, "hzconf", with(alone, "SWITCHBOARD_CLUSTER_CONFIG", dir.resolve("absent.xml").toString()));
    assertTrue(t.waitFor(30, TimeUnit.SECONDS));
    assertEquals(2, t.exitValue());
    String hzLog = Files.readString(dir.resolve("hzconf.log"));
    assertTrue(hzLog.contains("cluster.config") && !hzLog.contains("Members {"), hzLog);
  }

  @Test
  void withLogFormatJsonEveryLineIsAJsonObject(Vertx vertx, @TempDir Path dir) throws Exception {
    Path clusterXml = dir.resolve("cluster.xml");
    Files.writeString(clusterXml, Files.readString(Path.of("cluster.xml"))
        .replace(">5701<", ">" + Ports.freeRange(10) + "<"));
    int port = Ports.free();
    Process p = start(dir, "json", Map.of("SWITCHBOARD_HTTP_PORT", "" + port, "SWITCHBOARD_LOG_FORMAT", "json",
        "SWITCHBOARD_CLUSTER_NAME", "it-" + UUID.randomUUID(), "SWITCHBOARD_CLUSTER_CONFIG", clusterXml.toString()));
    awaitReady(vertx, port, p);
    p.destroy();
    assertTrue(p.waitFor(10, TimeUnit.SECONDS));
    List<String> lines = Files.readAllLines(dir.resolve("json.log")).stream().filter(l -> !l.isBlank()).toList();
    assertTrue(lines.size() >= 2, String.join("\n", lines));
    for (String line : lines) {
      JsonObject entry = new JsonObject(line);
      assertTrue(entry.containsKey("level") && entry.containsKey("loggerName"), line);
    }
    assertTrue(lines.stream().anyMatch(l -> l.contains("ready on http")), "the ready line is there");
  }

  private Process startClass(Path dir, String name, Map<String, String> env, String mainClass, String... args)
      throws IOException {
    Path jar = Path.of(System.getProperty("switchboard.jar", "target/switchboard.jar")).toAbsolutePath();
    List<String> command = new ArrayList<>(List.of(JAVA, "-cp", jar.toString(), mainClass));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(dir.resolve(name + ".log").toFile());
    pb.environment().putAll(env);
    Process p = pb.start();
    processes.add(p);
    return p;
  }

  private static Map<String, String> with(Map<String, String> env, String key, String value) {
    Map<String, String> out = new java.util.HashMap<>(env);
    out.put(key, value);
    return out;
  }

  private Process start(Path dir, String name, Map<String, String> env, String... args) throws IOException {
    Path jar = Path.of(System.getProperty("switchboard.jar", "target/switchboard.jar")).toAbsolutePath();
    List<String> command = new ArrayList<>(List.of(JAVA, "-jar", jar.toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command)
        .directory(dir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve(name + ".log").toFile());
    pb.environment().putAll(env);
    Process p = pb.start();
    processes.add(p);
    return p;
  }

  private void awaitReady(Vertx vertx, int port, Process p) {
    WebClient client = WebClient.create(vertx);
    long deadline = System.currentTimeMillis() + 60_000;
    try {
      while (System.currentTimeMillis() < deadline && p.isAlive()) {
        Integer status = Await.of(client.get(port, "127.0.0.1", "/ready").send()
            .map(r -> r.statusCode()).otherwise(0));
        if (status == 200) {
          return;
        }
        // not listening yet: ask again after a short pause (a process start has nothing to await)
        Await.of(io.vertx.core.Future.<Void>future(pr -> vertx.setTimer(200, t -> pr.complete())));
      }
      throw new AssertionError("node on port " + port + " did not become ready");
    } finally {
      client.close();
    }
  }
}
