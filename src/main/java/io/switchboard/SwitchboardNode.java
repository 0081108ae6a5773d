package io.switchboard;

import com.hazelcast.core.HazelcastInstance;
import io.switchboard.api.HttpRoutes;
import io.switchboard.auth.Grants;
import io.switchboard.auth.SharedSecret;
import io.switchboard.auth.TokenVerifier;
import io.switchboard.config.Config;
import io.switchboard.gateway.GatewayVerticle;
import io.switchboard.presence.NodeIds;
import io.switchboard.presence.UserDirectory;
import io.switchboard.room.NodeRouter;
import io.switchboard.room.RoomStore;
import io.switchboard.room.RoomService;
import io.switchboard.room.RoomVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.switchboard.ops.NodeMetrics;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running Switchboard node: a clustered Vert.x with its Hazelcast member, the room verticle
 * and one gateway verticle per event loop. {@link Main} starts one; tests start several.
 */
public final class SwitchboardNode {

  private static final Logger LOG = LoggerFactory.getLogger(SwitchboardNode.class);

  private final Vertx vertx;
  private final HazelcastInstance hazelcast;
  private final NodeServices services;
  private final List<GatewayVerticle> gateways;
  private final String roomDeployment;
  private final String gatewayDeployment;
  /** Set when this node stops (or is killed) its member itself: a shutdown then is no loss. */
  private volatile boolean stopping;
  private final Promise<Void> lost = Promise.promise();

  private SwitchboardNode(Vertx vertx, HazelcastInstance hazelcast, NodeServices services,
                          List<GatewayVerticle> gateways, String roomDeployment, String gatewayDeployment) {
    this.vertx = vertx;
    this.hazelcast = hazelcast;
    this.services = services;
    this.gateways = gateways;
    this.roomDeployment = roomDeployment;
    this.gatewayDeployment = gatewayDeployment;
  }

  public static Future<SwitchboardNode> start(Config config) {
    return start(config, hz -> { });
  }

