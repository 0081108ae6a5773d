package io.switchboard.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.IntStream;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The load generator: one scenario against one server (Switchboard or the raw baseline), its
 * figures written as JSON for {@link Report}. Run by bench/run.sh, pinned to its own core.
 *
 * <pre>--scenario fanout|rooms|idle|publish --kind switchboard|baseline --ports 8080[,8081,…]
 * --pids 123[,…] --secret S --out results/x.json [scenario options]</pre>
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
          .put("nativeTransport", clients.nativeTransport());
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
    JsonObject run = steps.run(publisher, args.integers("rates", "10,25,50,100,200,400,800,1600"),
        args.integer("step", 5), members);
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
    JsonObject run = steps.run(writers, args.integers("rates", "250,500,1000,2000,4000,8000,16000"),
        args.integer("step", 5), size);
    return run.put("rooms", rooms).put("size", size).put("publishers", publishers);
  }

  /** Opens {@code connections} in rooms of {@code size}: connects per second, then memory per connection after GC. */
  private static JsonObject idle(Clients clients, Target target, Jwt jwt, Args args) {
    int n = args.integer("connections", 10_000);
    int size = args.integer("size", 10);
    int pid = target.pids()[0];
    long heap0 = ServerProbe.heapAfterGc(pid);
    long rss0 = ServerProbe.rssBytes(pid);
    long start = System.nanoTime();
    clients.open(n, args.integer("concurrency", 64), (client, i) ->
        Conn.open(client, target, target.port(i), jwt, "i" + i, List.of("idle-" + (i / size)), (c, t) -> { }));
    double seconds = (System.nanoTime() - start) / 1e9;
    RateSteps.sleep(2000);
    long heap1 = ServerProbe.heapAfterGc(pid);
    long rss1 = ServerProbe.rssBytes(pid);
    JsonObject result = new JsonObject().put("connections", n).put("size", size)
        .put("connectSeconds", RateSteps.round(seconds, 3)).put("connectsPerSecond", Math.round(n / seconds))
        .put("heapBeforeBytes", heap0).put("heapAfterBytes", heap1)
        .put("heapBytesPerConnection", (heap1 - heap0) / n)
        .put("rssBeforeBytes", rss0).put("rssAfterBytes", rss1).put("rssBytesPerConnection", (rss1 - rss0) / n)
        .put("histogram", new JsonArray(ServerProbe.histogram(pid, 25)));
    System.out.println("  " + result.copy().put("histogram", "…").encode());
    return result;
  }

  /** One connection per room, each keeping {@code window} publishes in flight: acks per second and publish→ack latency. */
  private static JsonObject publish(Clients clients, Target target, Jwt jwt, Args args) {
    int rooms = args.integer("rooms", 100);
    int window = args.integer("window", 4);
    int seconds = args.integer("seconds", 10);
    Recorder latency = new Recorder(3);
    LongAdder acks = new LongAdder();
    AtomicBoolean running = new AtomicBoolean(true);
    // Switchboard answers with ack; the baseline echoes the frame to its sender, the only member
    Conn.Listener onReply = (conn, text) -> {
      boolean reply = target.switchboard() ? Stamp.isAck(text) : Stamp.of(text) > 0;
      if (reply && !conn.inFlight.isEmpty()) {
        latency.recordValue(Math.max(1, (System.nanoTime() - conn.inFlight.pollFirst()) / 1000));
        acks.increment();
        if (running.get()) {
          conn.publish(true);
        }
      }
    };
    List<Conn> conns = clients.open(rooms, 20, (client, i) ->
        Conn.open(client, target, target.port(i), jwt, "p" + i, List.of("pub-" + i), onReply));
    double cpu0 = ServerProbe.cpuSeconds(target.pids());
    clients.vertx.runOnContext(v -> conns.forEach(c -> IntStream.range(0, window).forEach(k -> c.publish(true))));
    RateSteps.sleep(2000); // warm-up
    latency.reset();
    acks.reset();
    double cpuStart = ServerProbe.cpuSeconds(target.pids());
    RateSteps.sleep(seconds * 1000L);
    long count = acks.sum();
    Histogram h = latency.getIntervalHistogram();
    double cpu = ServerProbe.cpuSeconds(target.pids()) - cpuStart;
    running.set(false);
    JsonObject result = new JsonObject().put("rooms", rooms).put("window", window).put("seconds", seconds)
        .put("acksPerSecond", count / seconds).put("p50Micros", h.getValueAtPercentile(50))
        .put("p99Micros", h.getValueAtPercentile(99)).put("maxMicros", h.getMaxValue())
        .put("serverCpuMicrosPerPublish", count == 0 ? null : RateSteps.round(cpu * 1e6 / count, 2))
        .put("warmupCpuSeconds", RateSteps.round(cpuStart - cpu0, 2));
    System.out.println("  " + result.encode());
    return result;
  }
}
