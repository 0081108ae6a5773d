package io.switchboard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.support.Await;
import io.switchboard.support.Ports;
import io.switchboard.support.Tokens;
import io.switchboard.support.WsClient;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scale-out as people deploy it: three nodes started from the jar behind HAProxy, on loopback.
 * 200 clients land on all three nodes and talk in a handful of rooms; one node is killed with
 * SIGKILL, then all three are restarted one at a time with SIGTERM, while publishing goes on.
 * Every client ends with every acknowledged message of its room exactly once and in order.
 */
class HaproxyClusterIT {

  private static final int CLIENTS = 200;
  private static final int ROOMS = 5;
  private static final long FAILURE_TIMEOUT = 5_000;

  private final List<Process> processes = new ArrayList<>();
  private final Vertx vertx = Vertx.vertx();
  /** Acknowledged seqs per room, from the publishers' ack frames. */
  private final Map<String, Set<Long>> acked = new ConcurrentHashMap<>();
  /** What went wrong on a client's event loop, to be reported by the test thread. */
  private final List<String> problems = java.util.Collections.synchronizedList(new ArrayList<>());
  /** Rejoins refused rate_limited (the node's reply budget) and asked again. */
  private final java.util.concurrent.atomic.AtomicInteger limitedJoins = new java.util.concurrent.atomic.AtomicInteger();
  /** Set during the rolling restart: the close codes the clients saw meanwhile. */
  private volatile boolean rolling;
  private final List<Integer> rollingCloses = java.util.Collections.synchronizedList(new ArrayList<>());
  private Path dir;
  private Map<String, String> env;
  private int[] nodePorts;
  private Process[] nodes;

