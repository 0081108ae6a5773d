package io.switchboard.bench;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The load generator: one scenario against one server (Switchboard or the raw baseline), its
 * figures written as JSON for {@link Report}. Run by bench/run.sh, pinned to its own core.
 *
 * <pre>--scenario fanout|rooms|idle|publish --kind switchboard|baseline --ports 8080[,8081,…]
 * --pids 123[,…] --secret S --out results/x.json [--duration seconds-per-step] [scenario options]</pre>
 *
 * Every scenario ends by itself: a fixed list of rate steps of {@code --duration} seconds each
 * (default 5), stopped at the first step not sustained; idle is bounded by its connection count.
 */
public final class LoadGen {

  private LoadGen() {
  }

  public static void main(String[] argv) throws Exception {
    Args args = new Args(argv);
    Target target = new Target(args.string("kind", "switchboard"), args.integers("ports", "8080"),
        args.integers("pids", "0"));
    Jwt jwt = new Jwt(args.string("secret", "bench-secret-0123456789-0123456789-0123456789"));
    String scenario = args.string("scenario", "fanout");
    JsonObject result;
    try (Clients clients = new Clients()) {
      System.out.println(scenario + " against " + target.kind() + " on " + args.string("ports", "8080")
          + " (native transport: " + clients.nativeTransport() + ")");
      result = switch (scenario) {
        case "fanout" -> fanout(clients, target, jwt, args);
        case "rooms" -> rooms(clients, target, jwt, args);
        case "idle" -> idle(clients, target, jwt, args);
        case "publish" -> publish(clients, target, jwt, args);
        default -> throw new IllegalArgumentException("unknown scenario " + scenario);
      };
      result.put("scenario", scenario).put("kind", target.kind()).put("nodes", target.ports().length)
          .put("nativeTransport", clients.nativeTransport()).put("measuredAt", java.time.Instant.now().toString());
    }
    Path out = Path.of(args.string("out", "bench/results/" + scenario + "-" + target.kind() + ".json"));
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.writeString(out, result.encodePrettily());
    System.out.println("wrote " + out);
    System.exit(0);
  }

  /** {@code members} receivers in one room (spread over the nodes), one publisher, rate stepped up. */
  private static JsonObject fanout(Clients clients, Target target, Jwt jwt, Args args) {
    int members = args.integer("members", 1000);
    RateSteps steps = new RateSteps(clients, target);
    clients.open(members, 50, (client, i) ->
        Conn.open(client, target, target.port(i), jwt, "m" + i, List.of("fan"), steps.receiver));
    List<Conn> publisher = clients.open(1, 1, (client, i) ->
        Conn.open(client, target, target.port(0), jwt, "publisher", List.of("fan"), (c, t) -> { }));
    // 50 msg/s is the latency target's step; finer steps above it find the knee within 10 %
    JsonObject run = steps.run(publisher, args.integers("rates", "10,25,50,60,70,80,90,100,120,140,160,200"),
        args.integer("duration", 5), members);
    return run.put("members", members);
  }

  /** {@code rooms} rooms of {@code size}; {@code publishers} publishers, each writing into its share of the rooms. */
  private static JsonObject rooms(Clients clients, Target target, Jwt jwt, Args args) {
    int rooms = args.integer("rooms", 1000);
    int size = args.integer("size", 10);
    int publishers = args.integer("publishers", 100);
    RateSteps steps = new RateSteps(clients, target);
    clients.open(rooms * size, 100, (client, i) ->
        Conn.open(client, target, target.port(i), jwt, "r" + i, List.of("room-" + (i / size)), steps.receiver));
    int share = rooms / publishers;
    List<Conn> writers = clients.open(publishers, 20, (client, p) -> Conn.open(client, target, target.port(p), jwt,
        "w" + p, IntStream.range(p * share, (p + 1) * share).mapToObj(r -> "room-" + r).toList(), (c, t) -> { }));
    JsonObject run = steps.run(writers, args.integers("rates", "250,500,1000,2000,3000,4000,6000,8000,12000,16000"),
        args.integer("duration", 5), size);
    return run.put("rooms", rooms).put("size", size).put("publishers", publishers);
  }

