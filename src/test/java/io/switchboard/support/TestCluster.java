package io.switchboard.support;

import io.switchboard.SwitchboardNode;
import io.switchboard.config.Config;
import io.switchboard.config.ConfigLoader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Real Switchboard nodes in this JVM, each a Hazelcast member, forming one cluster with a random
 * name on its own free ports, so it never joins a node that is already running on the machine.
 */
public final class TestCluster implements AutoCloseable {

  private final String name = "test-" + UUID.randomUUID();
  private final int hazelcastBase = Ports.freeRange(10);
  private final Map<String, Object> overrides;
  private final List<SwitchboardNode> nodes = new ArrayList<>();
  private final List<Integer> ports = new ArrayList<>();
  private final java.util.Set<SwitchboardNode> dead = new java.util.HashSet<>();
  private final List<io.vertx.core.Vertx> programs = new ArrayList<>();

  public TestCluster(Map<String, ?> overrides) {
    this.overrides = new HashMap<>(overrides);
  }

  public TestCluster() {
    this(Map.of());
  }

  public static TestCluster start(int size, Map<String, ?> overrides) {
    StallWatch.start();
    TestCluster cluster = new TestCluster(overrides);
    try {
      for (int i = 0; i < size; i++) {
        cluster.addNode();
      }
    } catch (RuntimeException | Error e) {
      cluster.close(); // the nodes already started would otherwise live on for the rest of the run
      throw e;
    }
    return cluster;
  }

  /**
   * Starts one more node and waits until it is ready. A port checked free can still be taken
   * before the node binds it (CI, once: "Address already in use"); a node that could not bind
   * has left the cluster again, and another port is tried.
   */
  public SwitchboardNode addNode() {
    for (int attempt = 1; ; attempt++) {
      try {
        return addNode(Ports.free());
      } catch (Exception e) { // Vert.x's await throws the bind's IOException as it is
        if (attempt == 3 || !addressInUse(e)) {
          throw e;
        }
      }
    }
  }

  private static boolean addressInUse(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getMessage() != null && t.getMessage().contains("Address already in use")) {
        return true;
      }
    }
    return false;
  }

  /**
   * Starts node {@code i} again on its HTTP port after it was killed or stopped (a page or
   * client that reconnects to the same address finds it there); it takes index {@code i}.
   */
  public SwitchboardNode restart(int i) {
    SwitchboardNode old = nodes.get(i);
    if (!dead.contains(old)) {
      Await.of(old.stop(), 20);
      dead.add(old);
    }
    awaitFree(ports.get(i));
    SwitchboardNode fresh = addNode(ports.get(i));
    nodes.remove(nodes.size() - 1);
    ports.remove(ports.size() - 1);
    nodes.set(i, fresh);
    return fresh;
  }

  /**
   * Waits until no partition is migrating. Right after a member joins, Hazelcast moves partitions
   * to it, and an operation that meets a moving partition is retried for seconds; under a loaded
   * CI a test's first connect could wait past its 15 s for the welcome.
   */
  private static void awaitSafe(SwitchboardNode node) {
    long deadline = System.currentTimeMillis() + 30_000;
    while (!node.hazelcast().getPartitionService().isClusterSafe()) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("partitions still migrating after 30 s");
      }
      java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L);
    }
  }

  /** A killed node's Vert.x lets go of its port a moment after; a process start has nothing to await. */
  private static void awaitFree(int port) {
    long deadline = System.currentTimeMillis() + 30_000;
    while (!Ports.isFree(port)) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("port " + port + " still taken");
      }
      java.util.concurrent.locks.LockSupport.parkNanos(100_000_000L);
    }
  }

  private SwitchboardNode addNode(int httpPort) {
    SwitchboardNode node = Await.of(startNode(httpPort, hz -> { }), 60);
    nodes.add(node);
    ports.add(httpPort);
    awaitSafe(node);
    return node;
  }

  /**
   * Starts a node that says it runs {@code build} (see {@link io.switchboard.ClusterBuild}); it is
   * not one of this cluster's nodes: the caller stops it if it starts.
   */
  public io.vertx.core.Future<SwitchboardNode> startOfBuild(String build) {
    return startNode(Ports.free(), hz -> hz.getMemberAttributeConfig().setAttribute(io.switchboard.ClusterBuild.ATTRIBUTE, build));
  }

  /** Hazelcast configured to join this cluster's members (programs, foreign members). */
  public void joinThis(com.hazelcast.config.Config hz) {
    hz.setClusterName(name);
    hz.getNetworkConfig().setPort(hazelcastBase).setPortAutoIncrement(true);
    hz.getNetworkConfig().getJoin().getTcpIpConfig().setMembers(List.of("127.0.0.1"));
  }

  private io.vertx.core.Future<SwitchboardNode> startNode(int httpPort, java.util.function.Consumer<com.hazelcast.config.Config> more) {
    Map<String, Object> values = new HashMap<>();
    values.put("http.port", httpPort);
    values.put("http.host", "127.0.0.1");
    values.put("cluster.name", name);
    values.put("auth.jwtSecret", Tokens.SECRET);
    values.putAll(overrides);
    Config config = ConfigLoader.fromMap(values);
    return SwitchboardNode.start(config, hz -> {
      joinThis(hz);
      more.accept(hz);
    });
  }

  /**
   * A Vert.x program that joins this cluster as a Hazelcast lite member (it holds no data), the
   * way a bot or backend uses the event bus API.
   */
  public io.vertx.core.Vertx joinProgram() {
    com.hazelcast.config.Config hz = io.switchboard.ClusterSetup.hazelcast(ConfigLoader.fromMap(Map.of("cluster.name", name)));
    hz.setLiteMember(true);
    joinThis(hz);
    io.vertx.core.VertxOptions options = new io.vertx.core.VertxOptions();
    options.getEventBusOptions().setHost("127.0.0.1").setPort(0);
    io.vertx.core.Vertx program = Await.of(io.vertx.core.Vertx.builder().with(options)
        .withClusterManager(new io.vertx.spi.cluster.hazelcast.HazelcastClusterManager(hz)).buildClustered(), 60);
    programs.add(program);
    return program;
  }

  public SwitchboardNode node(int i) {
    return nodes.get(i);
  }

  public List<SwitchboardNode> nodes() {
    return nodes;
  }

  public int port(int i) {
    return nodes.get(i).port();
  }

  /** Removes a node without a goodbye, as if its process died. */
  public void kill(int i) {
    dead.add(nodes.get(i));
    nodes.get(i).kill();
  }

  @Override
  public void close() {
    for (io.vertx.core.Vertx program : programs) {
      try {
        Await.of(program.close(), 20);
      } catch (Exception e) {
        // the nodes still have to stop
      }
    }
    for (SwitchboardNode node : nodes) {
      if (dead.contains(node)) {
        continue;
      }
      try {
        Await.of(node.stop(), 20);
      } catch (Exception e) {
        // already gone (killed) or stuck: the next node still has to stop
      }
    }
  }
}