  @AfterEach
  void stopAll() throws InterruptedException {
    for (Process p : processes) {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
    Await.of(vertx.close(), 30);
  }

  @Test
  void clientsBehindHaproxyLoseNothingWhenANodeDiesAndWhenAllRestart(@TempDir Path tmp) throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/sbin/haproxy")), "haproxy is installed by .ci/run");
    dir = tmp;
    Path clusterXml = dir.resolve("cluster.xml");
    Files.writeString(clusterXml, Files.readString(Path.of("cluster.xml")).replace(">5701<", ">" + Ports.freeRange(10) + "<"));
    env = Map.of("SWITCHBOARD_CLUSTER_NAME", "it-" + UUID.randomUUID(), "SWITCHBOARD_CLUSTER_CONFIG", clusterXml.toString(),
        "SWITCHBOARD_AUTH_JWT_SECRET", Tokens.SECRET, "SWITCHBOARD_HTTP_HOST", "127.0.0.1",
        "SWITCHBOARD_CLUSTER_FAILURE_TIMEOUT", Long.toString(FAILURE_TIMEOUT), "SWITCHBOARD_LIMITS_MAX_CONNECTIONS_PER_USER", "100",
        // as deploy/local-cluster.sh: the proxy's checks (every second, two to fail) see /ready 503 first
        "SWITCHBOARD_HTTP_DRAIN_DELAY", "2000");
    nodePorts = new int[] {Ports.free(), Ports.free(), Ports.free()};
    nodes = new Process[3];
    for (int i = 0; i < 3; i++) {
      nodes[i] = startNode(i);
    }
    for (int i = 0; i < 3; i++) {
      awaitReady(nodePorts[i], nodes[i]);
    }
    int lbPort = startHaproxy();

    // 200 clients through HAProxy, in five rooms
    List<Member> members = new ArrayList<>();
    for (int i = 0; i < CLIENTS; i++) {
      members.add(new Member("u" + i, "room" + (i % ROOMS), lbPort));
    }
    Await.of(Future.all(members.stream().map(Member::start).toList()), 60);
    Set<String> landedOn = new HashSet<>();
    members.forEach(m -> landedOn.add(m.firstNode));
    assertEquals(3, landedOn.size(), "the clients landed on all three nodes: " + landedOn);

    Publishing publishing = new Publishing(members.subList(0, 20));

    // one node dies without a goodbye; a user connected straight to it leaves everyone's lists in time
    WsClient watcher = WsClient.open(vertx, nodePorts[0], Tokens.user("watcher"));
    watcher.join("room0");
    WsClient victim = WsClient.open(vertx, nodePorts[1], Tokens.user("victim"));
    victim.join("room0");
    watcher.await(f -> "presence".equals(f.getString("type")) && "victim".equals(f.getString("user")));
    publishing.runFor(2_000);
    long killedAt = System.currentTimeMillis();
    nodes[1].destroyForcibly();
    JsonObject left = watcher.await(f -> "presence".equals(f.getString("type")) && "leave".equals(f.getString("event"))
        && "victim".equals(f.getString("user")));
    long gone = System.currentTimeMillis() - killedAt;
    System.out.println("HaproxyClusterIT: a killed node's user left the members lists after " + gone + " ms");
    assertTrue(gone <= FAILURE_TIMEOUT + 5_000, "left after " + gone + " ms");
    assertEquals("leave", left.getString("event"));
    publishing.runFor(3_000);
    nodes[1] = startNode(1);
    awaitReady(nodePorts[1], nodes[1]);
    publishing.runFor(1_000);

    // rolling restart: one node at a time, SIGTERM, start again, wait for /ready
    rolling = true;
    for (int i = 0; i < 3; i++) {
      nodes[i].destroy();
      assertTrue(nodes[i].waitFor(15, TimeUnit.SECONDS), "node " + i + " stops on SIGTERM");
      publishing.runFor(1_000);
      nodes[i] = startNode(i);
      awaitReady(nodePorts[i], nodes[i]);
      publishing.runFor(1_000);
    }
    rolling = false;
    // a draining node closes its sockets itself, 1001, and the proxy lets that close through
    // (it cut them at "marked down" before, and the clients saw 1006)
    assertTrue(rollingCloses.size() >= CLIENTS / 3, "the clients of each node were closed: " + rollingCloses.size());
    assertEquals(List.of(1001), rollingCloses.stream().distinct().toList(), "close codes: " + rollingCloses);
    watcher.close();
    // frames are handled in order per connection: a pong means every earlier publish is answered
    Await.of(Future.join(publishing.publishers.stream().map(Member::drain).toList()), 30);

    // everyone ends with every acknowledged message of their room, exactly once, in order
    assertEquals(List.of(), problems);
    int total = acked.values().stream().mapToInt(Set::size).sum();
    assertTrue(total > 100, "acknowledged: " + total);
    for (Member m : members) {
      long last = acked.getOrDefault(m.room, Set.of()).stream().mapToLong(Long::longValue).max().orElse(0);
      Await.of(m.reached(last), 60);
      m.assertContiguous();
      Set<Long> seen = m.seenSet();
      for (long seq : acked.getOrDefault(m.room, Set.of())) {
        assertTrue(seen.contains(seq), m.user + " misses acknowledged seq " + seq + " of " + m.room + " (joined at "
            + m.firstJoinedAt + ", saw " + seen.size() + " up to " + m.cursor + ", epochs " + m.epochs + ")");
      }
    }
    assertEquals(List.of(), problems);
    System.out.println("HaproxyClusterIT: " + total + " acknowledged messages, "
        + members.stream().mapToInt(m -> m.reconnects).sum() + " reconnections (" + limitedJoins.get()
        + " rejoins asked again after rate_limited), all delivered exactly once in order");
    members.forEach(Member::stop);
  }

  /** A client that reconnects through HAProxy with back-off and recovers each room with since. */
  private final class Member {
    final String user;
    final String room;
    final int port;
    final WebSocketClient client = vertx.createWebSocketClient();
    final List<Long> seen = new ArrayList<>();
    /** The room's seq when this client first joined; it must see every message after it. */
    long firstJoinedAt;
    /** The last seq seen (or joined at): where a reconnection recovers from. */
    long cursor;
    String epoch;
    final Set<String> epochs = new java.util.LinkedHashSet<>();
    volatile String firstNode;
    volatile WebSocket ws;
    /** Joined on the current connection: only then may it publish. */
    volatile boolean joined;
    int reconnects;
    boolean stopping;
    long backoff = 100;
    Promise<Void> started = Promise.promise();
    final Map<Long, Promise<Void>> waiters = new HashMap<>();