  /** {@code tweak} may adjust the Hazelcast configuration (tests give each cluster its own ports). */
  public static Future<SwitchboardNode> start(Config config, Consumer<com.hazelcast.config.Config> tweak) {
    com.hazelcast.config.Config hzConfig = ClusterSetup.hazelcast(config);
    String nodeId = NodeIds.random();
    hzConfig.getMemberAttributeConfig().setAttribute(NodeIds.ATTRIBUTE, nodeId);
    // the member joins holding no data, and takes its share only if the cluster runs this build
    ClusterBuild build = new ClusterBuild();
    hzConfig.getMemberAttributeConfig().setAttribute(ClusterBuild.ATTRIBUTE, ClusterBuild.id());
    hzConfig.setLiteMember(true).addListenerConfig(new com.hazelcast.config.ListenerConfig(build));
    tweak.accept(hzConfig);
    if (config.auth().devLogin() && (!config.auth().jwtSecret().isEmpty() || !config.auth().publicKey().isEmpty()
        || !isLoopback(config.http().host()))) {
      // a signing key or a public address says production, and the Docker recipe leaves
      // development login at its default
      LOG.warn("auth.devLogin is on and this node listens on {}: anyone who reaches it can get a token for any user, "
          + "admin included. Set SWITCHBOARD_AUTH_DEV_LOGIN=false outside development.", config.http().host());
    }
    HazelcastClusterManager clusterManager = new HazelcastClusterManager(hzConfig);
    NodeMetrics metrics = new NodeMetrics();
    VertxOptions options = new VertxOptions().setPreferNativeTransport(true)
        // Vert.x's HTTP and TCP server metrics record bytes per WebSocket frame: 3-4 µs of CPU per
        // delivery in bench/'s fanout (about 20 %); the node counts its own connections and bytes
        .setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true).setJvmMetricsEnabled(true)
            .addDisabledMetricsCategory(MetricsDomain.HTTP_SERVER).addDisabledMetricsCategory(MetricsDomain.NET_SERVER)
            .setRegistryName(nodeId).setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true)));
    options.getEventBusOptions().setHost(config.cluster().host()).setPort(0);
    return Vertx.builder().with(options).withClusterManager(clusterManager)
        .withMetrics(new MicrometerMetricsFactory(metrics.registry())).buildClustered()
        // a member that refused the cluster stayed lite (it holds nothing): it leaves, and says why
        .recover(e -> {
          if (build.refusal() == null) {
            return Future.failedFuture(e);
          }
          // off the caller's thread: the member's shutdown blocks
          return Future.fromCompletionStage(CompletableFuture.runAsync(build::leave))
              .transform(left -> Future.failedFuture(new IllegalStateException(build.refusal(), e)));
        })
        .compose(vertx -> (build.refusal() != null ? Future.<SwitchboardNode>failedFuture(new IllegalStateException(build.refusal()))
                : deploy(vertx, clusterManager.getHazelcastInstance(), nodeId, config, options, metrics))
            .recover(e -> vertx.close().transform(ignored -> Future.failedFuture(e))));
  }

  /**
   * Vert.x 5.1's clustered event bus completes a send's promise twice when the member's
   * connection is gone (OutboundConnection): a send that fails as it should, not a failure of ours.
   */
  static boolean sendToALeftMember(Throwable e) {
    if (!(e instanceof IllegalStateException) || !"Promise already completed".equals(e.getMessage())) {
      return false;
    }
    for (StackTraceElement frame : e.getStackTrace()) {
      if (frame.getClassName().equals("io.vertx.core.eventbus.impl.clustered.OutboundConnection")) {
        return true;
      }
    }
    return false;
  }

  /**
   * Why nodes on other hosts could not reach this node's event bus, or null: it gives other nodes
   * {@code cluster.host} as its address, and a loopback or wildcard address there names each
   * of them itself, while its Hazelcast member (cluster.xml) is reachable from elsewhere. The
   * cluster forms, /ready says 200, and messages between nodes come only through the logs' reads.
   */
  static String unreachableBus(String busHost, java.net.InetAddress member) {
    if (member == null || member.isLoopbackAddress()) {
      return null; // one host: every node's loopback is the same
    }
    java.net.InetAddress bus;
    try {
      bus = java.net.InetAddress.getByName(busHost);
    } catch (java.net.UnknownHostException e) {
      return null; // StartChecks refused it already
    }
    if (!bus.isLoopbackAddress() && !bus.isAnyLocalAddress()) {
      return null;
    }
    return "cluster.host is " + busHost + ", which nodes on other hosts cannot reach, while its Hazelcast member is at "
        + member.getHostAddress() + ": they will not deliver to this node live; set SWITCHBOARD_CLUSTER_HOST to "
        + member.getHostAddress();
  }

  private static Future<SwitchboardNode> deploy(Vertx vertx, HazelcastInstance hazelcast, String nodeId,
                                                Config config, VertxOptions options, NodeMetrics metrics) {
    LOG.info("node {}: {} transport", nodeId, vertx.isNativeTransportEnabled() ? "native epoll" : "NIO");
    String unreachable = unreachableBus(config.cluster().host(),
        hazelcast.getCluster().getLocalMember().getSocketAddress().getAddress());
    if (unreachable != null) {
      LOG.warn("node {}: {}", nodeId, unreachable);
    }
    // a handler or callback that throws: Vert.x's own line says neither node nor what it did
    io.switchboard.ops.ThrottledLog unhandled = new io.switchboard.ops.ThrottledLog(LOG);
    vertx.exceptionHandler(e -> {
      if (sendToALeftMember(e)) {
        LOG.debug("node {}: a send to a member that left: {}", nodeId, e.toString());
      } else {
        unhandled.error("node {}: unhandled failure on {}", nodeId, Thread.currentThread().getName(), e);
      }
    });
    UserDirectory users = new UserDirectory(vertx, hazelcast);
    // read by the rooms' appends on this member's partition threads (RoomAppend)
    io.switchboard.ops.MemoryGuard memory = io.switchboard.ops.MemoryGuard.start(config.history().maxHeapPercent());
    io.switchboard.ops.MemoryReturn.enable();
    hazelcast.getUserContext().put(io.switchboard.ops.MemoryGuard.KEY, memory);
    hazelcast.getLifecycleService().addLifecycleListener(event -> {
      if (event.getState() == com.hazelcast.core.LifecycleEvent.LifecycleState.SHUTDOWN) {
        memory.close();
      } else if (event.getState() == com.hazelcast.core.LifecycleEvent.LifecycleState.MERGED) {
        // this side of a split brain took the other's data: rooms written on both sides have new
        // epochs, and their clients are told to join again (RoomMerge)
        LOG.warn("node {}: a split brain healed; this member merged into the other side's cluster, whose rooms,"
            + " presence and counts it now serves", nodeId);
      }
    });
    metrics.gauge("switchboard.memory.low", "1 while the rooms kept on this node refuse new messages (history.maxHeapPercent)",
        () -> memory.isLow() ? 1 : 0);
    // a room is seen idle this long before it goes: its members' clients may still be coming back
    // from a node that died (RoomOps.Purge took them out at once)
    RoomStore rooms = new RoomStore(vertx, hazelcast, config.history(),
        config.heartbeat().timeout() + config.heartbeat().interval() + config.presence().leaveGrace(),
        config.presence().reconcileInterval());
    NodeRouter router = new NodeRouter();
    return SharedSecret.obtain(vertx, hazelcast, config.auth().jwtSecret(), acceptsHs256(config.auth())).compose(secret -> {
      RoomService roomService = new RoomService(vertx, hazelcast, rooms, users, router, metrics, nodeId, config.limits());
      NodeServices services = new NodeServices(config, nodeId,
          new TokenVerifier(vertx, secret, config.auth().publicKey(), config.auth().issuer(), config.auth().audience(),
              acceptsHs256(config.auth())),
          new Grants(config.metrics().isPublic()),
          router, users, roomService, new AtomicInteger(), new AtomicBoolean(false), new AtomicBoolean(false), metrics,
          new io.switchboard.gateway.KeyedBuckets(), new io.switchboard.gateway.SpentLimits(config.limits().maxConnectionsPerUser()),
          io.switchboard.gateway.ReadBytes.of(config.limits(), io.switchboard.ops.Clocks.monotonicMillis()));
      metrics.gauge("switchboard.connections", "open WebSocket connections on this node", services.connections()::get);
      metrics.gauge("switchboard.rooms", "rooms with members on this node (system rooms left out)", router::userRooms);
      // a count that only grows: a counter (switchboard_fanout_dropped_total), so that rate() reads it
      io.micrometer.core.instrument.FunctionCounter.builder("switchboard.fanout.dropped", router, NodeRouter::dropped)
          .description("room and private messages not handed to an event loop that had too many waiting (read back from"
              + " the log)")
          .register(metrics.meters());
      metrics.gauge("switchboard.rooms.stored", "rooms and conversations the cluster holds, at the last count (history.maxRooms)",
          rooms::stored);
      metrics.gauge("switchboard.rooms.refusing", "1 while this node makes no new room or conversation (history.maxRooms)",
          () -> rooms.full() ? 1 : 0);
      io.micrometer.core.instrument.FunctionCounter.builder("switchboard.rooms.expired", rooms, RoomStore::expired)
          .description("rooms and conversations nobody was in removed past history.retention (by this node)")
          .register(metrics.meters());
      io.micrometer.core.instrument.FunctionCounter.builder("switchboard.rooms.evicted", rooms, RoomStore::evicted)
          .description("rooms and conversations nobody was in removed to make way at history.maxRooms (by this node)")
          .register(metrics.meters());
      // a program that joins as a lite member (ExamplePublisher) is no node
      metrics.gauge("switchboard.cluster.members", "Switchboard nodes in the cluster (Hazelcast data members)",
          () -> NodeIds.serving(hazelcast.getCluster()));
      List<GatewayVerticle> gateways = new CopyOnWriteArrayList<>();
      var apiBuckets = new io.switchboard.gateway.KeyedBuckets();
      var stops = new io.switchboard.gateway.StopTogether(options.getEventLoopPoolSize());
      return vertx.deployVerticle(new RoomVerticle(hazelcast, rooms, roomService, services))
          .compose(roomId -> vertx.deployVerticle(() -> {
                GatewayVerticle g = new GatewayVerticle(services, v -> HttpRoutes.router(v, services, apiBuckets), stops);
                gateways.add(g);
                return g;
              }, new DeploymentOptions().setInstances(options.getEventLoopPoolSize()))
              .map(gatewayId -> {
                SwitchboardNode node = new SwitchboardNode(vertx, hazelcast, services, gateways, roomId, gatewayId);
                // a member that Hazelcast shut down (it lost the cluster for good) serves nothing
                // but "unavailable": load balancers must stop sending clients here, and a member
                // that went without the node stopping it never comes back (Main then exits)
                hazelcast.getLifecycleService().addLifecycleListener(event -> {
                  if (event.getState() == com.hazelcast.core.LifecycleEvent.LifecycleState.SHUTTING_DOWN
                      || event.getState() == com.hazelcast.core.LifecycleEvent.LifecycleState.SHUTDOWN) {
                    // lost first, then not ready: a readiness poll answering meanwhile sees the loss
                    if (!node.stopping && !services.memberLost().getAndSet(true)) {
                      LOG.error("node {}: its Hazelcast member shut down; it can no longer serve", nodeId);
                      node.lost.tryComplete();
                    }
                    services.ready().set(false);
                  }
                });
                // after the listener: a member that went before it would leave the node ready for
                // good; one that went before it was added is lost all the same (Main then exits),
                // or the node answered 503 for good and never exited
                if (hazelcast.getLifecycleService().isRunning()) {
                  node.readyOnceSafe();
                } else if (!services.memberLost().getAndSet(true)) {
                  LOG.error("node {}: its Hazelcast member shut down while the node started; it can no longer serve", nodeId);
                  node.lost.tryComplete();
                }
                LOG.info("node {} ready on {}://{}:{} (cluster '{}', {} members)", nodeId,
                    config.http().tls() ? "https" : "http", config.http().host(),
                    node.port(), config.cluster().name(), hazelcast.getCluster().getMembers().size());
                return node;
              }));
    });
  }

  /** Completes when the Hazelcast member shut down without this node stopping it. */
  public Future<Void> lost() {
    return lost.future();
  }

  public int port() {
    return gateways.get(0).port();
  }

  public String nodeId() {
    return services.nodeId();
  }

  public Vertx vertx() {
    return vertx;
  }

  public HazelcastInstance hazelcast() {
    return hazelcast;
  }

  public NodeServices services() {
    return services;
  }

  /** How long a node that joined waits for the cluster's data to have its backups before it says ready anyway. */
  static final long SAFE_WAIT_MS = 60_000;

  /** Ready at once when alone in the cluster; else once its data has its backups ({@link ReadyOnceSafe}). */
  private void readyOnceSafe() {
    if (NodeIds.serving(hazelcast.getCluster()) <= 1) {
      services.ready().set(true);
      return;
    }
    java.util.function.BooleanSupplier wanted = () -> !stopping && !services.memberLost().get();
    new ReadyOnceSafe(vertx, services.nodeId(), () -> hazelcast.getPartitionService().isClusterSafe(), wanted, () -> {
      services.ready().set(true);
      if (!wanted.getAsBoolean()) {
        services.ready().set(false); // the stop (or the member's loss) came as the poll answered
      }
    }, SAFE_WAIT_MS, 250).start();
  }

  /**
   * Clean shutdown: not ready, sockets closed with 1001 and their presence removed, then the
   * Hazelcast member leaves.
   */
  public Future<Void> stop() {
    stopping = true;
    services.ready().set(false);
    CompletableFuture<Void> done = new CompletableFuture<>();
    long drain = services.config().http().drainDelay();
    // /ready answers 503 for drainDelay first, so that load balancers stop sending new clients
    (drain > 0 ? vertx.timer(drain).<Void>mapEmpty() : Future.<Void>succeededFuture())
        .transform(ignored -> vertx.undeploy(gatewayDeployment)
            .onFailure(e -> LOG.warn("shutdown: closing the sockets failed ({}); going on", e.toString())))
        .transform(ignored -> vertx.undeploy(roomDeployment)
            .onFailure(e -> LOG.warn("shutdown: stopping the room service failed ({}); going on", e.toString())))
        .onComplete(ignored -> closeOffContext(done));
    return Future.fromCompletionStage(done);
  }

  /**
   * Closes Vert.x (and with it the Hazelcast member) from a plain thread: a future created on
   * one of this Vert.x's own event loops would never report back once those loops are gone.
   */
  private void closeOffContext(CompletableFuture<Void> done) {
    ForkJoinPool.commonPool().execute(() -> vertx.close().onComplete(ar -> {
      if (ar.failed()) {
        // the others see a member that went without leaving: they clean up after it as after a death
        LOG.warn("shutdown: the cluster member did not leave cleanly ({})", ar.cause().toString());
      }
      done.complete(null);
    }));
  }

  /** Stops the member without a goodbye (tests: a node that dies); completes once its port is free. */
  public Future<Void> kill() {
    stopping = true;
    hazelcast.getLifecycleService().terminate();
    CompletableFuture<Void> done = new CompletableFuture<>();
    closeOffContext(done);
    return Future.fromCompletionStage(done);
  }

  /**
   * Whether HS256 tokens are accepted: unless every token comes from an identity provider (a
   * public key, no {@code auth.jwtSecret}, no development login), whose node's HS256 secret is a
   * random one that any member joining the cluster can read from its map.
   */
  static boolean acceptsHs256(io.switchboard.config.Config.Auth auth) {
    return auth.publicKey().isBlank() || !auth.jwtSecret().isEmpty() || auth.devLogin();
  }

  private static boolean isLoopback(String host) {
    return host.equals("localhost") || host.startsWith("127.") || host.equals("::1") || host.equals("[::1]");
  }
}
