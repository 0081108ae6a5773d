package io.switchboard.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads the scenario results in bench/results/ and writes results.md: the targets with the
 * measured ratios (met or missed, by how much), each scenario's figures, and the charts.
 */
public final class Report {

  private final Path dir;
  private final StringBuilder md = new StringBuilder();

  private Report(Path dir) {
    this.dir = dir;
  }

  public static void main(String[] args) throws IOException {
    Report report = new Report(Path.of(args[0]));
    report.write();
    System.out.println("wrote " + report.dir.resolve("results.md"));
  }

  private JsonObject load(String name) {
    try {
      Path file = dir.resolve(name + ".json");
      return Files.exists(file) ? new JsonObject(Files.readString(file)) : null;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private void write() throws IOException {
    JsonObject fanB = load("fanout-baseline");
    JsonObject fanS = load("fanout-switchboard");
    JsonObject roomsB = load("rooms-baseline");
    JsonObject roomsS = load("rooms-switchboard");
    JsonObject idleB = load("idle-baseline");
    JsonObject idleS = load("idle-switchboard");
    JsonObject pubB = load("publish-baseline");
    JsonObject pubS = load("publish-switchboard");
    JsonObject one = load("cluster-1-node");
    JsonObject three = load("cluster-3-nodes");

    md.append("# Benchmark results\n\n")
        .append("Switchboard against the raw Vert.x baseline (bench/src/…/BaselineServer.java), same machine, each ")
        .append("scenario's two servers in the same run; ")
        .append("server on cpu ").append(env("SERVER_CPU", "0")).append(", load generator on cpu ").append(env("LOAD_CPU", "1"))
        .append(" (taskset). Written by `bench/run.sh`; ").append(Runtime.getRuntime().availableProcessors())
        .append(" cores seen by the report, Java ").append(System.getProperty("java.version")).append(".\n\n");
    when(fanB, "fanout");
    when(roomsB, "rooms");
    when(idleB, "idle");
    when(pubB, "publish");
    when(three, "cluster");
    md.append('\n');

    md.append("## Targets\n\n| target | goal | Switchboard | baseline | ratio | met? |\n|---|---|---|---|---|---|\n");
    if (fanS != null && fanB != null) {
      highest("fan-out: highest sustained deliveries/s", "≥ 1.0× baseline", fanS, fanB, "", "", 1.0);
      long sp = p99At(fanS, 50);
      long bp = p99At(fanB, 50);
      if (sp < 0 || bp < 0) {
        // a run that stopped below 50 msg/s has no such step: a ratio with -1 in it read "yes"
        md.append(row("p99 publish→delivery at 50 msg/s into 1000", "≤ 1.2× baseline", sp < 0 ? "no 50 msg/s step" : ms(sp),
            bp < 0 ? "no 50 msg/s step" : ms(bp), "–", sp < 0 ? "no: not sustained up to 50 msg/s" : "not measured")).append('\n');
      } else {
        target("p99 publish→delivery at 50 msg/s into 1000", "≤ 1.2× baseline", ms(sp), ms(bp), ratio(sp, bp), 1.2, false);
      }
    }
    if (idleS != null && idleB != null) {
      long s = idleS.getLong("heapBytesPerConnection");
      long b = idleB.getLong("heapBytesPerConnection");
      md.append(row("idle heap per connection after GC", "≤ 10 KiB", kib(s), kib(b), "–",
          s <= 10 * 1024 ? "yes" : "no: " + pct(s, 10 * 1024) + " over")).append('\n');
      long sc = idleS.getLong("connectsPerSecond");
      long bc = idleB.getLong("connectsPerSecond");
      target("connects per second (Switchboard checks a JWT, the baseline nothing)", "≥ 1.0× baseline", fmt(sc) + generatorBound(idleS),
          fmt(bc) + generatorBound(idleB), ratio(sc, bc), 1.0, true);
      // what one core of server could connect: the figure above is the generator's where it was the limit
      double su = idleS.getDouble("serverCpuMicrosPerConnect");
      double bu = idleB.getDouble("serverCpuMicrosPerConnect");
      target("connects one server core can take (10⁶ / server CPU µs per connect)", "≥ 1.0× baseline",
          fmt(Math.round(1e6 / su)) + " (" + su + " µs)", fmt(Math.round(1e6 / bu)) + " (" + bu + " µs)", bu / su, 1.0, true);
    }
    if (one != null && three != null) {
      highest("cluster: 3 nodes against 1 node (fan-out)", "≥ 2.5×", three, one, " (3 nodes)", " (1 node)", 2.5);
      projection(one, three);
    }
    if (pubS != null) {
      // the goal's rate itself: a higher step that happened to stay under 10 ms does not make up
      // for a 20 000/s step that did not (run-to-run noise moves single steps either way)
      long acks = pubS.getLong("bestAcksPerSecondWithinGoal");
      long best = pubS.getLong("bestSustainedAcksPerSecond");
      JsonObject atGoal = stepAt(pubS, 20_000);
      long p99AtGoal = atGoal == null ? -1 : atGoal.getLong("p99Micros");
      boolean met = atGoal != null && atGoal.getBoolean("sustained", false) && p99AtGoal >= 0 && p99AtGoal <= 10_000;
      String verdict = met ? "yes" : atGoal == null ? "no: no 20,000/s step"
          : "no: p99 " + ms(p99AtGoal) + " at 20,000/s";
      md.append(row("acknowledged publishes/s with p99 ack ≤ 10 ms, 100 rooms, one node", "≥ 20,000/s",
          (atGoal == null ? "" : "at 20,000/s: p99 " + ms(p99AtGoal) + "; ") + "p99 ≤ 10 ms up to "
              + fmt(acks) + "/s (p99 " + ms(pubS.getLong("p99MicrosAtBestWithinGoal")) + "); at most " + fmt(best)
              + "/s with p99 ≤ 1 s",
          pubB == null ? "–" : fmt(pubB.getLong("bestAcksPerSecondWithinGoal")) + "/s (relay to sender)",
          "–", verdict)).append('\n');
    }

    if (fanS != null || fanB != null) {
      md.append("\n## fanout: 1000 members in one room, one publisher\n\n");
      steps("baseline", fanB);
      steps("Switchboard", fanS);
      Charts.fanout(dir, List.of(named("baseline", fanB), named("Switchboard, 1 node", fanS), named("Switchboard, 3 nodes", three)));
      md.append("![p99 latency per rate](fanout-latency.png)\n\n![deliveries per second per rate](fanout-throughput.png)\n");
    }
    if (one != null || three != null) {
      md.append("\n## cluster: the fanout scenario, members spread over three nodes, against one node\n\n");
      steps("Switchboard, 1 node", one);
      steps("Switchboard, 3 nodes", three);
    }
    if (roomsS != null || roomsB != null) {
      md.append("\n## rooms: 1000 rooms of 10, 100 publishers\n\n");
      steps("baseline", roomsB);
      steps("Switchboard", roomsS);
    }
    if (idleS != null || idleB != null) {
      md.append("\n## idle: 10 000 connections in rooms of 10\n\nConnects are timed apart from joins: a connect is the ")
          .append("upgrade (for Switchboard with the JWT checked, up to `welcome`); then every connection joins its room.\n\n")
          .append("| server | connects/s | server CPU/connect | generator CPU/connect | joins/s | server CPU/join | heap/connection | RSS/connection |\n")
          .append("|---|---|---|---|---|---|---|---|\n");
      for (JsonObject r : new JsonObject[] {idleB, idleS}) {
        if (r != null) {
          md.append(row(r.getString("kind"), fmt(r.getLong("connectsPerSecond")), r.getValue("serverCpuMicrosPerConnect") + " µs",
              r.getValue("loadGenCpuMicrosPerConnect", "–") + " µs",
              fmt(r.getLong("joinsPerSecond")), r.getValue("serverCpuMicrosPerJoin") + " µs",
              kib(r.getLong("heapBytesPerConnection")), kib(r.getLong("rssBytesPerConnection")))).append('\n');
        }
      }
      md.append("\nServer CPU per connect and per join by thread (µs; `exited`: threads that ended in the phase). ")
          .append("The event loops' share is the connect's own work; the compiler's moves with when the JIT runs.\n\n")
          .append("| server | phase | event loops | Hazelcast | JIT | GC | other | exited |\n|---|---|---|---|---|---|---|---|\n");
      for (JsonObject r : new JsonObject[] {idleB, idleS}) {
        for (String phase : new String[] {"Connect", "Join"}) {
          JsonObject t = r == null ? null : r.getJsonObject("serverCpuMicrosPer" + phase + "ByThread");
          if (t != null) {
            md.append(row(r.getString("kind"), phase.toLowerCase(), "" + t.getValue("loops"), "" + t.getValue("hazelcast"),
                "" + t.getValue("jit"), "" + t.getValue("gc"), "" + t.getValue("other"), "" + t.getValue("exited"))).append('\n');
          }
        }
      }
      for (JsonObject r : new JsonObject[] {idleB, idleS}) {
        if (r != null) {
          md.append("\nHeap histogram, ").append(r.getString("kind")).append(" (after GC, 10 000 connections):\n\n```\n");
          r.getJsonArray("histogram").forEach(line -> md.append(line).append('\n'));
          md.append("```\n");
        }
      }
    }
    if (pubS != null || pubB != null) {
      md.append("\n## publish: acknowledged publishes into 100 rooms (one connection per room, open-loop rate steps)\n\n")
          .append("Switchboard's reply is the `ack` (stored with its backup); the baseline's is its own relayed frame.\n\n");
      ackSteps("baseline", pubB);
      ackSteps("Switchboard", pubS);
      Charts.publish(dir, List.of(named("baseline", pubB), named("Switchboard", pubS)));
      md.append("![p99 publish→ack per rate](publish-latency.png)\n");
    }
    jmh();
    profiles();
    Files.writeString(dir.resolve("results.md"), md.toString());
  }

  private static String env(String key, String fallback) {
    String v = System.getenv(key);
    return v == null ? fallback : v;
  }

  private static Charts.Series named(String name, JsonObject result) {
    return result == null ? null : new Charts.Series(name, result.getJsonArray("steps"));
  }

  /** When a scenario was measured: scenarios can come from different runs (bench/run.sh SCENARIO). */
  private void when(JsonObject result, String scenario) {
    if (result != null) {
      md.append("- ").append(scenario).append(": measured ")
          .append(result.getString("measuredAt", "before measurement times were recorded (session 4)"));
      JsonObject check = hostCheck(scenario);
      if (check != null) {
        // encodeMessage until session 30, whose encoder change made it 3× faster: decodePublish since
        String name = check.getString("name");
        md.append(String.format(Locale.ROOT, "; host check before it: `%s` %.0f ± %.0f ns/op (%s on a quiet host)",
            name, check.getDouble("score"), check.getDouble("scoreError"), name.equals("encodeMessage") ? "580"
            : "about 350 since session 42's decoder, 480 before it,"));
      }
      JsonObject stalls = hostFile(scenario + "-stalls", JsonObject::new);
      if (stalls != null) {
        md.append(String.format(Locale.ROOT, "; a thread on the servers' cpu lost %.1f ms of %d s to stalls over 0.5 ms"
            + " (longest %.1f ms; about 1 ms on a quiet host)", stalls.getDouble("stalledMs"), stalls.getInteger("seconds"),
            stalls.getDouble("longestMs")));
      }
      JsonObject damon = hostFile(scenario + "-kdamond", JsonObject::new);
      if (damon != null) {
        // the VM's memory reclaim, which the spinning stall check cannot see (run.sh says why)
        md.append(damon.getInteger("turnedOff", 0) > 0 ? "; the VM's memory reclaim (kdamond) was off (`DAMON_OFF=1`)"
            : String.format(Locale.ROOT, "; the VM's memory reclaim (kdamond, %d active) ran %d ms of CPU in the scenario's %d s",
                damon.getInteger("active", 0), damon.getLong("cpuMs", 0L), damon.getLong("seconds", 0L)));
      }
      md.append('\n');
    }
  }

  /** The JMH score run.sh took on the servers' cpu before the scenario, if it did. */
  private JsonObject hostCheck(String scenario) {
    return hostFile(scenario, text -> {
      io.vertx.core.json.JsonArray runs = new io.vertx.core.json.JsonArray(text);
      if (runs.isEmpty()) {
        return null;
      }
      String benchmark = runs.getJsonObject(0).getString("benchmark", "");
      return runs.getJsonObject(0).getJsonObject("primaryMetric").copy()
          .put("name", benchmark.substring(benchmark.lastIndexOf('.') + 1));
    });
  }

  /** {@code results/host-<name>.json} read by {@code parse}; null when it is missing or broken. */
  private JsonObject hostFile(String name, java.util.function.Function<String, JsonObject> parse) {
    try {
      Path file = dir.resolve("host-" + name + ".json");
      return Files.exists(file) ? parse.apply(Files.readString(file)) : null;
    } catch (IOException | RuntimeException e) {
      return null; // a broken check is no reason to lose the report
    }
  }

  /** " (generator-bound)" when the load generator's one core was busy for 90 % of the connect phase or more. */
  private static String generatorBound(JsonObject idle) {
    Double own = idle.getDouble("loadGenCpuMicrosPerConnect");
    return own != null && own * idle.getLong("connectsPerSecond") >= 0.9e6 ? " (generator-bound)" : "";
  }

  /**
   * A "highest sustained" target. A run whose every step was sustained stopped at the end of its
   * rate list, not at its limit: its figure is a floor ("≥"), and ceiling against ceiling decides
   * nothing. A floor against a measured figure still decides one way.
   */
  private void highest(String what, String goal, JsonObject s, JsonObject b, String sNote, String bNote, double bound) {
    long sv = s.getLong("bestSustainedDeliveriesPerSecond");
    long bv = b.getLong("bestSustainedDeliveriesPerSecond");
    boolean sFloor = allSustained(s);
    boolean bFloor = allSustained(b);
    double ratio = ratio(sv, bv);
    String sCell = (sFloor ? "≥ " : "") + fmt(sv) + sNote;
    String bCell = (bFloor ? "≥ " : "") + fmt(bv) + bNote;
    if ((sFloor && bFloor) || (bFloor && ratio >= bound) || (sFloor && ratio < bound)) {
      md.append(row(what, goal, sCell, bCell, String.format(Locale.ROOT, "%.2f×", ratio),
          "not decided: the highest rate tried was sustained; raise `--rates`")).append('\n');
      return;
    }
    target(what, goal, sCell, bCell, ratio, bound, true);
  }

  /** Every step sustained: the run ended with its rate list, not at a step it could not keep up. */
  static boolean allSustained(JsonObject result) {
    io.vertx.core.json.JsonArray steps = result.getJsonArray("steps");
    return steps != null && !steps.isEmpty() && steps.stream().allMatch(o -> ((JsonObject) o).getBoolean("sustained", false));
  }

  private void target(String what, String goal, String s, String b, double ratio, double bound, boolean atLeast) {
    boolean met = atLeast ? ratio >= bound : ratio <= bound;
    String miss = atLeast ? String.format(Locale.ROOT, "%.0f%% short", 100 * (1 - ratio / bound))
        : String.format(Locale.ROOT, "%.0f%% over", 100 * (ratio / bound - 1));
    md.append(row(what, goal, s, b, String.format(Locale.ROOT, "%.2f×", ratio), met ? "yes" : "no: " + miss)).append('\n');
  }

  private static String row(String... cells) {
    return "| " + String.join(" | ", cells) + " |";
  }

  private void steps(String name, JsonObject result) {
    if (result == null) {
      return;
    }
    md.append("**").append(name).append("** — highest sustained: ")
        .append(fmt(result.getLong("bestSustainedDeliveriesPerSecond"))).append(" deliveries/s\n\n");
    stepTable(result, "| msg/s | delivered | deliveries/s | p50 | p99 | max | server CPU µs/delivery | load gen CPU s | sustained |",
        "deliveredRatio", "deliveriesPerSecond", "serverCpuMicrosPerDelivery");
  }

  private void ackSteps(String name, JsonObject result) {
    if (result == null) {
      return;
    }
    md.append("**").append(name).append("** — highest with p99 ≤ 10 ms: ").append(fmt(result.getLong("bestAcksPerSecondWithinGoal")))
        .append(" acks/s; highest sustained: ").append(fmt(result.getLong("bestSustainedAcksPerSecond"))).append(" acks/s\n\n");
    stepTable(result, "| publishes/s | answered | acks/s | p50 | p99 | max | server CPU µs/publish | load gen CPU s | sustained |",
        "ackedRatio", "acksPerSecond", "serverCpuMicrosPerPublish");
  }

  /** The event loops', Hazelcast's, the JIT's and the GC's parts of a step's CPU figure, where measured. */
  private static String byThread(JsonObject t) {
    return t == null ? "" : " (loops " + t.getValue("loops") + ", Hazelcast " + t.getValue("hazelcast") + ", JIT "
        + t.getValue("jit") + ", GC " + t.getValue("gc") + ")";
  }

  /** One row per rate step; the scenarios differ only in what was counted (deliveries or acks). */
  private void stepTable(JsonObject result, String header, String ratioKey, String perSecondKey, String cpuKey) {
    md.append(header).append('\n').append("|---|---|---|---|---|---|---|---|---|\n");
    for (Object o : result.getJsonArray("steps")) {
      JsonObject s = (JsonObject) o;
      md.append(row(String.valueOf(s.getInteger("rate")), String.format(Locale.ROOT, "%.1f%%", 100 * s.getDouble(ratioKey)),
          fmt(s.getLong(perSecondKey)), ms(s.getLong("p50Micros")), ms(s.getLong("p99Micros")), ms(s.getLong("maxMicros")),
          String.valueOf(s.getValue(cpuKey)) + byThread(s.getJsonObject(cpuKey + "ByThread")),
          String.valueOf(s.getValue("loadGenCpuSeconds")),
          s.getBoolean("sustained") ? "yes" : "no")).append('\n');
    }
    md.append('\n');
  }

  /**
   * The cluster target projected, since this machine runs three nodes on one core: deliveries
   * per CPU second of the busiest node, at the highest rate both runs sustained. With a core per
   * node, that node saturates first, so the ratio is what three cores would give over one if
   * the cost per delivery stayed as measured (it falls as the rate rises, so this is cautious).
   */
  private void projection(JsonObject one, JsonObject three) {
    JsonObject a = null;
    JsonObject b = null;
    for (Object o : three.getJsonArray("steps")) {
      JsonObject t = (JsonObject) o;
      JsonObject s = stepAt(one, t.getInteger("rate"));
      if (t.getBoolean("sustained") && s != null && s.getBoolean("sustained") && t.containsKey("serverCpuSecondsPerNode")) {
        a = s;
        b = t;
      }
    }
    if (a == null) {
      return;
    }
    double oneRate = a.getLong("delivered") / busiest(a);
    double threeRate = b.getLong("delivered") / busiest(b);
    md.append(row("cluster, projected to a core per node: deliveries per CPU second of the busiest node, at "
            + b.getInteger("rate") + " msg/s", "≥ 2.5×", fmt(Math.round(threeRate)) + " (3 nodes)",
        fmt(Math.round(oneRate)) + " (1 node)", String.format(Locale.ROOT, "%.2f×", threeRate / oneRate),
        "projection only: the three nodes shared one core")).append('\n');
  }

  private static double busiest(JsonObject step) {
    double max = 0;
    for (Object cpu : step.getJsonArray("serverCpuSecondsPerNode")) {
      max = Math.max(max, ((Number) cpu).doubleValue());
    }
    return max;
  }

  private static JsonObject stepAt(JsonObject result, int rate) {
    for (Object o : result.getJsonArray("steps")) {
      if (((JsonObject) o).getInteger("rate") == rate) {
        return (JsonObject) o;
      }
    }
    return null;
  }

  private static long p99At(JsonObject result, int rate) {
    JsonObject step = stepAt(result, rate);
    return step == null ? -1 : step.getLong("p99Micros");
  }

  private void jmh() throws IOException {
    Path file = dir.resolve("jmh.json");
    if (!Files.exists(file)) {
      return;
    }
    md.append("\n## JMH: codec and fan-out write path (ns per operation, lower is better)\n\n| benchmark | ns/op | ± |\n|---|---|---|\n");
    for (Object o : new JsonArray(Files.readString(file))) {
      JsonObject b = (JsonObject) o;
      JsonObject m = b.getJsonObject("primaryMetric");
      String name = b.getString("benchmark").replace("io.switchboard.bench.jmh.", "");
      md.append(row(name, String.format(Locale.ROOT, "%.1f", m.getDouble("score")),
          String.format(Locale.ROOT, "%.1f", m.getDouble("scoreError")))).append('\n');
    }
  }

  private void profiles() throws IOException {
    List<Path> files = new ArrayList<>();
    try (var list = Files.list(dir)) {
      list.filter(p -> p.getFileName().toString().endsWith("-profile.txt")).sorted().forEach(files::add);
    }
    for (Path p : files) {
      md.append("\n## JFR profile: ").append(p.getFileName().toString().replace("-profile.txt", "")).append("\n\n```\n");
      Files.readAllLines(p).stream().limit(110).forEach(l -> md.append(l).append('\n'));
      md.append("```\n");
    }
  }

  private static double ratio(long a, long b) {
    return b == 0 ? 0 : (double) a / b;
  }

  private static String pct(long a, long b) {
    return String.format(Locale.ROOT, "%.0f%%", 100.0 * a / b - (a > b ? 100 : 0));
  }

  private static String fmt(Long v) {
    return v == null ? "–" : String.format(Locale.ROOT, "%,d", v);
  }

  private static String ms(Long micros) {
    return micros == null || micros < 0 ? "–" : String.format(Locale.ROOT, "%.1f ms", micros / 1000.0);
  }

  private static String kib(Long bytes) {
    return bytes == null ? "–" : String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
  }
}