    Member(String user, String room, int port) {
      this.user = user;
      this.room = room;
      this.port = port;
    }

    Future<Void> start() {
      vertx.runOnContext(v -> connect());
      return started.future();
    }

    /** Handlers before the connect: Vert.x resumes a new socket ahead of connect's callback (see WsClient). */
    void connect() {
      io.vertx.core.http.ClientWebSocket socket = client.webSocket();
      joined = false;
      ws = socket;
      socket.textMessageHandler(text -> onFrame(new JsonObject(text)));
      socket.closeHandler(v -> {
        if (rolling) {
          Short code = socket.closeStatusCode();
          rollingCloses.add(code == null ? 1006 : (int) code);
        }
        if (!stopping) {
          reconnects++;
          retry();
        }
      });
      socket.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
              .setURI("/ws?token=" + Tokens.user(user)))
          .onFailure(e -> retry());
    }

    void retry() {
      vertx.setTimer(backoff, t -> connect());
      backoff = Math.min(2_000, backoff * 2);
    }

    synchronized void onFrame(JsonObject f) {
      switch (f.getString("type")) {
        case "welcome" -> {
          if (firstNode == null) {
            firstNode = f.getString("node");
          }
          sendJoin(ws);
        }
        case "joined" -> {
          if (epoch != null && !f.getBoolean("recovered", false)) {
            problems.add(user + " could not recover: " + f.encode());
          }
          if (epoch == null) {
            firstJoinedAt = f.getLong("seq");
            cursor = firstJoinedAt;
          }
          epoch = f.getString("epoch");
          epochs.add(epoch);
          joined = true;
          f.getJsonArray("history").forEach(m -> add(((JsonObject) m).getLong("seq")));
          backoff = 100;
          started.tryComplete();
        }
        case "message" -> add(f.getLong("seq"));
        case "pong" -> {
          if (drained != null) {
            drained.tryComplete();
          }
        }
        case "ack" -> acked.computeIfAbsent(f.getString("room"), r -> ConcurrentHashMap.newKeySet()).add(f.getLong("seq"));
        case "error" -> {
          if ("rate_limited".equals(f.getString("code")) && "j".equals(f.getString("id"))) {
            // the node's reply budget, spent by a wave of rejoins for longer than it waits out
            // itself: asked again after the wait, as PROTOCOL.md says a client should
            WebSocket socket = ws;
            limitedJoins.incrementAndGet();
            vertx.setTimer(Math.max(1, f.getLong("retryAfterMs", 1L)), t -> sendJoin(socket));
          } else if (!"unavailable".equals(f.getString("code"))) {
            problems.add(user + " got " + f.encode());
          }
        }
        default -> { }
      }
    }

    private synchronized void sendJoin(WebSocket socket) {
      if (socket != ws || socket.isClosed()) {
        return; // a later connection joins by itself
      }
      JsonObject join = new JsonObject().put("type", "join").put("room", room).put("id", "j");
      if (epoch != null) {
        join.put("since", new JsonObject().put("seq", cursor).put("epoch", epoch));
      } else {
        join.put("history", 0);
      }
      socket.writeTextMessage(join.encode());
    }

    private void add(long seq) {
      seen.add(seq);
      cursor = seq;
      waiters.entrySet().removeIf(w -> {
        if (seq >= w.getKey()) {
          w.getValue().tryComplete();
          return true;
        }
        return false;
      });
    }

    synchronized Future<Void> reached(long seq) {
      if (seq == 0 || cursor >= seq) {
        return Future.succeededFuture();
      }
      Promise<Void> p = Promise.promise();
      waiters.put(seq, p);
      return p.future();
    }

    Promise<Void> drained;