  /**
   * Opens {@code connections}, then joins them to rooms of {@code size}, each phase timed apart:
   * connects per second (the upgrade, and for Switchboard the JWT check up to welcome), joins
   * per second, then heap and RSS per connection after a full GC. Warm-up rounds of the same
   * steps come first, and the measured round waits until both processes are quiet: with three
   * rounds, the JIT still compiled Switchboard's connect path through the measured one (its
   * server CPU per connect 410–455 µs against 153–162 µs after eight rounds, measured), and the
   * figure said more about the amount of code than about its speed. The generator's CPU per
   * connect is in the result: where it is near the wall time, the generator was the limit.
   */
  private static JsonObject idle(Clients clients, Target target, Jwt jwt, Args args) {
    int n = args.integer("connections", 10_000);
    int size = args.integer("size", 10);
    int concurrency = args.integer("concurrency", 64);
    int pid = target.pids()[0];
    int warmup = args.integer("warmup", n);
    int rounds = args.integer("warmupRounds", 8);
    int[] own = {(int) ProcessHandle.current().pid()};
    for (int round = 0; round < rounds && warmup > 0; round++) {
      // the measured round's very steps (the JIT compiles what runs, in the shape it runs),
      // then every connection closed again
      List<Conn> warm = connectAll(clients, target, jwt, warmup, concurrency, "w");
      joinAll(clients, warm, concurrency, size, "warm-");
      Clients.await(Future.all(warm.stream().map(Conn::close).toList()), 120);
      clients.all.removeAll(warm);
      RateSteps.sleep(3000); // the server's clean-up of the closed connections
    }
    // Switchboard keeps what the warm-up's closes left (a user's leave stamp, an empty room) until
    // its reconciliation rounds clear it: one round (15 s) and two. Measured before they did,
    // the heap per connection moved by 0.7 KiB with where a round fell in the run.
    RateSteps.sleep(args.integer("cleanupWait", 35) * 1000L);
    // the JIT of both processes done with what the warm-up made hot, or it is in the figures
    int settled = ServerProbe.awaitQuiet(target.pids(), args.integer("settle", 120))
        + ServerProbe.awaitQuiet(own, args.integer("settle", 120));
    long heap0 = ServerProbe.heapAfterGc(pid);
    long rss0 = ServerProbe.rssBytes(pid);
    System.out.println("  measured connects start"); // a mark for a profiler to start on
    // seconds: a profiler's start (jcmd attaches in about a second) must not eat the connects
    RateSteps.sleep(args.integer("startPause", 0) * 1000L);
    double cpu0 = ServerProbe.cpuSeconds(target.pids());
    ServerProbe.Threads threads0 = ServerProbe.threads(pid);
    double own0 = ServerProbe.cpuSeconds(own);
    long start = System.nanoTime();
    List<Conn> conns = connectAll(clients, target, jwt, n, concurrency, "i");
    double connectSeconds = (System.nanoTime() - start) / 1e9;
    double cpu1 = ServerProbe.cpuSeconds(target.pids());
    ServerProbe.Threads threads1 = ServerProbe.threads(pid);
    double own1 = ServerProbe.cpuSeconds(own);
    JsonObject connectRoles = ServerProbe.roleDelta(threads0, threads1, n);
    int pause = args.integer("joinPause", 0); // seconds: keeps a profile of the connects free of joins
    if (pause > 0) {
      RateSteps.sleep(pause * 1000L);
      cpu1 = ServerProbe.cpuSeconds(target.pids());
      threads1 = ServerProbe.threads(pid);
    }
    start = System.nanoTime();
    joinAll(clients, conns, concurrency, size, "idle-");
    double joinSeconds = (System.nanoTime() - start) / 1e9;
    double cpu2 = ServerProbe.cpuSeconds(target.pids());
    JsonObject joinRoles = ServerProbe.roleDelta(threads1, ServerProbe.threads(pid), n);
    RateSteps.sleep(2000);
    long heap1 = ServerProbe.heapAfterGc(pid);
    long rss1 = ServerProbe.rssBytes(pid);
    JsonObject result = new JsonObject().put("connections", n).put("size", size).put("concurrency", concurrency)
        .put("warmupConnections", warmup).put("warmupRounds", rounds).put("settleSeconds", settled)
        .put("connectSeconds", RateSteps.round(connectSeconds, 3)).put("connectsPerSecond", Math.round(n / connectSeconds))
        .put("serverCpuMicrosPerConnect", RateSteps.round((cpu1 - cpu0) * 1e6 / n, 1))
        .put("loadGenCpuMicrosPerConnect", RateSteps.round((own1 - own0) * 1e6 / n, 1))
        .put("joinSeconds", RateSteps.round(joinSeconds, 3)).put("joinsPerSecond", Math.round(n / joinSeconds))
        .put("serverCpuMicrosPerJoin", RateSteps.round((cpu2 - cpu1) * 1e6 / n, 1))
        .put("serverCpuMicrosPerConnectByThread", connectRoles).put("serverCpuMicrosPerJoinByThread", joinRoles)
        .put("heapBeforeBytes", heap0).put("heapAfterBytes", heap1)
        .put("heapBytesPerConnection", (heap1 - heap0) / n)
        .put("rssBeforeBytes", rss0).put("rssAfterBytes", rss1).put("rssBytesPerConnection", (rss1 - rss0) / n)
        .put("histogram", new JsonArray(ServerProbe.histogram(pid, Integer.getInteger("histogram.lines", 25))));
    System.out.println("  " + result.copy().put("histogram", "…").encode());
    return result;
  }

  /**
   * Opens {@code n} connections of users {@code prefix}0…; their tokens are signed first, since
   * the generator's own signing would otherwise count against the server's connect rate.
   */
  private static List<Conn> connectAll(Clients clients, Target target, Jwt jwt, int n, int concurrency, String prefix) {
    if (target.switchboard()) {
      jwt.signAhead(java.util.stream.IntStream.range(0, n).mapToObj(i -> prefix + i).toList());
    }
    return clients.open(n, concurrency, (client, i) ->
        Conn.connect(client, target, target.port(i), jwt, prefix + i, (c, t) -> { }));
  }

  /** Joins the connections to rooms of {@code size}, named {@code prefix}0…. */
  private static void joinAll(Clients clients, List<Conn> conns, int concurrency, int size, String prefix) {
    clients.open(conns.size(), concurrency, (client, i) -> conns.get(i).join(List.of(prefix + (i / size))));
  }

  /**
   * One publishing connection per room, {@code rooms} rooms; the total publish rate stepped up
   * open-loop, each publish timed to its ack: acks per second and p99 publish→ack per step.
   */
  private static JsonObject publish(Clients clients, Target target, Jwt jwt, Args args) {
    int rooms = args.integer("rooms", 100);
    AckSteps steps = new AckSteps(clients, target, args.integer("timeline", 0) == 1);
    List<Conn> conns = clients.open(rooms, 20, (client, i) ->
        Conn.open(client, target, target.port(i), jwt, "p" + i, List.of("pub-" + i), steps.onReply));
    JsonObject run = steps.run(conns,
        args.integers("rates", "500,1000,2000,3000,4000,6000,8000,12000,16000,20000,25000,30000"),
        args.integer("duration", 5),
        args.integer("warmupRate", 2000), args.integer("warmup", 30));
    return run.put("rooms", rooms);
  }
}