    synchronized Future<Void> drain() {
      WebSocket socket = ws;
      if (socket == null || socket.isClosed()) {
        return Future.succeededFuture();
      }
      drained = Promise.promise();
      socket.writeTextMessage("{\"type\":\"ping\",\"id\":\"drain\"}");
      return drained.future();
    }

    synchronized Set<Long> seenSet() {
      return new HashSet<>(seen);
    }

    synchronized void assertContiguous() {
      long expected = firstJoinedAt + 1;
      for (long seq : seen) {
        assertEquals(expected, seq, user + " in " + room + ": no gap, no duplicate, in order");
        expected++;
      }
    }

    void stop() {
      stopping = true;
      if (ws != null && joined) {
        ws.close();
      }
      client.close(); // and with it a socket still connecting
    }
  }

  /** Twenty of the members publish a message every 100 ms while asked to; their acks are kept. */
  private final class Publishing {
    final List<Member> publishers;
    int n;

    Publishing(List<Member> publishers) {
      this.publishers = publishers;
    }

    void runFor(long ms) {
      Promise<Void> done = Promise.promise();
      long timer = vertx.setPeriodic(100, t -> tick());
      vertx.setTimer(ms, t -> {
        vertx.cancelTimer(timer);
        done.complete();
      });
      Await.of(done.future(), ms / 1000 + 10);
    }

    void tick() {
      for (Member m : publishers) {
        WebSocket ws = m.ws;
        // joined first: a socket still connecting (a ClientWebSocket) answers isClosed by throwing
        if (ws == null || !m.joined || ws.isClosed()) {
          continue;
        }
        String id = m.user + "-" + (++n);
        ws.writeTextMessage(new JsonObject().put("type", "publish").put("id", id).put("room", m.room)
            .put("text", id).encode());
      }
    }
  }

  private Process startNode(int i) throws IOException {
    Path jar = Path.of(System.getProperty("switchboard.jar", "target/switchboard.jar")).toAbsolutePath();
    ProcessBuilder pb = new ProcessBuilder(JarNodesIT.JAVA, "-Xmx512m", "-jar", jar.toString()).directory(dir.toFile())
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("node" + i + ".log").toFile()));
    pb.environment().putAll(env);
    pb.environment().put("SWITCHBOARD_HTTP_PORT", Integer.toString(nodePorts[i]));
    Process p = pb.start();
    processes.add(p);
    return p;
  }

  private int startHaproxy() throws Exception {
    int lbPort = Ports.free();
    String cfg = Files.readString(Path.of("deploy/haproxy/haproxy.cfg"))
        .replace("bind 127.0.0.1:8000", "bind 127.0.0.1:" + lbPort)
        .replace("127.0.0.1:8081", "127.0.0.1:" + nodePorts[0])
        .replace("127.0.0.1:8082", "127.0.0.1:" + nodePorts[1])
        .replace("127.0.0.1:8083", "127.0.0.1:" + nodePorts[2])
        .replace("    log stdout format raw local0 warning\n", "");
    Path file = dir.resolve("haproxy.cfg");
    Files.writeString(file, cfg);
    Process p = new ProcessBuilder("/usr/sbin/haproxy", "-db", "-f", file.toString()).redirectErrorStream(true)
        .redirectOutput(dir.resolve("haproxy.log").toFile()).start();
    processes.add(p);
    awaitReady(lbPort, p);
    return lbPort;
  }

  private void awaitReady(int port, Process p) {
    WebClient http = WebClient.create(vertx);
    long deadline = System.currentTimeMillis() + 60_000;
    try {
      while (System.currentTimeMillis() < deadline && p.isAlive()) {
        Integer status = Await.of(http.get(port, "127.0.0.1", "/ready").send().map(r -> r.statusCode()).otherwise(0));
        if (status == 200) {
          return;
        }
        Await.of(Future.<Void>future(pr -> vertx.setTimer(200, t -> pr.complete())));
      }
      throw new AssertionError("nothing ready on port " + port);
    } finally {
      http.close();
    }
  }
}
